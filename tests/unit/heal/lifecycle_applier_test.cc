// LifecycleApplier over a real object layer (memory drives): what each rule removes, what it
// keeps (not yet due, another prefix, object lock), and the per-cycle budget.
#include "heal/lifecycle_applier.h"

#include <limits>

#include <gtest/gtest.h>

#include "object/object_util.h"
#include "unit/object/object_fixture.h"

namespace cairn::heal {
namespace {

namespace lc = object::lifecycle;
using object::test::Backend;
using object::test::Cluster;
using object::test::Layout;
using testing::SyncWait;

constexpr std::int64_t kSecond = 1000000000;

// A cluster with bucket "bkt" whose lifecycle document is `config` (the parser ignores the
// text), and an applier with one-second days and no pauses.
class LifecycleTest : public ::testing::Test {
 protected:
  LifecycleTest() : c_(Layout{}, Backend::kMemory) { EXPECT_TRUE(c_.MakeBucket("bkt").ok()); }

  void Configure(lc::Configuration config, std::size_t budget = 200000, int page = 500) {
    EXPECT_TRUE(SyncWait(c_.layer->SetBucketConfig(c_.ctx, "bkt", object::bucket_config::kLifecycle,
                                                   "<LifecycleConfiguration/>"))
                    .ok());
    LifecycleOptions o;
    o.parser = [config](std::string_view) -> Result<lc::Configuration> { return config; };
    o.day_seconds = 1;
    o.sleep_factor = 0;
    o.max_entries_per_cycle = budget;
    o.page_size = page;
    applier_ = std::make_unique<LifecycleApplier>(*c_.layer, std::move(o));
  }

  void EnableVersioning() {
    ASSERT_TRUE(SyncWait(c_.layer->SetBucketConfig(c_.ctx, "bkt",
                                                   object::bucket_config::kVersioning, "Enabled"))
                    .ok());
  }

  // One cycle, `ahead` seconds from now.
  void Run(std::int64_t ahead) {
    const std::function<bool()> never = [] { return false; };
    SyncWait(applier_->RunCycle(c_.ctx, object::NowNs() + ahead * kSecond, never));
  }

  std::vector<object::ObjectInfo> Versions() {
    object::ListVersionsOptions lo;
    auto r = SyncWait(c_.layer->ListObjectVersions(c_.ctx, "bkt", lo));
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->versions : std::vector<object::ObjectInfo>{};
  }

  std::vector<std::string> Keys() {
    std::vector<std::string> keys;
    for (const auto& v : Versions()) {
      if (v.is_latest && !v.delete_marker) {
        keys.push_back(v.key);
      }
    }
    return keys;
  }

  static lc::Rule Rule(std::string prefix) {
    lc::Rule r;
    r.id = "r";
    r.filter.prefix = std::move(prefix);
    return r;
  }

