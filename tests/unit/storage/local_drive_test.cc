// LocalDrive specifics that the conformance suite cannot see: the on-disk layout, the cost
// of listing, and a block cache shared between drives.
#include "storage/local/local_drive.h"

#include <errno.h>
#include <stdio.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/fan_out.h"
#include "meta/encoding.h"
#include "storage/local/fs_util.h"
#include "storage/local/namespace_store.h"
#include "storage_test_util.h"
#include "testing/eventually.h"

namespace cairn::storage::testing {
namespace local_drive_test_internal {

using cairn::testing::SyncWait;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

TEST(LocalDrive, OnDiskLayout) {
  TempDir dir;
  std::string root = dir.path() + "/drive1";  // created by Open
  auto drive = LocalDrive::Open(root + "/", LocalDriveOptions{});
  ASSERT_TRUE(drive.ok()) << drive.status().ToString();
  auto ctx = RequestContext::Background();
  EXPECT_EQ((*drive)->endpoint(), root);
  EXPECT_TRUE(Exists(root + "/.cairn.sys/meta/CURRENT"));
  EXPECT_TRUE(Exists(root + "/.cairn.sys/tmp"));
  EXPECT_TRUE(Exists(root + "/data"));

  ASSERT_TRUE(SyncWait((*drive)->WriteFormat(ctx, R"({"this":"x"})")).ok());
  EXPECT_TRUE(Exists(root + "/.cairn.sys/format.json"));
  EXPECT_EQ(SyncWait((*drive)->WriteFormat(ctx, "{not json")).code(), Errc::kInvalidArgument);

  ASSERT_TRUE(SyncWait((*drive)->MakeVolume(ctx, "b", "")).ok());
  ASSERT_TRUE(StageFile(**drive, "stage/part.1", "abc").ok());
  EXPECT_TRUE(Exists(root + "/.cairn.sys/tmp/stage/part.1"));
  auto fi = MakeFi("b", "k", "", 1, "AB12cdef-0000");
  ASSERT_TRUE(SyncWait((*drive)->RenameData(ctx, fi, "stage")).ok());
  EXPECT_TRUE(Exists(root + "/data/ab/AB12cdef-0000/part.1"));
  EXPECT_FALSE(Exists(root + "/.cairn.sys/tmp/stage"));
}

// Two drives' options sharing one cache budget, without syncs.
LocalDriveOptions SharedUnsyncedOptions(std::size_t budget) {
  LocalDriveOptions options;
  options.cache = CacheBudget::Create(budget, 2);
  options.sync_writes = false;
  options.fsync_files = false;
  options.worker_threads = 1;
  return options;
}

TEST(LocalDrive, SharedCacheBudgetAndUnsyncedOptions) {
  TempDir dir;
  LocalDriveOptions options = SharedUnsyncedOptions(4 << 20);
  auto a = LocalDrive::Open(dir.path() + "/a", options);
  auto b = LocalDrive::Open(dir.path() + "/b", options);
  ASSERT_TRUE(a.ok() && b.ok());
  auto ctx = RequestContext::Background();
  for (auto* drive : {a->get(), b->get()}) {
    ASSERT_TRUE(SyncWait(drive->MakeVolume(ctx, "v", "")).ok());
    ASSERT_TRUE(SyncWait(drive->WriteMetadata(ctx, MakeFi("v", "k", "", 1, {}, "d"))).ok());
    EXPECT_EQ(SyncWait(drive->ReadVersion(ctx, "v", "k", "", true))->inline_data, "d");
  }
  // The same directory cannot be opened twice at once.
  EXPECT_FALSE(LocalDrive::Open(dir.path() + "/a", options).ok());
}

// The memtables of all drives sharing a budget stay within it: 24 MiB of entries written to
// two drives (each family's own write buffer is 64 MiB) under an 8 MiB budget.
TEST(LocalDrive, CacheBudgetBoundsMemtablesOfEveryDrive) {
  TempDir dir;
  LocalDriveOptions options = SharedUnsyncedOptions(8 << 20);
  EXPECT_EQ(options.cache->point_cache_bytes(), std::size_t{512} << 10);
  auto a = LocalDrive::Open(dir.path() + "/a", options);
  auto b = LocalDrive::Open(dir.path() + "/b", options);
  ASSERT_TRUE(a.ok() && b.ok());
  auto ctx = RequestContext::Background();
  std::string data(4096, 'x');
  std::size_t peak = 0;
  for (auto* drive : {a->get(), b->get()}) {
    ASSERT_TRUE(SyncWait(drive->MakeVolume(ctx, "v", "")).ok());
    for (int i = 0; i < 3000; ++i) {
      auto fi = MakeFi("v", "k" + std::to_string(i), "", 1, {}, data);
      ASSERT_TRUE(SyncWait(drive->WriteMetadata(ctx, fi)).ok());
      peak = std::max(peak, options.cache->memtable_usage());
    }
  }
  EXPECT_GT(peak, std::size_t{1} << 20);
  // Settled, the memtables hold at most half the budget plus the ones being filled: well
  // under the 24 MiB written, which each drive's own 64 MiB write buffers would keep. Writes
  // are not stalled, so a burst faster than the flushes (a loaded machine) passes the budget
  // for a while; and the budget acts on writes (a write over it flushes its own drive's
  // memtables, freed once the threads holding RocksDB's view of them read again), so a drive
  // no longer written would keep its memtable. A server's drives keep serving, and so does
  // each drive here while the test waits: a read of an absent key (which reaches RocksDB,
  // not the point cache) and a small write.
  EXPECT_TRUE(cairn::testing::Eventually([&] {
    for (auto* drive : {a->get(), b->get()}) {
      (void)SyncWait(drive->ReadVersion(ctx, "v", "absent", "", false));
      (void)SyncWait(drive->WriteMetadata(ctx, MakeFi("v", "tick", "", 1, {}, "t")));
    }
    return options.cache->memtable_usage() <= (std::size_t{8} << 20);
  })) << options.cache->memtable_usage();
  EXPECT_LE(options.cache->memtable_usage(), options.cache->block_cache_usage());
  EXPECT_EQ(SyncWait((*a)->ReadVersion(ctx, "v", "k7", "", true))->inline_data, data);
}

// ReadVersionNow answers from memory what ReadVersion answers, and nothing it would need I/O
// for: a fresh write is in the memtable; a bad name fails at once; a drive reopened with
// its entries only on disk either answers the same or defers to ReadVersion.
TEST(LocalDrive, ReadVersionNowMatchesReadVersion) {
  TempDir dir;
  auto ctx = RequestContext::Background();
  {
    auto drive = LocalDrive::Open(dir.path() + "/a", LocalDriveOptions{});
    ASSERT_TRUE(drive.ok());
    ASSERT_TRUE(SyncWait((*drive)->MakeVolume(ctx, "v", "")).ok());
    ASSERT_TRUE(SyncWait((*drive)->WriteMetadata(ctx, MakeFi("v", "k", "", 1, {}, "data"))).ok());
    auto now = (*drive)->ReadVersionNow(ctx, "v", "k", "", true);
    ASSERT_TRUE(now.has_value());
    ASSERT_TRUE(now->ok()) << now->status().ToString();
    EXPECT_EQ((*now)->inline_data, "data");
    EXPECT_EQ((*now)->name, "k");
    EXPECT_EQ((*now)->volume, "v");
    auto slow = SyncWait((*drive)->ReadVersion(ctx, "v", "k", "", true));
    ASSERT_TRUE(slow.ok());
    EXPECT_EQ(slow->mod_time_ns, (*now)->mod_time_ns);
    auto bad = (*drive)->ReadVersionNow(ctx, "v", std::string("a\0b", 3), "", false);
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->code(), Errc::kInvalidArgument);
    auto novol = (*drive)->ReadVersionNow(ctx, "nov", "k", "", false);
    ASSERT_TRUE(novol.has_value());
    EXPECT_EQ(novol->code(), Errc::kVolumeNotFound);
  }
  auto drive = LocalDrive::Open(dir.path() + "/a", LocalDriveOptions{});
  ASSERT_TRUE(drive.ok());
  for (const char* key : {"k", "missing"}) {
    auto now = (*drive)->ReadVersionNow(ctx, "v", key, "", true);
    auto slow = SyncWait((*drive)->ReadVersion(ctx, "v", key, "", true));
    if (now) {
      EXPECT_EQ(now->code(), slow.code()) << key;
      if (now->ok()) {
        EXPECT_EQ((*now)->inline_data, slow->inline_data);
      }
    }
  }
}

// Concurrent WriteMetadata calls are group committed (one WriteBatch per drain of the queue):
// every write still gets its own result, a bad one fails alone, and several writes of one
// entry in a batch all land, in order.
TEST(LocalDrive, GroupCommitKeepsEachWritesOwnResult) {
  TempDir dir;
  auto drive = LocalDrive::Open(dir.path(), LocalDriveOptions{});
  ASSERT_TRUE(drive.ok());
  auto ctx = RequestContext::Background();
  ASSERT_TRUE(SyncWait((*drive)->MakeVolume(ctx, "b", "")).ok());
  constexpr int kWrites = 64;
  auto results = SyncWait(FanOut<Status>(kWrites, [&](std::size_t i) -> Task<Status> {
    const int n = static_cast<int>(i);
    meta::FileInfo fi;
    switch (n % 4) {
      case 0:
        fi = MakeFi("nope", "k" + std::to_string(n), "", 1, {}, "x");
        break;
      case 1:
        fi = MakeFi("b", "hot", "v" + std::to_string(n), 1000 + n, {}, "h" + std::to_string(n));
        break;
      case 2:
        fi = MakeFi("b", std::string("bad\0key", 7), "", 1, {}, "x");
        break;
      default:
        fi = MakeFi("b", "k" + std::to_string(n), "", 1, {}, "d" + std::to_string(n));
    }
    co_return (co_await (*drive)->WriteMetadata(ctx, fi)).status();
  }));
  for (int n = 0; n < kWrites; ++n) {
    const Errc want = n % 4 == 0   ? Errc::kVolumeNotFound
                      : n % 4 == 2 ? Errc::kInvalidArgument
                                   : Errc::kOk;
    EXPECT_EQ(results[static_cast<std::size_t>(n)].code(), want) << n;
    if (n % 4 == 3) {
      auto fi = SyncWait((*drive)->ReadVersion(ctx, "b", "k" + std::to_string(n), "", true));
      ASSERT_TRUE(fi.ok()) << n;
      EXPECT_EQ(fi->inline_data, "d" + std::to_string(n));
    }
  }
  auto hot = SyncWait((*drive)->ReadVersions(ctx, "b", "hot"));
  ASSERT_TRUE(hot.ok());
  ASSERT_EQ(hot->size(), static_cast<std::size_t>(kWrites / 4));
  EXPECT_EQ((*hot)[0].version_id, "v" + std::to_string(kWrites - 3));
  // Reopened, every acknowledged write is there (they went through the synced WAL).
  drive->reset();
  auto again = LocalDrive::Open(dir.path(), LocalDriveOptions{});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(SyncWait((*again)->ReadVersions(ctx, "b", "hot"))->size(),
            static_cast<std::size_t>(kWrites / 4));
}

// A corrupt entry (bitrot in the namespace store) is reported, skipped by listing and
// replaced by the next write; it never crashes the drive.
TEST(LocalDrive, CorruptEntries) {
  TempDir dir;
  auto ctx = RequestContext::Background();
  {
    auto drive = LocalDrive::Open(dir.path(), LocalDriveOptions{});
    ASSERT_TRUE(drive.ok());
    ASSERT_TRUE(SyncWait((*drive)->MakeVolume(ctx, "b", "")).ok());
    for (const char* k : {"a", "bad", "c"}) {
      ASSERT_TRUE(SyncWait((*drive)->WriteMetadata(ctx, MakeFi("b", k, "", 1, {}, "x"))).ok());
    }
  }
  {
    auto store = NamespaceStore::Open(dir.path() + "/.cairn.sys/meta", NamespaceOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Put(Cf::kObjects, keys::Object("b", "bad"), "garbage").ok());
  }
  auto drive = LocalDrive::Open(dir.path(), LocalDriveOptions{});
  ASSERT_TRUE(drive.ok());
  EXPECT_EQ(SyncWait((*drive)->ReadVersion(ctx, "b", "bad", "", false)).code(), Errc::kFileCorrupt);
  EXPECT_EQ(SyncWait((*drive)->ReadVersions(ctx, "b", "bad")).code(), Errc::kFileCorrupt);
  auto listed = SyncWait((*drive)->ListObjects(ctx, "b", ListOptions{}));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].name, "c");
  ASSERT_TRUE(SyncWait((*drive)->WriteMetadata(ctx, MakeFi("b", "bad", "v2", 5, {}, "new"))).ok());
  auto healed = SyncWait((*drive)->ReadVersions(ctx, "b", "bad"));
  ASSERT_TRUE(healed.ok());
  ASSERT_EQ(healed->size(), 1u);
  EXPECT_EQ((*healed)[0].version_id, "v2");
}

