// Heal sequences: admin heals over the cluster, a bucket or a prefix (and dry runs), drive
// heals with their tracker (start, resume after a restart), StopHeal, the scanner, and the
// drive status.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "heal_fixture.h"

namespace cairn::heal::test {
namespace heal_sequence_test_internal {

using object::HashExpectations;
using object::HashReader;
using object::LocalNsLocker;
using object::ServerPoolsOptions;
using object::test::Wipe;
using testing::StringSource;

constexpr std::size_t kSeqVictim = 1;

// 4 data + 2 parity: read quorum 4, write quorum 4.
Layout SeqSixDrives() {
  return {.drives = 6, .parity = 2};
}

HealProgress WaitFinished(HealCluster& c, const std::string& id) {
  EXPECT_TRUE(Eventually([&] {
    auto p = c.healer->GetHealProgress(id);
    return p.ok() && p->state != HealSequenceState::kRunning;
  }));
  return c.healer->GetHealProgress(id).value();
}

bool OnDrive(Cluster& c, std::size_t i, std::string_view bucket, std::string_view key) {
  return SyncWait(c.inners[i]->ReadVersion(c.ctx, bucket, key, "", false)).ok();
}

std::string StartHeal(HealCluster& c, HealScope scope, HealSequenceOptions opts = {}) {
  auto id = SyncWait(c.healer->StartHeal(c.ctx, scope, opts));
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  return id.ok() ? *id : std::string();
}

// Objects in two buckets, small (inline) and large (shard files), all removed from the
// victim drive.
class HealSequenceTest : public ::testing::Test {
 protected:
  HealSequenceTest() : c(SeqSixDrives(), Backend::kLocal) {}

  void SetUp() override {
    ASSERT_TRUE(c.MakeBucket("bucket").ok());
    ASSERT_TRUE(c.MakeBucket("other").ok());
    for (const char* key : {"a/1", "a/2", "b/1", "b/2"}) {
      objs[key] = RandomData(key[2] == '1' ? 1000 : 600 << 10, key[0] + key[2]);
      ASSERT_TRUE(c.Put("bucket", key, objs[key]).ok());
    }
    ASSERT_TRUE(c.Put("other", "x", RandomData(700 << 10, 9)).ok());
    shard_files = c.PartFiles(0).size();
    ASSERT_EQ(shard_files, 3u);
    for (const auto& [key, data] : objs) {
      Wipe(c, kSeqVictim, key, "bucket");
    }
    Wipe(c, kSeqVictim, "x", "other");
    ASSERT_EQ(c.PartFiles(kSeqVictim).size(), 0u);
  }

