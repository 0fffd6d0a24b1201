// PointCache (LocalDrive's cache of object entries for point reads) and its use by
// LocalDrive: a value read before a write is never cached after it, and reads racing
// writes never go back in time.
#include "storage/local/point_cache.h"

#include <atomic>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "storage/local/local_drive.h"
#include "storage_test_util.h"

namespace cairn::storage::testing {
namespace point_cache_test_internal {

using cairn::testing::SyncWait;
using internal::PointCache;

TEST(PointCache, FindInsertInvalidate) {
  PointCache cache(1 << 20);
  EXPECT_EQ(cache.Find("k"), nullptr);
  cache.Insert("k", "v1", cache.Generation("k"));
  ASSERT_NE(cache.Find("k"), nullptr);
  EXPECT_EQ(*cache.Find("k"), "v1");
  cache.Invalidate("k");
  EXPECT_EQ(cache.Find("k"), nullptr);
  // A value read before an invalidation is refused.
  const auto gen = cache.Generation("k");
  cache.Invalidate("k");
  cache.Insert("k", "stale", gen);
  EXPECT_EQ(cache.Find("k"), nullptr);
  cache.Insert("k", "v2", cache.Generation("k"));
  EXPECT_EQ(*cache.Find("k"), "v2");
  // A held value outlives its eviction.
  auto held = cache.Find("k");
  cache.InvalidateAll();
  EXPECT_EQ(cache.Find("k"), nullptr);
  EXPECT_EQ(*held, "v2");
}

TEST(PointCache, BoundedByBytesLeastRecentlyUsedGoesFirst) {
  PointCache cache(16 * 4096);  // 4 KiB a shard; entries of more than 512 bytes are not kept
  cache.Insert("big", std::string(600, 'x'), cache.Generation("big"));
  EXPECT_EQ(cache.Find("big"), nullptr);
  for (int i = 0; i < 2000; ++i) {
    const std::string key = "key" + std::to_string(i);
    cache.Insert(key, std::string(100, 'v'), cache.Generation(key));
  }
  int kept = 0;
  for (int i = 0; i < 2000; ++i) {
    kept += cache.Find("key" + std::to_string(i)) ? 1 : 0;
  }
  EXPECT_GT(kept, 100);
  EXPECT_LT(kept, 16 * 4096 / 200);
  EXPECT_NE(cache.Find("key1999"), nullptr);  // the newest stay
  PointCache off(0);
  off.Insert("k", "v", off.Generation("k"));
  EXPECT_EQ(off.Find("k"), nullptr);
}

// One thread overwrites an entry (each write acknowledged before the next) while another
// reads it through ReadVersionNow and ReadVersion: every read returns a version at least as
// new as the last acknowledged one when the read began, and never an older one than a
// previous read returned.
TEST(PointCache, LocalDriveReadsNeverGoBackInTime) {
  TempDir dir;
  auto drive = LocalDrive::Open(dir.path() + "/a", LocalDriveOptions{});
  ASSERT_TRUE(drive.ok());
  LocalDrive& d = **drive;
  auto ctx = RequestContext::Background();
  ASSERT_TRUE(SyncWait(d.MakeVolume(ctx, "v", "")).ok());
  ASSERT_TRUE(SyncWait(d.WriteMetadata(ctx, MakeFi("v", "k", "", 1, {}, "1"))).ok());
  std::atomic<std::int64_t> acked{1};
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    std::int64_t last = 0;
    for (int i = 0; !done.load() && i < 200000; ++i) {
      const std::int64_t floor = acked.load();
      std::int64_t seen = 0;
      if (auto now = d.ReadVersionNow(ctx, "v", "k", "", true); now && now->ok()) {
        seen = (*now)->mod_time_ns;
        if ((*now)->inline_data != std::to_string(seen)) {
          ++bad;
        }
      } else {
        auto slow = SyncWait(d.ReadVersion(ctx, "v", "k", "", true));
        seen = slow.ok() ? slow->mod_time_ns : 0;
      }
      if (seen < floor || seen < last) {
        ++bad;
      }
      last = seen;
    }
  });
  for (std::int64_t v = 2; v <= 300; ++v) {
    ASSERT_TRUE(
        SyncWait(d.WriteMetadata(ctx, MakeFi("v", "k", "", v, {}, std::to_string(v)))).ok());
    acked.store(v);
  }
  done.store(true);
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  auto last = d.ReadVersionNow(ctx, "v", "k", "", true);
  ASSERT_TRUE(last && last->ok());
  EXPECT_EQ((*last)->mod_time_ns, 300);
  // A deleted entry is gone from the cache too.
  ASSERT_TRUE(SyncWait(d.DeleteVersion(ctx, MakeFi("v", "k", "", 0))).ok());
  auto gone = SyncWait(d.ReadVersion(ctx, "v", "k", "", false));
  EXPECT_EQ(gone.code(), Errc::kFileNotFound);
}

}  // namespace point_cache_test_internal
}  // namespace cairn::storage::testing