// Noncurrent versions are records of their own: the entry holds the latest alone (so a write
// to a key with many versions rewrites none of them), each version is found by id without a
// scan, and removing the latest makes the next newest the latest.
TEST(LocalDrive, VersionsAreRecordsFoundById) {
  TempDir dir;
  auto ctx = RequestContext::Background();
  constexpr int kVersions = 2000;
  std::vector<std::string> ids;
  {
    auto drive = LocalDrive::Open(dir.path(), LocalDriveOptions{});
    ASSERT_TRUE(drive.ok());
    ASSERT_TRUE(SyncWait((*drive)->MakeVolume(ctx, "b", "")).ok());
    // The null version first, then versions with ids.
    ASSERT_TRUE(
        SyncWait((*drive)->WriteMetadata(ctx, MakeFi("b", "k", "", 1000, {}, "null"))).ok());
    for (int i = 1; i < kVersions; ++i) {
      const std::int64_t t = 1000 + i;
      ids.push_back(meta::NewVersionId(t, static_cast<std::uint64_t>(i) * 7919));
      auto undo = SyncWait((*drive)->WriteMetadata(
          ctx, MakeFi("b", "k", ids.back(), t, {}, "v" + std::to_string(i))));
      ASSERT_TRUE(undo.ok());
      // The commit names the record it made of the version it replaced as the latest.
      ASSERT_EQ(undo->previous_records.size(), i == 1 ? 2u : 1u);
    }
    auto latest = SyncWait((*drive)->ReadVersion(ctx, "b", "k", "", true));
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ(latest->version_id, ids.back());
    EXPECT_EQ(latest->num_versions, static_cast<std::uint32_t>(kVersions));
    auto old = SyncWait((*drive)->ReadVersion(ctx, "b", "k", ids[10], true));
    ASSERT_TRUE(old.ok());
    EXPECT_EQ(old->inline_data, "v11");
    EXPECT_FALSE(old->is_latest);
    auto null = SyncWait((*drive)->ReadVersion(ctx, "b", "k", "null", true));
    ASSERT_TRUE(null.ok());
    EXPECT_EQ(null->inline_data, "null");
    EXPECT_EQ(
        SyncWait((*drive)->ReadVersion(ctx, "b", "k", meta::NewVersionId(5, 5), false)).code(),
        Errc::kFileVersionNotFound);
    auto all = SyncWait((*drive)->ReadVersions(ctx, "b", "k"));
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), static_cast<std::size_t>(kVersions));
    EXPECT_EQ(all->front().version_id, ids.back());
    EXPECT_EQ(all->back().version_id, "");

    // Removing the latest promotes the newest record; removing a record leaves the latest.
    meta::FileInfo gone = MakeFi("b", "k", ids.back(), 0);
    ASSERT_TRUE(SyncWait((*drive)->DeleteVersion(ctx, gone)).ok());
    latest = SyncWait((*drive)->ReadVersion(ctx, "b", "k", "", true));
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ(latest->version_id, ids[ids.size() - 2]);
    EXPECT_EQ(latest->inline_data, "v" + std::to_string(kVersions - 2));
    ASSERT_TRUE(SyncWait((*drive)->DeleteVersion(ctx, MakeFi("b", "k", "null", 0))).ok());
    EXPECT_EQ(SyncWait((*drive)->ReadVersion(ctx, "b", "k", "", false))->num_versions,
              static_cast<std::uint32_t>(kVersions - 2));
    EXPECT_EQ(SyncWait((*drive)->ReadVersion(ctx, "b", "k", "null", false)).code(),
              Errc::kFileVersionNotFound);

    // A write of the null version (a suspended bucket) that misses its quorum is reverted:
    // the latest and its record come back as they were.
    meta::FileInfo null_again = MakeFi("b", "k", "", 9'000'000, {}, "null2");
    auto undo = SyncWait((*drive)->WriteMetadata(ctx, null_again));
    ASSERT_TRUE(undo.ok());
    EXPECT_EQ(SyncWait((*drive)->ReadVersion(ctx, "b", "k", "", true))->inline_data, "null2");
    ASSERT_TRUE(SyncWait((*drive)->RevertCommit(ctx, null_again, *undo)).ok());
    latest = SyncWait((*drive)->ReadVersion(ctx, "b", "k", "", true));
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ(latest->version_id, ids[ids.size() - 2]);
    EXPECT_EQ(SyncWait((*drive)->ReadVersions(ctx, "b", "k"))->size(),
              static_cast<std::size_t>(kVersions - 2));
  }
  // On disk: the entry is one version, whatever the history.
  auto store = NamespaceStore::Open(dir.path() + "/.cairn.sys/meta", NamespaceOptions{});
  ASSERT_TRUE(store.ok());
  rocksdb::PinnableSlice entry;
  ASSERT_TRUE(*(*store)->Get(Cf::kObjects, keys::Object("b", "k"), entry));
  EXPECT_LT(entry.size(), 512u);
  auto versions = meta::DecodeVersions(ToView(entry), false);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 1u);
}

