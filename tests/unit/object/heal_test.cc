// Healing one object: ErasureSet::HealObject (wiped, stale, corrupt, dangling and deleted
// copies, quorum safety). The heal module's tests (tests/unit/heal) cover what runs it.
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "object_fixture.h"

namespace cairn::object::test {
namespace heal_test_internal {

constexpr std::int64_t kMiB = 1 << 20;

// 4 data + 2 parity: read quorum 4, write quorum 4.
Layout HealSixDrives() {
  return {.drives = 6, .parity = 2};
}

std::string FileBytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Every shard file of drive i, by path, with its bytes.
std::map<std::string, std::string> ShardFiles(const Cluster& c, std::size_t i) {
  std::map<std::string, std::string> out;
  for (const auto& p : c.PartFiles(i)) {
    out[p.string()] = FileBytes(p);
  }
  return out;
}

Result<HealResult> Heal(Cluster& c, std::string_view key, HealOptions opts = {}) {
  return SyncWait(c.layer->HealObject(c.ctx, "bucket", key, "", opts));
}

Result<PartInfo> HealPutPart(Cluster& c, std::string_view key, std::string_view id, int n,
                             const std::string& data) {
  StringSource src(data);
  HashExpectations ex;
  ex.size = static_cast<std::int64_t>(data.size());
  HashReader body(src, ex);
  return SyncWait(c.layer->PutObjectPart(c.ctx, "bucket", key, id, n, body));
}

TEST(Heal, WipedDriveEndsUpLikeAFreshWrite) {
  ServerPoolsOptions opts;
  opts.min_part_size = kMiB;
  Cluster c(HealSixDrives(), Backend::kLocal, opts);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::map<std::string, std::string> objs = {
      {"large", RandomData(2 * kMiB + 100, 1)}, {"inline", RandomData(5000, 2)}, {"empty", ""}};
  for (const auto& [k, v] : objs) {
    ASSERT_TRUE(c.Put("bucket", k, v).ok()) << k;
  }
  // A multipart object of two parts.
  auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "multi", {}));
  ASSERT_TRUE(id.ok());
  std::string p1 = RandomData(kMiB + 3, 3);
  std::string p2 = RandomData(700000, 4);
  auto e1 = HealPutPart(c, "multi", *id, 1, p1);
  auto e2 = HealPutPart(c, "multi", *id, 2, p2);
  ASSERT_TRUE(e1.ok() && e2.ok());
  ASSERT_TRUE(SyncWait(c.layer->CompleteMultipartUpload(c.ctx, "bucket", "multi", *id,
                                                        {{1, e1->etag, {}}, {2, e2->etag, {}}}, {}))
                  .ok());
  objs["multi"] = p1 + p2;

  const std::size_t victim = 3;
  auto files_before = ShardFiles(c, victim);
  ASSERT_EQ(files_before.size(), 3u);  // large: one file; multi: part.1, part.2 in a folder
  std::map<std::string, meta::FileInfo> meta_before;
  for (const auto& [k, v] : objs) {
    auto fi = DriveCopy(c, victim, k);
    ASSERT_TRUE(fi.ok()) << k;
    meta_before[k] = *fi;
    Wipe(c, victim, k);
  }
  ASSERT_TRUE(c.PartFiles(victim).empty());

  for (const auto& [k, v] : objs) {
    auto r = Heal(c, k);
    ASSERT_TRUE(r.ok()) << k << ": " << r.status().ToString();
    for (std::size_t i = 0; i < 6; ++i) {
      if (i == victim) {
        EXPECT_EQ(r->drives[i].reason, HealReason::kMissing) << k;
        EXPECT_EQ(r->drives[i].state, HealDriveState::kHealed) << k;
      } else {
        EXPECT_EQ(r->drives[i].state, HealDriveState::kOk) << k << " drive " << i;
      }
    }
    auto after = DriveCopy(c, victim, k);
    ASSERT_TRUE(after.ok()) << k;
    EXPECT_TRUE(*after == meta_before[k]) << k;
    // A second heal finds nothing to do.
    auto again = Heal(c, k);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->Count(HealDriveState::kOk), 6) << k;
  }
  EXPECT_EQ(ShardFiles(c, victim), files_before);
  EXPECT_EQ(c.TmpFiles(), 0u);
  // Two other drives gone: the healed drive's shards are needed to read.
  for (const auto& [k, v] : objs) {
    auto got = GetWithout(c, k, {0, 5});
    ASSERT_TRUE(got.ok()) << k << ": " << got.status().ToString();
    EXPECT_TRUE(*got == v) << k;
  }
}