  HealCluster c;
  std::map<std::string, std::string> objs;
  std::size_t shard_files = 0;
};

// A multipart upload in progress: drive 1 was offline while part 1 arrived, drive 2 lost the
// upload (a replaced drive). A heal gives drive 2 the record and both drives every part's
// shard, so that the upload completes and reads with the two other drives of parity gone;
// a dry run before it changes nothing.
TEST(HealUploads, AnUploadInProgressIsHealedOnEveryDrive) {
  ServerPoolsOptions opts;
  opts.min_part_size = 1 << 20;
  HealCluster c(SeqSixDrives(), Backend::kLocal, QuietHealer(), opts);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "big", {}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto put_part = [&](int n, const std::string& data) {
    StringSource src(data);
    HashExpectations ex;
    ex.size = static_cast<std::int64_t>(data.size());
    HashReader body(src, ex);
    return SyncWait(c.layer->PutObjectPart(c.ctx, "bucket", "big", *id, n, body));
  };
  const std::string p1 = RandomData((1 << 20) + 4097, 1);
  const std::string p2 = RandomData(300 << 10, 2);
  c.drives[1]->offline = true;
  auto r1 = put_part(1, p1);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  c.drives[1]->offline = false;
  ASSERT_TRUE(SyncWait(c.inners[2]->AbortUpload(c.ctx, "bucket", "big", *id)).ok());
  auto r2 = put_part(2, p2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  auto parts_on = [&](std::size_t i) {
    auto parts = SyncWait(c.inners[i]->ListParts(c.ctx, "bucket", "big", *id));
    return parts.ok() ? parts->size() : 0u;
  };
  ASSERT_EQ(parts_on(1), 1u);
  ASSERT_EQ(parts_on(2), 0u);

  HealSequenceOptions dry;
  dry.dry_run = true;
  EXPECT_EQ(WaitFinished(c, StartHeal(c, {"bucket", ""}, dry)).state, HealSequenceState::kDone);
  EXPECT_FALSE(SyncWait(c.inners[2]->ReadUpload(c.ctx, "bucket", "big", *id)).ok());
  HealProgress p = WaitFinished(c, StartHeal(c, {"bucket", ""}));
  EXPECT_EQ(p.state, HealSequenceState::kDone) << p.error;
  EXPECT_EQ(p.objects_failed, 0u);
  EXPECT_TRUE(SyncWait(c.inners[2]->ReadUpload(c.ctx, "bucket", "big", *id)).ok());
  EXPECT_EQ(parts_on(1), 2u);
  EXPECT_EQ(parts_on(2), 2u);

  // Two other drives gone (the parity): the healed ones carry the upload to the end.
  c.drives[0]->offline = true;
  c.drives[3]->offline = true;
  auto done = SyncWait(c.layer->CompleteMultipartUpload(
      c.ctx, "bucket", "big", *id, {{1, r1->etag, {}}, {2, r2->etag, {}}}, {}));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  auto got = c.Get("bucket", "big");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == p1 + p2);
}

// A drive holds another copy of a part, newer than the one the read quorum agrees on (an
// upload of the part that missed its quorum): the heal replaces it, although a drive keeps
// the copy of a part number with the later time.
TEST(HealUploads, ANewerStrayCopyOfAPartIsReplaced) {
  ServerPoolsOptions opts;
  opts.min_part_size = 1 << 20;
  HealCluster c(SeqSixDrives(), Backend::kLocal, QuietHealer(), opts);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "big", {}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const std::string p1 = RandomData((1 << 20) + 4097, 1);
  StringSource src(p1);
  HashExpectations ex;
  ex.size = static_cast<std::int64_t>(p1.size());
  HashReader body(src, ex);
  auto r1 = SyncWait(c.layer->PutObjectPart(c.ctx, "bucket", "big", *id, 1, body));
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  auto agreed = SyncWait(c.inners[0]->ListParts(c.ctx, "bucket", "big", *id));
  ASSERT_TRUE(agreed.ok() && agreed->size() == 1u);

  const std::string stray = "a stray shard";
  auto writer = SyncWait(c.inners[1]->CreateFile(c.ctx, "stray/part.1"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(SyncWait((*writer)->Write(std::as_bytes(std::span(stray)))).ok());
  ASSERT_TRUE(SyncWait((*writer)->Close()).ok());
  meta::ObjectPart newer{1,
                         std::string(32, 'a'),
                         static_cast<std::int64_t>(stray.size()),
                         (*agreed)[0].mod_time_ns + 1000,
                         {}};
  ASSERT_TRUE(SyncWait(c.inners[1]->CommitPart(c.ctx, "bucket", "big", *id, newer, "stray")).ok());

  HealProgress p = WaitFinished(c, StartHeal(c, {"bucket", ""}));
  EXPECT_EQ(p.state, HealSequenceState::kDone) << p.error;
  auto healed = SyncWait(c.inners[1]->ListParts(c.ctx, "bucket", "big", *id));
  ASSERT_TRUE(healed.ok() && healed->size() == 1u);
  EXPECT_EQ((*healed)[0].etag, r1->etag);

  c.drives[0]->offline = true;
  c.drives[3]->offline = true;
  auto done = SyncWait(
      c.layer->CompleteMultipartUpload(c.ctx, "bucket", "big", *id, {{1, r1->etag, {}}}, {}));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  auto got = c.Get("bucket", "big");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == p1);
}

TEST_F(HealSequenceTest, PrefixBucketAndClusterHealExactlyTheirObjects) {
  HealProgress p = WaitFinished(c, StartHeal(c, {"bucket", "a/"}));
  EXPECT_EQ(p.state, HealSequenceState::kDone) << p.error;
  EXPECT_EQ(p.kind, HealSequenceKind::kAdmin);
  EXPECT_EQ(p.objects_scanned, 2u);
  EXPECT_EQ(p.objects_healed, 2u);
  EXPECT_EQ(p.objects_total, 2u);
  EXPECT_EQ(p.bytes_healed, 1000u + (600u << 10));
  EXPECT_TRUE(OnDrive(c, kSeqVictim, "bucket", "a/1"));
  EXPECT_TRUE(OnDrive(c, kSeqVictim, "bucket", "a/2"));
  EXPECT_FALSE(OnDrive(c, kSeqVictim, "bucket", "b/1"));
  EXPECT_FALSE(OnDrive(c, kSeqVictim, "bucket", "b/2"));
  EXPECT_EQ(c.PartFiles(kSeqVictim).size(), 1u);

  p = WaitFinished(c, StartHeal(c, {"bucket", ""}));
  EXPECT_EQ(p.state, HealSequenceState::kDone) << p.error;
  EXPECT_EQ(p.objects_scanned, 4u);
  EXPECT_EQ(p.objects_healed, 2u);  // a/* agree by now
  EXPECT_EQ(p.last_key, "b/2");
  EXPECT_FALSE(OnDrive(c, kSeqVictim, "other", "x"));

  p = WaitFinished(c, StartHeal(c, {}));
  EXPECT_EQ(p.state, HealSequenceState::kDone) << p.error;
  EXPECT_EQ(p.objects_scanned, 5u);
  EXPECT_EQ(p.objects_healed, 1u);
  EXPECT_TRUE(OnDrive(c, kSeqVictim, "other", "x"));
  EXPECT_EQ(c.PartFiles(kSeqVictim).size(), shard_files);
  // The victim's shards serve reads: every object with two other drives offline.
  c.drives[0]->offline = true;
  c.drives[2]->offline = true;
  for (const auto& [key, data] : objs) {
    EXPECT_TRUE(*c.Get("bucket", key) == data) << key;
  }
  const HealCounters counters = c.healer->GetHealCounters();
  EXPECT_EQ(counters.objects_healed, 5u);
  EXPECT_EQ(counters.objects_scanned, 11u);
  EXPECT_EQ(c.healer->ListHeals().size(), 3u);
}

TEST_F(HealSequenceTest, DryRunCountsAndChangesNothing) {
  HealSequenceOptions opts;
  opts.dry_run = true;
  HealProgress p = WaitFinished(c, StartHeal(c, {}, opts));
  EXPECT_EQ(p.state, HealSequenceState::kDone) << p.error;
  EXPECT_EQ(p.objects_scanned, 5u);
  EXPECT_EQ(p.objects_healed, 5u);
  for (const auto& [key, data] : objs) {
    EXPECT_FALSE(OnDrive(c, kSeqVictim, "bucket", key)) << key;
  }
  EXPECT_EQ(c.PartFiles(kSeqVictim).size(), 0u);
}

TEST_F(HealSequenceTest, BadScopesAreRefused) {
  EXPECT_EQ(SyncWait(c.healer->StartHeal(c.ctx, {"", "a/"}, {})).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(c.healer->StartHeal(c.ctx, {"nope", ""}, {})).code(), Errc::kNoSuchBucket);
  EXPECT_EQ(c.healer->GetHealProgress("nope").code(), Errc::kNotFound);
  EXPECT_EQ(c.healer->StopHeal("nope").code(), Errc::kNotFound);
}

TEST_F(HealSequenceTest, StopHealStopsTheSequence) {
  // The walk blocks on the first key's lock, held here, until it is stopped.
  auto guard = SyncWait(c.layer->Set(0, 0).LockObject(c.ctx, "bucket", "a/1", true));
  ASSERT_TRUE(guard.ok());
  const std::string id = StartHeal(c, {"bucket", ""});
  ASSERT_TRUE(c.healer->StopHeal(id).ok());
  guard->reset();
  HealProgress p = WaitFinished(c, id);
  EXPECT_EQ(p.state, HealSequenceState::kStopped);
  EXPECT_LE(p.objects_scanned, 1u);
  EXPECT_FALSE(OnDrive(c, kSeqVictim, "bucket", "b/2"));
}

TEST_F(HealSequenceTest, DriveHealFillsTheDriveAndRemovesItsTracker) {
  auto id = SyncWait(c.healer->StartDriveHeal(c.ctx, {0, 0, kSeqVictim}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  HealProgress p = WaitFinished(c, *id);
  EXPECT_EQ(p.state, HealSequenceState::kDone) << p.error;
  EXPECT_EQ(p.kind, HealSequenceKind::kDrive);
  EXPECT_EQ(p.drive, c.drives[kSeqVictim]->endpoint());
  EXPECT_EQ(p.objects_healed, 5u);
  EXPECT_EQ(c.PartFiles(kSeqVictim).size(), shard_files);
  EXPECT_EQ(SyncWait(c.inners[kSeqVictim]->ReadSystemRecord(c.ctx, kHealTrackerRecord)).code(),
            Errc::kFileNotFound);
  auto status = SyncWait(c.healer->GetDriveStatus(c.ctx));
  ASSERT_EQ(status.size(), 6u);
  EXPECT_EQ(status[kSeqVictim].state, DriveState::kOk);
  EXPECT_GT(status[kSeqVictim].total, 0u);
}

TEST_F(HealSequenceTest, DriveHealResumesFromItsTracker) {
  HealProgress t;
  t.id = "resumed-heal";
  t.started_ns = 12345;
  t.objects_scanned = 2;
  t.last_bucket = "bucket";
  t.last_key = "a/2";
  ASSERT_TRUE(SyncWait(c.inners[kSeqVictim]->WriteSystemRecord(c.ctx, kHealTrackerRecord,
                                                               EncodeHealTracker(t)))
                  .ok());
  // Slots without a tracker are left alone.
  SyncWait(c.healer->ResumeDriveHeals(c.ctx, {{0, 0, 0}, {0, 0, kSeqVictim}}));
  ASSERT_EQ(c.healer->ListHeals().size(), 1u);
  HealProgress p = WaitFinished(c, "resumed-heal");
  EXPECT_EQ(p.state, HealSequenceState::kDone) << p.error;
  EXPECT_EQ(p.started_ns, 12345);
  EXPECT_EQ(p.objects_scanned, 2u + 3u);  // b/1, b/2, other/x
  EXPECT_FALSE(OnDrive(c, kSeqVictim, "bucket", "a/1"));
  EXPECT_FALSE(OnDrive(c, kSeqVictim, "bucket", "a/2"));
  EXPECT_TRUE(OnDrive(c, kSeqVictim, "bucket", "b/1"));
  EXPECT_TRUE(OnDrive(c, kSeqVictim, "bucket", "b/2"));
  EXPECT_TRUE(OnDrive(c, kSeqVictim, "other", "x"));
  EXPECT_EQ(SyncWait(c.inners[kSeqVictim]->ReadSystemRecord(c.ctx, kHealTrackerRecord)).code(),
            Errc::kFileNotFound);
}

TEST(HealSequence, DriveStatusShowsOfflineDrives) {
  HealCluster c(SeqSixDrives(), Backend::kMemory);
  c.drives[3]->offline = true;
  auto status = SyncWait(c.healer->GetDriveStatus(c.ctx));
  ASSERT_EQ(status.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(status[i].index, static_cast<int>(i));
    EXPECT_EQ(status[i].state, i == 3 ? DriveState::kOffline : DriveState::kOk) << i;
  }
}

TEST(HealSequence, ScannerHealsADifferenceAndPurgesADanglingVersion) {
  HealerOptions ho = QuietHealer();
  ho.scanner = true;
  ho.scan.interval = std::chrono::milliseconds(20);
  ho.scan.sleep_factor = 0.5;
  ServerPoolsOptions opts;
  auto locker = std::make_shared<LocalNsLocker>();
  opts.locker = locker;
  HealCluster c(SeqSixDrives(), Backend::kMemory, ho, opts);
  // The scanner skips the set while its lock is held here (as on another node).
  auto held = SyncWait(locker->Lock(c.ctx, ".cairn.sys/scanner/0/0", true));
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "missing", RandomData(300 << 10, 1)).ok());
  ASSERT_TRUE(c.Put("bucket", "dangling", "x").ok());
  Wipe(c, 0, "missing", "bucket");
  // Left on one drive only: below read quorum for good.
  for (std::size_t i = 1; i < 6; ++i) {
    Wipe(c, i, "dangling", "bucket");
  }
  const std::uint64_t cycles = c.healer->GetHealCounters().scanner_cycles;
  EXPECT_TRUE(Eventually([&] { return c.healer->GetHealCounters().scanner_cycles > cycles; }));
  EXPECT_FALSE(OnDrive(c, 0, "bucket", "missing"));  // the set was skipped
  held->reset();
  EXPECT_TRUE(Eventually(
      [&] { return OnDrive(c, 0, "bucket", "missing") && !OnDrive(c, 0, "bucket", "dangling"); }));
  EXPECT_TRUE(Eventually([&] { return c.healer->GetHealCounters().scanner_cycles >= 2; }));
  bool seen = false;
  for (const HealProgress& p : c.healer->ListHeals()) {
    EXPECT_EQ(p.kind, HealSequenceKind::kScanner);
    seen = seen || (p.objects_healed == 2 && p.objects_dangling == 1);
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(c.Head("bucket", "dangling").code(), Errc::kNoSuchKey);
}

// A large PUT whose metadata commit failed after its shards were renamed into data/ leaves
// a data folder that no metadata references (made here by copying a committed one under a
// fresh id); a staged write that never finished leaves tmp/ files. A scanner cycle with
// orphan_min_age 0 removes both on every drive and keeps the object's own data.
TEST(HealSequence, ScannerRemovesOrphanDataFolders) {
  HealerOptions ho = QuietHealer();
  ho.scanner = true;
  ho.scan.interval = std::chrono::milliseconds(20);
  ho.scan.sleep_factor = 0.5;
  ho.scan.orphan_min_age = std::chrono::seconds(0);
  ServerPoolsOptions opts;
  auto locker = std::make_shared<LocalNsLocker>();
  opts.locker = locker;
  HealCluster c(SeqSixDrives(), Backend::kLocal, ho, opts);
  // With min age 0 a write in flight is not safe from the cleanup: the scanner keeps off the
  // set (its lock is held here) until the object is committed.
  auto held = SyncWait(locker->Lock(c.ctx, ".cairn.sys/scanner/0/0", true));
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  const std::string data = RandomData(2 << 20, 7);
  ASSERT_TRUE(c.Put("bucket", "big", data).ok());
  std::vector<std::filesystem::path> orphans;
  for (std::size_t i = 0; i < c.paths.size(); ++i) {
    auto parts = c.PartFiles(i);
    ASSERT_FALSE(parts.empty());
    const std::filesystem::path committed = parts[0].parent_path();
    const std::string name = committed.filename().string();
    const std::string fan_out = name.starts_with("ab") ? "cd" : "ab";
    const std::filesystem::path orphan =
        std::filesystem::path(c.paths[i]) / "data" / fan_out / (fan_out + name.substr(2));
    std::filesystem::create_directories(orphan.parent_path());
    std::filesystem::copy(committed, orphan);
    orphans.push_back(orphan);
    std::filesystem::create_directories(c.paths[i] + "/.cairn.sys/tmp/lost-put");
    std::ofstream(c.paths[i] + "/.cairn.sys/tmp/lost-put/part.1") << "staged";
  }
  held->reset();
  EXPECT_TRUE(Eventually([&] {
    for (const auto& o : orphans) {
      if (std::filesystem::exists(o)) {
        return false;
      }
    }
    // The counters are added when the set's pass ends, a moment after the folders go.
    const auto counters = c.healer->GetHealCounters();
    return c.TmpFiles() == 0 && counters.orphans_removed >= 2 * orphans.size() &&
           counters.orphan_bytes_removed > 0;
  }));
  EXPECT_GE(c.healer->GetHealCounters().orphans_removed, 2 * orphans.size());
  EXPECT_GT(c.healer->GetHealCounters().orphan_bytes_removed, 0u);
  for (std::size_t i = 0; i < c.paths.size(); ++i) {
    EXPECT_FALSE(c.PartFiles(i).empty()) << i;
  }
  auto got = c.Get("bucket", "big");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, data);
}

}  // namespace heal_sequence_test_internal
}  // namespace cairn::heal::test