// An entry written before versioning kept every version in it: it reads as it is, and its
// next write splits it into the latest and records.
TEST(LocalDrive, EntriesWithEveryVersionReadAndSplit) {
  TempDir dir;
  auto ctx = RequestContext::Background();
  {
    auto drive = LocalDrive::Open(dir.path(), LocalDriveOptions{});
    ASSERT_TRUE(drive.ok());
    ASSERT_TRUE(SyncWait((*drive)->MakeVolume(ctx, "b", "")).ok());
  }
  {
    auto store = NamespaceStore::Open(dir.path() + "/.cairn.sys/meta", NamespaceOptions{});
    ASSERT_TRUE(store.ok());
    std::vector<meta::FileInfo> old = {MakeFi("b", "k", "c", 30, {}, "C"),
                                       MakeFi("b", "k", "b", 20, {}, "B"),
                                       MakeFi("b", "k", "", 10, {}, "A")};
    const std::string bytes = meta::EncodeVersions(old);
    ASSERT_EQ(bytes[4], 1);  // format 1
    ASSERT_TRUE((*store)->Put(Cf::kObjects, keys::Object("b", "k"), bytes).ok());
  }
  auto drive = LocalDrive::Open(dir.path(), LocalDriveOptions{});
  ASSERT_TRUE(drive.ok());
  EXPECT_EQ(SyncWait((*drive)->ReadVersion(ctx, "b", "k", "b", true))->inline_data, "B");
  EXPECT_EQ(SyncWait((*drive)->ReadVersions(ctx, "b", "k"))->size(), 3u);
  ASSERT_TRUE(SyncWait((*drive)->WriteMetadata(ctx, MakeFi("b", "k", "d", 40, {}, "D"))).ok());
  auto all = SyncWait((*drive)->ReadVersions(ctx, "b", "k"));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].version_id, "d");
  EXPECT_EQ((*all)[1].version_id, "c");
  EXPECT_EQ((*all)[3].version_id, "");
  EXPECT_EQ(SyncWait((*drive)->ReadVersion(ctx, "b", "k", "b", true))->inline_data, "B");
  EXPECT_EQ(SyncWait((*drive)->ReadVersion(ctx, "b", "k", "null", true))->inline_data, "A");
}

