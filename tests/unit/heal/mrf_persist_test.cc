// The MRF queue survives a restart: its record encoding, the save when the heal worker stops,
// and the load (a union of every drive's record) when a new healer starts.
#include <chrono>

#include <gtest/gtest.h>

#include "heal/mrf_queue.h"
#include "heal_fixture.h"

namespace cairn::heal::test {
namespace mrf_persist_test_internal {

constexpr std::string_view kRecord = "mrf/local";

HealerOptions PersistOptions() {
  HealerOptions o = WorkingHealer();
  o.mrf.save_interval = std::chrono::milliseconds(50);
  return o;
}

Result<std::vector<MrfRecordEntry>> SavedOn(Cluster& c, std::size_t drive) {
  auto bytes = SyncWait(c.inners[drive]->ReadSystemRecord(c.ctx, kRecord));
  if (!bytes.ok()) {
    return bytes.status();
  }
  return DecodeMrfRecord(*bytes);
}

TEST(MrfRecord, RoundTripBoundAndCorruption) {
  std::vector<MrfRecordEntry> entries = {
      {"b", "k", "", false}, {"b", std::string("bin\0\xff", 5), "v1", true}, {"c", "", "", false}};
  auto back = DecodeMrfRecord(EncodeMrfRecord(entries, 1 << 20));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, entries);
  EXPECT_TRUE(DecodeMrfRecord(EncodeMrfRecord({}, 1 << 20))->empty());

  // Bounded: entries past max_bytes are left out and counted.
  std::vector<MrfRecordEntry> many(1000, {"bucket", std::string(100, 'k'), "", false});
  std::size_t left_out = 0;
  std::string small = EncodeMrfRecord(many, 10000, &left_out);
  EXPECT_LE(small.size(), 10000u);
  auto kept = DecodeMrfRecord(small);
  ASSERT_TRUE(kept.ok());
  EXPECT_GT(kept->size(), 50u);
  EXPECT_EQ(kept->size() + left_out, many.size());