  Cluster c_;
  std::unique_ptr<LifecycleApplier> applier_;
};

TEST(LifecycleLockTest, Iso8601) {
  EXPECT_EQ(ParseIso8601Ns("1970-01-01T00:00:01Z"), kSecond);
  EXPECT_EQ(ParseIso8601Ns("2000-03-01T00:00:00.5Z"), 951868800 * kSecond + kSecond / 2);
  EXPECT_EQ(ParseIso8601Ns("2026-12-06T20:17:46.123Z"), 1796588266 * kSecond + 123000000);
  EXPECT_EQ(ParseIso8601Ns("2999-01-01T00:00:00Z"), std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(ParseIso8601Ns("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseIso8601Ns("2026-12-06 20:17:46Z"));
  EXPECT_FALSE(ParseIso8601Ns("2026-12-06T20:17:46"));
  EXPECT_FALSE(ParseIso8601Ns(""));
}

TEST(LifecycleLockTest, Retention) {
  const std::int64_t now = 1796588266 * kSecond;
  EXPECT_FALSE(RetainedByObjectLock({}, now));
  EXPECT_TRUE(RetainedByObjectLock({{"x-amz-object-lock-legal-hold", "ON"}}, now));
  EXPECT_FALSE(RetainedByObjectLock({{"x-amz-object-lock-legal-hold", "OFF"}}, now));
  EXPECT_TRUE(
      RetainedByObjectLock({{"x-amz-object-lock-retain-until-date", "2026-12-07T00:00:00Z"}}, now));
  EXPECT_FALSE(
      RetainedByObjectLock({{"x-amz-object-lock-retain-until-date", "2026-12-06T00:00:00Z"}}, now));
  EXPECT_TRUE(RetainedByObjectLock({{"x-amz-object-lock-retain-until-date", "garbage"}}, now));
}

TEST_F(LifecycleTest, ExpirationDaysDeletesMatchingObjects) {
  lc::Rule r = Rule("logs/");
  r.expiration_days = 1;
  Configure({{r}});
  ASSERT_TRUE(c_.Put("bkt", "logs/a", "a").ok());
  ASSERT_TRUE(c_.Put("bkt", "logs/b", "bkt").ok());
  ASSERT_TRUE(c_.Put("bkt", "keep/c", "c").ok());
  Run(0);  // not due yet
  EXPECT_EQ(Keys().size(), 3u);
  Run(10);
  EXPECT_EQ(Keys(), std::vector<std::string>{"keep/c"});
  EXPECT_EQ(applier_->counters().expired_objects, 2u);
  EXPECT_EQ(Versions().size(), 1u);  // unversioned: removed, no marker
}

TEST_F(LifecycleTest, ExpirationDateInThePast) {
  lc::Rule r = Rule("");
  r.expiration_date = 86400;
  Configure({{r}});
  ASSERT_TRUE(c_.Put("bkt", "x", "x").ok());
  Run(0);
  EXPECT_TRUE(Keys().empty());
}

TEST_F(LifecycleTest, LockedVersionsStay) {
  lc::Rule r = Rule("");
  r.expiration_days = 1;
  Configure({{r}});
  object::PutOptions held;
  held.metadata = {{"x-amz-object-lock-legal-hold", "ON"}};
  ASSERT_TRUE(c_.Put("bkt", "held", "h", held).ok());
  object::PutOptions retained;
  retained.metadata = {{"x-amz-object-lock-retain-until-date", "2999-01-01T00:00:00Z"}};
  ASSERT_TRUE(c_.Put("bkt", "retained", "r", retained).ok());
  ASSERT_TRUE(c_.Put("bkt", "free", "f").ok());
  Run(10);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"held", "retained"}));
}

TEST_F(LifecycleTest, VersionedExpirationAddsDeleteMarker) {
  EnableVersioning();
  lc::Rule r = Rule("");
  r.expiration_days = 1;
  Configure({{r}});
  ASSERT_TRUE(c_.Put("bkt", "k", "v1").ok());
  Run(10);
  auto v = Versions();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(v[0].delete_marker);
  EXPECT_FALSE(v[1].delete_marker);
  EXPECT_EQ(applier_->counters().expired_objects, 1u);
  // The marker is not alone: it stays.
  Run(20);
  EXPECT_EQ(Versions().size(), 2u);
}

TEST_F(LifecycleTest, NoncurrentVersionsExpireKeepingNewest) {
  EnableVersioning();
  lc::Rule r = Rule("");
  r.noncurrent_days = 1;
  r.newer_noncurrent_versions = 1;
  Configure({{r}});
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(c_.Put("bkt", "k", "v" + std::to_string(i)).ok());
  }
  Run(0);
  EXPECT_EQ(Versions().size(), 4u);
  Run(10);
  auto v = Versions();
  ASSERT_EQ(v.size(), 2u);  // the latest and the newest noncurrent
  EXPECT_TRUE(v[0].is_latest);
  EXPECT_EQ(applier_->counters().expired_versions, 2u);
  EXPECT_EQ(c_.Get("bkt", "k").value(), "v3");
}

TEST_F(LifecycleTest, ExpiredDeleteMarkerRemoved) {
  EnableVersioning();
  lc::Rule r = Rule("");
  r.expired_object_delete_marker = true;
  r.noncurrent_days = 1;
  Configure({{r}});
  ASSERT_TRUE(c_.Put("bkt", "k", "v").ok());
  object::DeleteOptions del;
  ASSERT_TRUE(SyncWait(c_.layer->DeleteObject(c_.ctx, "bkt", "k", del)).ok());
  ASSERT_EQ(Versions().size(), 2u);
  // The first cycle expires the noncurrent version, the next the lone marker.
  Run(10);
  Run(10);
  EXPECT_TRUE(Versions().empty());
  EXPECT_EQ(applier_->counters().expired_versions, 1u);
  EXPECT_EQ(applier_->counters().expired_delete_markers, 1u);
}

TEST_F(LifecycleTest, AbortsOldUploads) {
  lc::Rule r = Rule("tmp/");
  r.abort_upload_days = 1;
  Configure({{r}});
  object::PutOptions po;
  ASSERT_TRUE(SyncWait(c_.layer->NewMultipartUpload(c_.ctx, "bkt", "tmp/u", po)).ok());
  ASSERT_TRUE(SyncWait(c_.layer->NewMultipartUpload(c_.ctx, "bkt", "other/u", po)).ok());
  Run(0);
  object::ListUploadsOptions lo;
  EXPECT_EQ(SyncWait(c_.layer->ListMultipartUploads(c_.ctx, "bkt", lo))->uploads.size(), 2u);
  Run(10);
  auto left = SyncWait(c_.layer->ListMultipartUploads(c_.ctx, "bkt", lo));
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->uploads.size(), 1u);
  EXPECT_EQ(left->uploads[0].key, "other/u");
  EXPECT_EQ(applier_->counters().uploads_aborted, 1u);
}

TEST_F(LifecycleTest, BudgetResumesNextCycle) {
  lc::Rule r = Rule("");
  r.expiration_days = 1;
  Configure({{r}}, /*budget=*/2, /*page=*/1);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(c_.Put("bkt", "k" + std::to_string(i), "x").ok());
  }
  Run(10);
  const std::size_t after_one = Keys().size();
  EXPECT_GT(after_one, 0u);
  EXPECT_LT(after_one, 6u);
  for (int i = 0; i < 6 && !Keys().empty(); ++i) {
    Run(10);
  }
  EXPECT_TRUE(Keys().empty());
  EXPECT_EQ(applier_->counters().expired_objects, 6u);
}

}  // namespace
}  // namespace cairn::heal