// Listing cost grows with the page, not with the bucket: with a delimiter that folds
// 100,000 keys into a few prefixes, each page is a handful of iterator steps.
TEST(LocalDrive, ListingCostGrowsWithThePageNotTheBucket) {
  TempDir dir;
  LocalDriveOptions options;
  options.sync_writes = false;
  auto opened = LocalDrive::Open(dir.path(), options);
  ASSERT_TRUE(opened.ok());
  LocalDrive& drive = **opened;
  auto ctx = RequestContext::Background();
  ASSERT_TRUE(SyncWait(drive.MakeVolume(ctx, "big", "")).ok());
  constexpr int kKeys = 100000;
  // Writes in concurrent batches, so the worker pool is busy and the hops overlap.
  constexpr int kBatch = 250;
  auto fill = [&]() -> Task<Status> {
    for (int start = 0; start < kKeys; start += kBatch) {
      auto results = co_await FanOut<Status>(kBatch, [&](std::size_t j) -> Task<Status> {
        int i = start + static_cast<int>(j);
        char key[32];
        // Four top-level "folders" of 25,000 keys each.
        std::snprintf(key, sizeof(key), "%c/%06d", 'a' + i % 4, i);
        co_return (co_await drive.WriteMetadata(ctx, MakeFi("big", key, "", 1, {}, "x"))).status();
      });
      for (auto& st : results) {
        if (!st.ok()) {
          co_return st;
        }
      }
    }
    co_return Status::Ok();
  };
  ASSERT_TRUE(SyncWait(fill()).ok());

  ListOptions opts;
  opts.delimiter = "/";
  opts.limit = 1;
  auto before = drive.IteratorStepsForTest();
  auto page1 = SyncWait(drive.ListObjects(ctx, "big", opts));
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->size(), 1u);
  EXPECT_EQ((*page1)[0].name, "a/");
  opts.start_after = "a/";
  auto page2 = SyncWait(drive.ListObjects(ctx, "big", opts));
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].name, "b/");
  EXPECT_LE(drive.IteratorStepsForTest() - before, 8u);

  opts.limit = 1000;
  opts.start_after = "";
  before = drive.IteratorStepsForTest();
  auto all = SyncWait(drive.ListObjects(ctx, "big", opts));
  ASSERT_EQ(all->size(), 4u);
  EXPECT_LE(drive.IteratorStepsForTest() - before, 10u);

  // A recursive page from the middle reads about `limit` entries.
  ListOptions flat;
  flat.prefix = "c/";
  flat.start_after = "c/050002";
  flat.limit = 10;
  before = drive.IteratorStepsForTest();
  auto page = SyncWait(drive.ListObjects(ctx, "big", flat));
  ASSERT_EQ(page->size(), 10u);
  EXPECT_EQ((*page)[0].name, "c/050006");
  EXPECT_LE(drive.IteratorStepsForTest() - before, 12u);
}