TEST(Heal, DriveWithoutTheBucketGetsItFirst) {
  Cluster c(HealSixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::string data = RandomData(kMiB + 5, 3);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  ASSERT_TRUE(SyncWait(c.inners[2]->DeleteVolume(c.ctx, "bucket", true)).ok());
  auto r = Heal(c, "k");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->drives[2].reason, HealReason::kMissing);
  EXPECT_EQ(r->drives[2].state, HealDriveState::kHealed);
  EXPECT_TRUE(SyncWait(c.inners[2]->StatVolume(c.ctx, "bucket")).ok());
  EXPECT_TRUE(*GetWithout(c, "k", {0, 1}) == data);
}

TEST(Heal, StaleDriveIsHealedToTheNewestVersion) {
  Cluster c(HealSixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "k", RandomData(kMiB + 9, 1)).ok());
  ASSERT_TRUE(c.Put("bucket", "s", "old inline").ok());
  c.drives[2]->fail_writes = true;
  std::string big = RandomData(3 * kMiB + 1, 2);
  ASSERT_TRUE(c.Put("bucket", "k", big).ok());
  ASSERT_TRUE(c.Put("bucket", "s", "new inline!").ok());
  c.drives[2]->fail_writes = false;
  for (const char* key : {"k", "s"}) {
    auto r = Heal(c, key);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->drives[2].reason, HealReason::kStale) << key;
    EXPECT_EQ(r->drives[2].state, HealDriveState::kHealed) << key;
    EXPECT_EQ(r->Count(HealDriveState::kHealed), 1);
    auto healed = DriveCopy(c, 2, key);
    auto good = DriveCopy(c, 0, key);
    ASSERT_TRUE(healed.ok() && good.ok());
    EXPECT_EQ(healed->Meta("etag"), good->Meta("etag"));
    EXPECT_EQ(healed->mod_time_ns, good->mod_time_ns);
  }
  EXPECT_TRUE(*GetWithout(c, "k", {0, 1}) == big);
  EXPECT_EQ(*GetWithout(c, "s", {4, 5}), "new inline!");
}

TEST(Heal, CorruptShardIsFoundByDeepScanAndHealed) {
  Cluster c(HealSixDrives());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::string data = RandomData(3 * kMiB + 5, 7);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  auto before = ShardFiles(c, 1);
  ASSERT_EQ(before.size(), 1u);
  {
    std::fstream f(before.begin()->first, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(600000);
    f.put('\x5a' ^ before.begin()->second[600000]);
  }
  // Without a deep scan the file looks whole (right size).
  auto quick = Heal(c, "k");
  ASSERT_TRUE(quick.ok());
  EXPECT_EQ(quick->Count(HealDriveState::kOk), 6);
  HealOptions deep;
  deep.deep_scan = true;
  auto r = Heal(c, "k", deep);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->drives[1].reason, HealReason::kCorrupt);
  EXPECT_EQ(r->drives[1].state, HealDriveState::kHealed);
  EXPECT_EQ(r->Count(HealDriveState::kOk), 5);
  EXPECT_EQ(ShardFiles(c, 1), before);
  // A missing shard file is found without a deep scan.
  std::filesystem::remove(before.begin()->first);
  auto missing = Heal(c, "k");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->drives[1].state, HealDriveState::kHealed);
  EXPECT_EQ(ShardFiles(c, 1), before);
  EXPECT_TRUE(*GetWithout(c, "k", {0, 2}) == data);
}

TEST(Heal, CorruptBlocksOnSeveralDrivesHealFromEachOthersGoodBlocks) {
  Cluster c(HealSixDrives());
  // Failed once under ASan on a loaded machine (2026-12-03): say why if it fails again.
  const Status made = c.MakeBucket("bucket");
  ASSERT_TRUE(made.ok()) << made.ToString();
  std::string data = RandomData(3 * kMiB + 5, 8);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  const std::size_t slot = 32 + kMiB / 4;  // one block's shard with its hash (4 data shards)
  std::map<std::size_t, std::map<std::string, std::string>> before;
  for (std::size_t i = 0; i < 3; ++i) {  // block i on drive i: three drives, three blocks
    before[i] = ShardFiles(c, i);
    const auto& [path, bytes] = *before[i].begin();
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(i * slot + 100));
    f.put(static_cast<char>(bytes[i * slot + 100] ^ 0x01));
  }
  HealOptions deep;
  deep.deep_scan = true;
  auto r = Heal(c, "k", deep);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Count(HealDriveState::kHealed), 3);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r->drives[i].reason, HealReason::kCorrupt);
    EXPECT_EQ(ShardFiles(c, i), before[i]) << i;
  }
}

