// The object layer under drive faults: missing, wiped, failing and corrupt drives.
#include <fstream>

#include <gtest/gtest.h>

#include "object_fixture.h"

namespace cairn::object::test {
namespace fault_test_internal {

constexpr std::int64_t kMiB = 1 << 20;

// 4 data + 2 parity: write quorum 4, read quorum 4.
Layout SixDrives() {
  return {.drives = 6, .parity = 2};
}

TEST(Faults, UpToParityDrivesMissing) {
  Cluster c(SixDrives());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::string small = RandomData(1000, 1);
  std::string large = RandomData(2 * kMiB + 11, 2);
  ASSERT_TRUE(c.Put("bucket", "small", small).ok());
  ASSERT_TRUE(c.Put("bucket", "large", large).ok());
  // Every choice of two missing drives among the first four (data shards for some keys).
  for (int a = 0; a < 6; ++a) {
    for (int b = a + 1; b < 6; ++b) {
      c.drives[a]->offline = true;
      c.drives[b]->offline = true;
      auto s = c.Get("bucket", "small");
      auto l = c.Get("bucket", "large");
      ASSERT_TRUE(s.ok() && l.ok()) << a << "," << b;
      EXPECT_TRUE(*s == small);
      EXPECT_TRUE(*l == large);
      c.drives[a]->offline = false;
      c.drives[b]->offline = false;
    }
  }
  // Writes still succeed with parity drives gone, and read back with others gone.
  c.drives[0]->offline = true;
  c.drives[1]->offline = true;
  std::string again = RandomData(3 * kMiB, 3);
  ASSERT_TRUE(c.Put("bucket", "written-degraded", again).ok());
  auto degraded = c.Get("bucket", "written-degraded");
  ASSERT_TRUE(degraded.ok());
  EXPECT_TRUE(*degraded == again);
  // Back online without the object: the four that have it are read quorum.
  c.drives[0]->offline = false;
  c.drives[1]->offline = false;
  auto healed = c.Get("bucket", "written-degraded");
  ASSERT_TRUE(healed.ok()) << healed.status().ToString();
  EXPECT_TRUE(*healed == again);
}

TEST(Faults, MoreThanParityMissingIsAQuorumError) {
  Cluster c(SixDrives());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "k", RandomData(kMiB, 1)).ok());
  ASSERT_TRUE(c.Put("bucket", "s", "small").ok());
  for (int i : {1, 3, 5}) {
    c.drives[i]->offline = true;
  }
  EXPECT_EQ(c.Get("bucket", "k").code(), Errc::kReadQuorum);
  EXPECT_EQ(c.Get("bucket", "s").code(), Errc::kReadQuorum);
  EXPECT_EQ(c.Head("bucket", "k").code(), Errc::kReadQuorum);
  EXPECT_EQ(c.Put("bucket", "k", RandomData(kMiB, 2)).code(), Errc::kWriteQuorum);
  EXPECT_EQ(c.Put("bucket", "n", "tiny").code(), Errc::kWriteQuorum);
  EXPECT_EQ(SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "k", {})).code(), Errc::kWriteQuorum);
  EXPECT_EQ(SyncWait(c.layer->ListObjects(c.ctx, "bucket", {})).code(), Errc::kReadQuorum);
  for (int i : {1, 3, 5}) {
    c.drives[i]->offline = false;
  }
  EXPECT_EQ(c.TmpFiles(), 0u);
  // The failed overwrite left the old object readable.
  EXPECT_TRUE(c.Get("bucket", "k").ok());
}