// With room for two ids per pass, a step takes several metadata scans over ever smaller
// fan-out ranges; each referenced data dir survives and each orphan goes, in whichever pass.
TEST(LocalDrive, RemoveOrphanDataInBoundedPasses) {
  TempDir dir;
  LocalDriveOptions options;
  options.orphan_ids_per_pass = 2;
  auto opened = LocalDrive::Open(dir.path(), options);
  ASSERT_TRUE(opened.ok());
  LocalDrive& drive = **opened;
  auto ctx = RequestContext::Background("orphans");
  ASSERT_TRUE(SyncWait(drive.MakeVolume(ctx, "b", "")).ok());
  std::vector<std::string> kept;
  std::vector<std::string> orphans;
  for (int i = 0; i < 12; ++i) {
    // Fan-outs spread over the whole range: 0x00, 0x15, ..., 0xe7.
    char prefix[3];
    std::snprintf(prefix, sizeof(prefix), "%02x", i * 21);
    const std::string id =
        std::string(prefix) + "aa0000-1111-4222-8333-44445555666" + static_cast<char>('0' + i % 10);
    if (i % 3 == 0) {
      orphans.push_back(id);
      const std::string path = dir.path() + "/data/" + prefix + "/" + id;
      ASSERT_EQ(::mkdir((dir.path() + "/data/" + prefix).c_str(), 0755) == 0 || errno == EEXIST,
                true);
      ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
      continue;
    }
    const std::string tmp = "t" + std::to_string(i);
    ASSERT_TRUE(StageFile(drive, tmp + "/part.1", "shard").ok());
    auto fi = MakeFi("b", "k" + std::to_string(i), "", 7, id);
    ASSERT_TRUE(SyncWait(drive.RenameData(ctx, fi, tmp)).ok());
    kept.push_back(id);
  }
  OrphanCleanupOptions opts;
  opts.min_age = std::chrono::seconds(0);
  auto r = SyncWait(drive.RemoveOrphanData(ctx, opts));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(drive.OrphanPassesForTest(), 4u);  // 8 referenced ids, 2 per pass
  EXPECT_EQ(r->data_dirs, orphans.size());
  EXPECT_EQ(r->next_fan_out, kDataFanOuts);
  for (const auto& id : kept) {
    EXPECT_EQ(*ReadShard(drive, id, 1), "shard") << id;
  }
  for (const auto& id : orphans) {
    EXPECT_FALSE(Exists(dir.path() + "/data/" + id.substr(0, 2) + "/" + id)) << id;
  }
  // Steps with a tiny time budget each advance; resuming from each covers the rest.
  opts.time_budget = std::chrono::milliseconds(1);
  for (opts.first_fan_out = 0; opts.first_fan_out < kDataFanOuts;) {
    auto step = SyncWait(drive.RemoveOrphanData(ctx, opts));
    ASSERT_TRUE(step.ok());
    ASSERT_GT(step->next_fan_out, opts.first_fan_out);
    opts.first_fan_out = step->next_fan_out;
  }
  for (const auto& id : kept) {
    EXPECT_TRUE(ReadShard(drive, id, 1).ok()) << id;
  }
}