TEST(Heal, DanglingVersionIsReportedAndPurgedOnlyOnRequest) {
  Cluster c(HealSixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "k", RandomData(kMiB, 1)).ok());
  // Left on drives 4 and 5 only; drive 3 cannot answer: 2 + 1 < read quorum 4, for good.
  for (std::size_t i : {0, 1, 2}) {
    Wipe(c, i, "k");
  }
  c.drives[3]->offline = true;
  auto r = Heal(c, "k");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->dangling);
  EXPECT_FALSE(r->deleted);
  EXPECT_EQ(r->drives[4].state, HealDriveState::kDangling);
  EXPECT_EQ(r->drives[5].state, HealDriveState::kDangling);
  EXPECT_TRUE(DriveCopy(c, 4, "k").ok());
  HealOptions purge;
  purge.remove_dangling = true;
  r = Heal(c, "k", purge);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->drives[4].state, HealDriveState::kPurged);
  EXPECT_EQ(r->drives[5].state, HealDriveState::kPurged);
  EXPECT_EQ(DriveCopy(c, 4, "k").code(), Errc::kFileNotFound);
  c.drives[3]->offline = false;
}

// Corrupt entries may still hold the version (bitrot in another version's inline data makes
// the whole entry unreadable): they never make the readable copies look dangling.
TEST(Heal, CorruptEntriesNeverMakeTheReadableCopiesDangling) {
  Cluster c(HealSixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "k", RandomData(kMiB, 1)).ok());
  // Readable on drives 4 and 5, corrupt on 0 and 1, missing on 2 and 3: 2 + 2 reach read
  // quorum 4, so the version is not dangling and nothing may be purged.
  for (std::size_t i : {2, 3}) {
    Wipe(c, i, "k");
  }
  c.drives[0]->corrupt_metadata = true;
  c.drives[1]->corrupt_metadata = true;
  HealOptions purge;
  purge.remove_dangling = true;
  auto r = Heal(c, "k", purge);
  EXPECT_FALSE(r.ok() && r->dangling);
  EXPECT_TRUE(DriveCopy(c, 4, "k").ok());
  EXPECT_TRUE(DriveCopy(c, 5, "k").ok());
  c.drives[0]->corrupt_metadata = false;
  c.drives[1]->corrupt_metadata = false;
}

TEST(Heal, DeletedObjectIsRemovedFromADriveThatMissedTheDelete) {
  Cluster c(HealSixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "k", RandomData(kMiB, 1)).ok());
  c.drives[5]->offline = true;
  ASSERT_TRUE(SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "k", {})).ok());
  c.drives[5]->offline = false;
  ASSERT_TRUE(DriveCopy(c, 5, "k").ok());
  auto r = Heal(c, "k");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->deleted);
  EXPECT_EQ(r->drives[5].reason, HealReason::kDeleted);
  EXPECT_EQ(r->drives[5].state, HealDriveState::kPurged);
  EXPECT_EQ(DriveCopy(c, 5, "k").code(), Errc::kFileNotFound);
  EXPECT_EQ(c.Head("bucket", "k").code(), Errc::kNoSuchKey);
}

TEST(Heal, StaleVersionNeverWins) {
  Cluster c(HealSixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "k", RandomData(kMiB + 1, 1)).ok());
  c.drives[0]->fail_writes = true;
  c.drives[1]->fail_writes = true;
  std::string v2 = RandomData(kMiB + 2, 2);
  ASSERT_TRUE(c.Put("bucket", "k", v2).ok());  // on drives 2..5
  c.drives[0]->fail_writes = false;
  c.drives[1]->fail_writes = false;
  const std::string etag2 = DriveCopy(c, 4, "k")->Meta("etag");
  // Drives 2 and 3 away: two copies of each version, neither at read quorum. Nothing is
  // decided, nothing is written.
  c.drives[2]->offline = true;
  c.drives[3]->offline = true;
  EXPECT_EQ(Heal(c, "k").code(), Errc::kReadQuorum);
  HealOptions purge;
  purge.remove_dangling = true;
  EXPECT_EQ(Heal(c, "k", purge).code(), Errc::kReadQuorum);
  EXPECT_EQ(DriveCopy(c, 4, "k")->Meta("etag"), etag2);
  EXPECT_EQ(DriveCopy(c, 5, "k")->Meta("etag"), etag2);
  c.drives[2]->offline = false;
  c.drives[3]->offline = false;
  auto r = Heal(c, "k");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->drives[0].reason, HealReason::kStale);
  EXPECT_EQ(r->Count(HealDriveState::kHealed), 2);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(DriveCopy(c, i, "k")->Meta("etag"), etag2) << i;
  }
  EXPECT_TRUE(*GetWithout(c, "k", {4, 5}) == v2);
}

}  // namespace heal_test_internal
}  // namespace cairn::object::test