TEST(Faults, DriveFailingMidWriteIsDropped) {
  Cluster c(SixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  c.drives[2]->fail_writes = true;
  c.drives[4]->fail_writes = true;
  std::string data = RandomData(3 * kMiB, 5);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  c.drives[2]->fail_writes = false;
  c.drives[4]->fail_writes = false;
  c.drives[0]->offline = true;  // two healthy copies now missing too: 3 left < 4
  EXPECT_EQ(c.Get("bucket", "k").code(), Errc::kReadQuorum);
  c.drives[0]->offline = false;
  EXPECT_TRUE(*c.Get("bucket", "k") == data);
  c.drives[1]->fail_writes = true;
  c.drives[2]->fail_writes = true;
  c.drives[3]->fail_writes = true;
  EXPECT_EQ(c.Put("bucket", "k2", data).code(), Errc::kWriteQuorum);
  for (const auto& inner : c.inners) {
    EXPECT_EQ(static_cast<MemoryDrive*>(inner.get())->TmpFilesForTest(), 0u);
  }
}

// GET and HEAD read only the data shards' drives when those agree: a stale drive among them
// (it missed an overwrite) must send the read to every drive, and the newest version wins.
TEST(Faults, StaleDrivesNeverServeAnOldVersion) {
  for (int a = 0; a < 6; ++a) {
    for (int b = a + 1; b < 6; ++b) {
      Cluster c(SixDrives(), Backend::kMemory);
      ASSERT_TRUE(c.MakeBucket("bucket").ok());
      ASSERT_TRUE(c.Put("bucket", "s", "old inline").ok());
      ASSERT_TRUE(c.Put("bucket", "k", RandomData(kMiB + 5, 1)).ok());
      c.drives[a]->fail_writes = true;
      c.drives[b]->fail_writes = true;
      std::string big = RandomData(kMiB + 7, 2);
      ASSERT_TRUE(c.Put("bucket", "s", "new inline!").ok());
      ASSERT_TRUE(c.Put("bucket", "k", big).ok());
      c.drives[a]->fail_writes = false;
      c.drives[b]->fail_writes = false;
      auto s = c.Get("bucket", "s");
      ASSERT_TRUE(s.ok()) << a << "," << b << ": " << s.status().ToString();
      EXPECT_EQ(*s, "new inline!") << a << "," << b;
      auto k = c.Get("bucket", "k");
      ASSERT_TRUE(k.ok()) << a << "," << b;
      EXPECT_TRUE(*k == big) << a << "," << b;
      auto h = c.Head("bucket", "s");
      ASSERT_TRUE(h.ok());
      EXPECT_EQ(h->size, 11);
    }
  }
}

TEST(Faults, WipedDrivesAreReconstructed) {
  Cluster c(SixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::string data = RandomData(2 * kMiB + 100, 6);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  ASSERT_TRUE(c.Put("bucket", "s", "inline object").ok());
  // Wipe both objects (metadata and shard files) from two drives.
  for (int i : {0, 3}) {
    for (const char* key : {"k", "s"}) {
      meta::FileInfo fi;
      fi.volume = "bucket";
      fi.name = key;
      ASSERT_TRUE(SyncWait(c.inners[i]->DeleteVersion(c.ctx, fi)).ok());
    }
  }
  EXPECT_TRUE(*c.Get("bucket", "k") == data);
  EXPECT_EQ(*c.Get("bucket", "s"), "inline object");
}

TEST(Faults, CorruptShardFilesOnDiskAreNeverServed) {
  Cluster c(SixDrives());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::string data = RandomData(3 * kMiB + 5, 7);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  auto flip = [&](std::size_t drive, std::uint64_t at) {
    auto files = c.PartFiles(drive);
    ASSERT_EQ(files.size(), 1u);
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char ch = 0;
    f.read(&ch, 1);
    ch = static_cast<char>(ch ^ 0x01);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(&ch, 1);
  };
  // One bit in a data block on two drives, in different blocks.
  flip(0, 100);
  flip(1, 300000);
  auto got = c.Get("bucket", "k");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  // Two more corrupt drives in block 0 leave 3 good shards of 4 needed: an error, not bytes.
  flip(2, 50);
  flip(3, 60);
  GetOptions first;
  first.range.kind = RangeSpec::Kind::kFromTo;
  first.range.first = 0;
  first.range.last = 1000;
  EXPECT_EQ(c.Get("bucket", "k", first).code(), Errc::kReadQuorum);
}

TEST(Faults, CorruptInlineDataIsReconstructed) {
  Cluster c(SixDrives(), Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::string data = RandomData(50000, 8);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  c.drives[0]->corrupt_reads = true;
  c.drives[5]->corrupt_reads = true;
  EXPECT_TRUE(*c.Get("bucket", "k") == data);
  c.drives[3]->corrupt_reads = true;
  EXPECT_EQ(c.Get("bucket", "k").code(), Errc::kReadQuorum);
  // Large objects through the corrupting wrapper as well.
  for (auto& d : c.drives) {
    d->corrupt_reads = false;
  }
  std::string large = RandomData(kMiB + 3, 9);
  ASSERT_TRUE(c.Put("bucket", "large", large).ok());
  c.drives[1]->corrupt_reads = true;
  c.drives[2]->corrupt_reads = true;
  EXPECT_TRUE(*c.Get("bucket", "large") == large);
}

TEST(Faults, BadDigestLeavesNothing) {
  Cluster c(SixDrives());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  for (std::int64_t size : {std::int64_t{10}, 2 * kMiB + 1}) {
    std::string data = RandomData(static_cast<std::size_t>(size), 10);
    HashExpectations ex;
    ex.content_md5 = std::string(16, 'x');
    EXPECT_EQ(c.Put("bucket", "k", data, {}, ex).code(), Errc::kBadDigest);
    EXPECT_EQ(c.Head("bucket", "k").code(), Errc::kNoSuchKey);
    EXPECT_EQ(c.TmpFiles(), 0u);
    for (std::size_t i = 0; i < c.drives.size(); ++i) {
      EXPECT_TRUE(c.PartFiles(i).empty());
    }
    // A short body fails the same way.
    ex = {};
    ex.size = size + 1;
    EXPECT_EQ(c.Put("bucket", "k", data, {}, ex).code(), Errc::kIncompleteBody);
    EXPECT_EQ(c.Head("bucket", "k").code(), Errc::kNoSuchKey);
    EXPECT_EQ(c.TmpFiles(), 0u);
  }
}

// An overwrite whose commit reaches 3 of 6 drives (write quorum 4, read quorum 4): before
// commits could be reverted, those 3 lost the old object, and the 3 others alone were below
// read quorum, so a failed PUT destroyed an acknowledged object.
void FailCommitsOnHalf(Cluster& c, bool fail) {
  for (std::size_t i : {0, 2, 4}) {
    c.drives[i]->fail_commits = fail;
  }
}

// Every drive holds `etag` as the latest version of bucket/key (nothing left half-done).
void ExpectEveryDriveHolds(Cluster& c, std::string_view key, const std::string& etag) {
  for (std::size_t i = 0; i < c.drives.size(); ++i) {
    auto copy = SyncWait(c.inners[i]->ReadVersion(c.ctx, "bucket", key, "", false));
    ASSERT_TRUE(copy.ok()) << i << " " << copy.status().ToString();
    EXPECT_EQ(copy->Meta("etag"), etag) << "drive " << i;
  }
}

TEST(Faults, FailedOverwriteKeepsThePreviousObject) {
  for (Backend backend : {Backend::kLocal, Backend::kMemory}) {
    for (std::size_t size : {std::size_t{1000}, std::size_t{3 * kMiB + 5}}) {
      Cluster c(SixDrives(), backend);
      ASSERT_TRUE(c.MakeBucket("bucket").ok());
      const std::string v1 = RandomData(size, 1);
      auto put1 = c.Put("bucket", "k", v1);
      ASSERT_TRUE(put1.ok());
      FailCommitsOnHalf(c, true);
      auto put2 = c.Put("bucket", "k", RandomData(size + 7, 2));
      EXPECT_EQ(put2.code(), Errc::kWriteQuorum) << put2.status().ToString();
      for (std::size_t i : {0, 2, 4}) {
        EXPECT_EQ(c.drives[i]->reverts.load(), 0);  // their commits failed: nothing to undo
      }
      int reverted = 0;
      for (std::size_t i : {1, 3, 5}) {
        reverted += c.drives[i]->reverts.load();
      }
      EXPECT_EQ(reverted, 3);
      FailCommitsOnHalf(c, false);
      // Served by every read quorum: no drive kept the failed version.
      auto back = c.Get("bucket", "k");
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_TRUE(*back == v1);
      ExpectEveryDriveHolds(c, "k", put1->etag);
      for (std::size_t i = 0; i < c.drives.size(); ++i) {
        c.drives[i]->offline = true;
        auto degraded = c.Get("bucket", "k");
        c.drives[i]->offline = false;
        ASSERT_TRUE(degraded.ok()) << i;
        EXPECT_TRUE(*degraded == v1) << i;
      }
      if (backend == Backend::kLocal && size > kMiB) {
        // The failed version's shards are gone; the old ones are still there.
        for (std::size_t i = 0; i < c.drives.size(); ++i) {
          EXPECT_EQ(c.PartFiles(i).size(), 1u) << i;
        }
        EXPECT_EQ(c.TmpFiles(), 0u);
      }
    }
  }
}

TEST(Faults, FailedOverwriteOfANewKeyLeavesNothing) {
  Cluster c(SixDrives());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  FailCommitsOnHalf(c, true);
  EXPECT_EQ(c.Put("bucket", "new", RandomData(2 * kMiB, 3)).code(), Errc::kWriteQuorum);
  FailCommitsOnHalf(c, false);
  EXPECT_EQ(c.Head("bucket", "new").code(), Errc::kNoSuchKey);
  for (std::size_t i = 0; i < c.drives.size(); ++i) {
    EXPECT_EQ(SyncWait(c.inners[i]->ReadVersion(c.ctx, "bucket", "new", "", false)).code(),
              Errc::kFileNotFound);
    EXPECT_TRUE(c.PartFiles(i).empty()) << i;
  }
}

TEST(Faults, FailedCompleteMultipartKeepsThePreviousObject) {
  ServerPoolsOptions opts;
  opts.min_part_size = kMiB;
  Cluster c(SixDrives(), Backend::kLocal, opts);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  const std::string v1 = RandomData(2 * kMiB, 4);
  auto put1 = c.Put("bucket", "k", v1);
  ASSERT_TRUE(put1.ok());
  auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "k", {}));
  ASSERT_TRUE(id.ok());
  std::vector<CompletePart> parts;
  for (int n = 1; n <= 2; ++n) {
    StringSource src(RandomData(kMiB + static_cast<std::size_t>(n), 10 + n));
    HashReader body(src, {});
    auto part = SyncWait(c.layer->PutObjectPart(c.ctx, "bucket", "k", *id, n, body));
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    parts.push_back({n, part->etag, {}});
  }
  FailCommitsOnHalf(c, true);
  auto done = SyncWait(c.layer->CompleteMultipartUpload(c.ctx, "bucket", "k", *id, parts, {}));
  EXPECT_EQ(done.code(), Errc::kWriteQuorum) << done.status().ToString();
  FailCommitsOnHalf(c, false);
  auto back = c.Get("bucket", "k");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == v1);
  ExpectEveryDriveHolds(c, "k", put1->etag);
}

TEST(Faults, SuccessfulOverwriteRemovesTheReplacedShards) {
  Cluster c(SixDrives());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "k", RandomData(2 * kMiB, 5)).ok());
  const std::string v2 = RandomData(2 * kMiB, 6);
  ASSERT_TRUE(c.Put("bucket", "k", v2).ok());
  for (std::size_t i = 0; i < c.drives.size(); ++i) {
    EXPECT_EQ(c.PartFiles(i).size(), 1u) << i;  // only v2's shard: v1's was purged
  }
  // Overwritten by a small (inline) object: the folder goes too.
  ASSERT_TRUE(c.Put("bucket", "k", "small").ok());
  for (std::size_t i = 0; i < c.drives.size(); ++i) {
    EXPECT_TRUE(c.PartFiles(i).empty()) << i;
  }
  EXPECT_TRUE(*c.Get("bucket", "k") == "small");
}

}  // namespace fault_test_internal
}  // namespace cairn::object::test