// The time budget holds inside a pass: one pass covers every fan-out here (the referenced ids
// fit), yet a step with a 1 ms budget stops after the fan-out during which it ran out, long
// before removing 256 folders of files, and the next steps finish the drive.
TEST(LocalDrive, RemoveOrphanDataStopsWithinAPassAtItsBudget) {
  TempDir dir;
  auto opened = LocalDrive::Open(dir.path(), LocalDriveOptions{});
  ASSERT_TRUE(opened.ok());
  LocalDrive& drive = **opened;
  auto ctx = RequestContext::Background("orphans");
  for (int i = 0; i < kDataFanOuts; ++i) {
    char id[40];
    std::snprintf(id, sizeof(id), "%02x000000-1111-4222-8333-444455556666", i);
    const std::string path = dir.path() + "/data/" + std::string(id, 2) + "/" + id;
    std::filesystem::create_directories(path);
    for (int f = 1; f <= 8; ++f) {
      std::ofstream(path + "/part." + std::to_string(f)) << "orphan";
    }
  }
  OrphanCleanupOptions opts;
  opts.min_age = std::chrono::seconds(0);
  opts.time_budget = std::chrono::milliseconds(1);
  auto first = SyncWait(drive.RemoveOrphanData(ctx, opts));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(drive.OrphanPassesForTest(), 1u);
  EXPECT_GE(first->next_fan_out, 1);
  EXPECT_LT(first->next_fan_out, kDataFanOuts);
  std::uint64_t removed = first->data_dirs;
  for (opts.first_fan_out = first->next_fan_out; opts.first_fan_out < kDataFanOuts;) {
    auto step = SyncWait(drive.RemoveOrphanData(ctx, opts));
    ASSERT_TRUE(step.ok());
    ASSERT_GT(step->next_fan_out, opts.first_fan_out);
    removed += step->data_dirs;
    opts.first_fan_out = step->next_fan_out;
  }
  EXPECT_EQ(removed, static_cast<std::uint64_t>(kDataFanOuts));
}

TEST(ErrnoStatus, OutOfDescriptorsIsAnOverloadNotAFaultyDrive) {
  // EMFILE from a shard or RocksDB open must never take a drive out of service.
  for (int err : {EMFILE, ENFILE, ENOMEM}) {
    EXPECT_EQ(ErrnoStatus(err, "open", "/d/x").code(), Errc::kSlowDown) << err;
  }
  EXPECT_EQ(ErrnoStatus(EIO, "read", "/d/x").code(), Errc::kFaultyDisk);
  EXPECT_EQ(ErrnoStatus(ENOSPC, "write", "/d/x").code(), Errc::kDiskFull);
}

}  // namespace local_drive_test_internal
}  // namespace cairn::storage::testing