  std::string bytes = EncodeMrfRecord(entries, 1 << 20);
  bytes[7] ^= 1;
  EXPECT_EQ(DecodeMrfRecord(bytes).code(), Errc::kFileCorrupt);
  EXPECT_EQ(DecodeMrfRecord("").code(), Errc::kFileCorrupt);
  EXPECT_EQ(DecodeMrfRecord(bytes.substr(0, 9)).code(), Errc::kFileCorrupt);
}

TEST(MrfRecord, GenerationChangesWithTheQueuedObjectsOnly) {
  MrfQueue q(10);
  const std::uint64_t g0 = q.generation();
  EXPECT_TRUE(q.Push(nullptr, "b", "k", "", false));
  const std::uint64_t g1 = q.generation();
  EXPECT_GT(g1, g0);
  EXPECT_FALSE(q.Push(nullptr, "b", "k", "", false));  // a duplicate
  EXPECT_EQ(q.generation(), g1);
  auto due = q.TakeDue(MrfQueue::Clock::now(), 10);
  ASSERT_EQ(due.size(), 1u);
  q.Requeue(std::move(due[0]));  // taken and put back: no change
  EXPECT_EQ(q.generation(), g1);
  ASSERT_EQ(q.Snapshot().size(), 1u);
  EXPECT_EQ(q.Snapshot()[0].key, "k");
  EXPECT_FALSE(q.Push(nullptr, "b", "k", "", /*deep=*/true));  // deep is added
  EXPECT_GT(q.generation(), g1);
  EXPECT_TRUE(q.Snapshot()[0].deep);
  ASSERT_EQ(q.TakeDue(MrfQueue::Clock::now(), 10).size(), 1u);
  const std::uint64_t g2 = q.generation();
  q.Finish(true);
  EXPECT_GT(q.generation(), g2);
  EXPECT_TRUE(q.Snapshot().empty());
}

// Writes with a drive offline queue their objects; the queue is saved when the layer stops,
// a new layer over the same drives queues them again, and heals them when the drive returns.
TEST(MrfPersist, QueuedEntriesSurviveARestart) {
  HealCluster c(Layout{1, 1, 4, 2}, Backend::kLocal, PersistOptions());
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  c.drives[3]->offline = true;
  const std::string large = RandomData(300 << 10, 5);
  ASSERT_TRUE(c.Put("bucket", "large", large).ok());
  ASSERT_TRUE(c.Put("bucket", "small", "small").ok());
  ASSERT_TRUE(c.Put("bucket", "dir/x", "x").ok());
  ASSERT_TRUE(Eventually([&] { return c.healer->mrf().stats().pushed >= 3; }));
  c.Stop();  // stops the heal worker, which saves the queue

  for (std::size_t i = 0; i < 3; ++i) {
    auto saved = SavedOn(c, i);
    ASSERT_TRUE(saved.ok()) << i << ": " << saved.status().ToString();
    EXPECT_EQ(saved->size(), 3u) << i;
  }
  EXPECT_EQ(SavedOn(c, 3).code(), Errc::kFileNotFound);  // it was offline

  c.Restart(PersistOptions());
  EXPECT_TRUE(Eventually([&] { return c.healer->mrf().stats().pushed == 3; }));
  EXPECT_EQ(SyncWait(c.inners[3]->ReadVersion(c.ctx, "bucket", "large", "", false)).code(),
            Errc::kFileNotFound);
  c.drives[3]->offline = false;
  EXPECT_TRUE(Eventually([&] { return c.healer->mrf().stats().healed >= 3; }));
  for (const char* key : {"large", "small", "dir/x"}) {
    EXPECT_TRUE(SyncWait(c.inners[3]->ReadVersion(c.ctx, "bucket", key, "", false)).ok()) << key;
  }
  // The queue drained: its records are removed from every drive.
  EXPECT_TRUE(Eventually([&] {
    for (std::size_t i = 0; i < 4; ++i) {
      if (SavedOn(c, i).code() != Errc::kFileNotFound) {
        return false;
      }
    }
    return true;
  }));
  c.drives[0]->offline = true;
  c.drives[1]->offline = true;
  EXPECT_TRUE(*c.Get("bucket", "large") == large);
}

// The records of several drives are merged: a union, duplicates dropped; a damaged record is
// skipped; records of other nodes are left alone.
TEST(MrfPersist, LoadQueuesTheUnionOfEveryDrivesRecord) {
  HealerOptions opts = PersistOptions();
  opts.mrf_worker = false;
  HealCluster c(Layout{1, 1, 4, 2}, Backend::kMemory, opts);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  const std::vector<MrfRecordEntry> a = {{"bucket", "k1", "", false}, {"bucket", "k2", "", false}};
  const std::vector<MrfRecordEntry> b = {{"bucket", "k2", "", true}, {"bucket", "k3", "v", false}};
  ASSERT_TRUE(
      SyncWait(c.inners[0]->WriteSystemRecord(c.ctx, kRecord, EncodeMrfRecord(a, 4096))).ok());
  ASSERT_TRUE(
      SyncWait(c.inners[1]->WriteSystemRecord(c.ctx, kRecord, EncodeMrfRecord(b, 4096))).ok());
  ASSERT_TRUE(SyncWait(c.inners[2]->WriteSystemRecord(c.ctx, kRecord, "garbage")).ok());
  ASSERT_TRUE(
      SyncWait(c.inners[3]->WriteSystemRecord(c.ctx, "mrf/other:9000", EncodeMrfRecord(a, 4096)))
          .ok());
  c.Stop();

  c.Restart(PersistOptions());
  EXPECT_TRUE(Eventually([&] { return c.healer->mrf().stats().pushed == 3; }));
  // None of the objects exists: each heal finds nothing to do, the queue drains and the
  // records are removed, except the other node's.
  EXPECT_TRUE(Eventually([&] {
    return c.healer->mrf().stats().healed == 3 && SavedOn(c, 0).code() == Errc::kFileNotFound &&
           SavedOn(c, 1).code() == Errc::kFileNotFound &&
           SavedOn(c, 2).code() == Errc::kFileNotFound;
  }));
  EXPECT_EQ(c.healer->mrf().stats().pushed, 3u);
  EXPECT_TRUE(SyncWait(c.inners[3]->ReadSystemRecord(c.ctx, "mrf/other:9000")).ok());
}

}  // namespace mrf_persist_test_internal
}  // namespace cairn::heal::test
