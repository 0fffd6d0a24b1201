// The MRF queue and its worker: degraded writes and reads queue objects, the worker heals
// them once the drive they wait for is back, a drive back online gets the buckets it missed
// first, and the queue is bounded.
#include <chrono>

#include <gtest/gtest.h>

#include "heal_fixture.h"

namespace cairn::heal::test {
namespace mrf_worker_test_internal {

using object::test::DriveCopy;
using object::test::GetWithout;
using object::test::Wipe;

constexpr std::int64_t kMiB = 1 << 20;

// 4 data + 2 parity: read quorum 4, write quorum 4.
Layout SixDrives() {
  return {.drives = 6, .parity = 2};
}

TEST(MrfWorker, DegradedWriteIsHealedWhenTheDriveComesBack) {
  HealCluster c(SixDrives(), Backend::kMemory, WorkingHealer());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  c.drives[2]->offline = true;
  std::string data = RandomData(2 * kMiB, 1);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  ASSERT_TRUE(c.Put("bucket", "s", "small").ok());
  // The worker tries both while the drive is offline: the entries wait for it.
  EXPECT_TRUE(Eventually([&] { return c.healer->mrf_worker().heals_tried() >= 2; }));
  EXPECT_EQ(DriveCopy(c, 2, "k").code(), Errc::kFileNotFound);
  EXPECT_EQ(c.healer->mrf().stats().healed, 0u);
  c.drives[2]->offline = false;
  EXPECT_TRUE(Eventually([&] { return DriveCopy(c, 2, "k").ok() && DriveCopy(c, 2, "s").ok(); }));
  EXPECT_TRUE(Eventually([&] { return c.healer->mrf().stats().healed >= 2; }));
  EXPECT_TRUE(*GetWithout(c, "k", {0, 1}) == data);
}

TEST(MrfWorker, ReadThatMeetsAMissingShardQueuesTheObject) {
  HealCluster c(SixDrives(), Backend::kMemory, WorkingHealer());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::string data = RandomData(kMiB + 77, 2);
  ASSERT_TRUE(c.Put("bucket", "k", data).ok());
  // Wipe the drive of data shard 1, which every GET reads.
  std::size_t victim = 0;
  auto fi = DriveCopy(c, 0, "k");
  ASSERT_TRUE(fi.ok());
  for (std::size_t i = 0; i < 6; ++i) {
    if (fi->erasure.distribution[i] == 1) {
      victim = i;
    }
  }
  Wipe(c, victim, "k");
  EXPECT_TRUE(*c.Get("bucket", "k") == data);
  EXPECT_TRUE(Eventually([&] { return DriveCopy(c, victim, "k").ok(); }));
}

TEST(MrfWorker, DriveBackOnlineGetsTheBucketsItMissed) {
  HealCluster c(SixDrives(), Backend::kMemory, WorkingHealer());
  c.drives[4]->offline = true;
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  // Offline across two of the worker's drive polls, so that it saw the drive go.
  const std::uint64_t polls = c.healer->mrf_worker().drive_polls();
  EXPECT_TRUE(Eventually([&] { return c.healer->mrf_worker().drive_polls() >= polls + 2; }));
  EXPECT_EQ(SyncWait(c.inners[4]->StatVolume(c.ctx, "bucket")).code(), Errc::kVolumeNotFound);
  c.drives[4]->offline = false;
  EXPECT_TRUE(Eventually([&] { return SyncWait(c.inners[4]->StatVolume(c.ctx, "bucket")).ok(); }));
}

TEST(MrfQueue, FullQueueDropsAndCounts) {
  MrfQueue q(2);
  EXPECT_TRUE(q.Push(nullptr, "b", "k1", "", false));
  EXPECT_FALSE(q.Push(nullptr, "b", "k1", "", false));  // already queued
  EXPECT_TRUE(q.Push(nullptr, "b", "k2", "", false));
  EXPECT_FALSE(q.Push(nullptr, "b", "k3", "", false));
  EXPECT_EQ(q.stats().dropped, 1u);
  auto due = q.TakeDue(MrfQueue::Clock::now(), 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].key, "k1");
  due[0].due = MrfQueue::Clock::now() + std::chrono::hours(1);
  due[0].waits_for_drive = true;
  q.Requeue(due[0]);
  EXPECT_TRUE(q.TakeDue(MrfQueue::Clock::now(), 10).empty());
  q.WakeWaiting();
  EXPECT_EQ(q.TakeDue(MrfQueue::Clock::now(), 10).size(), 1u);
}

}  // namespace mrf_worker_test_internal
}  // namespace cairn::heal::test
