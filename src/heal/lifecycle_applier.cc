#include "heal/lifecycle_applier.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include "common/log.h"
#include "heal/heal_sequence.h"
#include "object/object_util.h"

namespace cairn::heal {

namespace lc = object::lifecycle;
using object::ObjectInfo;

namespace {

using LcClock = std::chrono::steady_clock;

constexpr std::string_view kLegalHold = "x-amz-object-lock-legal-hold";
constexpr std::string_view kRetainUntil = "x-amz-object-lock-retain-until-date";

// Reads exactly `n` digits at `pos` into `out`.
bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  return std::from_chars(s.data() + pos, s.data() + pos + n, out).ec == std::errc();
}

bool HasVersionRules(const lc::Configuration& config) {
  return std::any_of(config.rules.begin(), config.rules.end(), [](const lc::Rule& r) {
    return r.enabled && (r.expiration_days || r.expiration_date || r.expired_object_delete_marker ||
                         r.noncurrent_days);
  });
}

bool HasUploadRules(const lc::Configuration& config) {
  return std::any_of(config.rules.begin(), config.rules.end(),
                     [](const lc::Rule& r) { return r.enabled && r.abort_upload_days; });
}

}  // namespace

std::optional<std::int64_t> ParseIso8601Ns(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, h) ||
      s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t frac_ns = 0;
  if (s[pos] == '.') {
    ++pos;
    std::int64_t scale = 100000000;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  if (pos + 1 != s.size() || (s[pos] != 'Z' && s[pos] != 'z')) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y),
                                        std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  const std::int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec;
  // Past 2262 nanoseconds overflow: such a time is as good as forever.
  constexpr std::int64_t kMaxSecs = std::numeric_limits<std::int64_t>::max() / 1000000000 - 1;
  if (secs > kMaxSecs || secs < -kMaxSecs) {
    return secs > 0 ? std::numeric_limits<std::int64_t>::max()
                    : std::numeric_limits<std::int64_t>::min();
  }
  return secs * 1000000000 + frac_ns;
}

bool RetainedByObjectLock(const object::Metadata& metadata, std::int64_t now_ns) {
  if (object::FindMeta(metadata, kLegalHold) == "ON") {
    return true;
  }
  const std::string& until = object::FindMeta(metadata, kRetainUntil);
  if (until.empty()) {
    return false;
  }
  const std::optional<std::int64_t> t = ParseIso8601Ns(until);
  return !t || *t > now_ns;
}

LifecycleApplier::LifecycleApplier(object::ObjectLayer& layer, LifecycleOptions opts)
    : layer_(layer), opts_(std::move(opts)) {}

LifecycleCounters LifecycleApplier::counters() const {
  LifecycleCounters c;
  c.expired_objects = expired_objects_;
  c.expired_versions = expired_versions_;
  c.expired_delete_markers = expired_delete_markers_;
  c.uploads_aborted = uploads_aborted_;
  return c;
}

Task<void> LifecycleApplier::Pace(LcClock::time_point t0) {
  const auto took = LcClock::now() - t0;
  auto pause = std::chrono::duration_cast<std::chrono::nanoseconds>(took * opts_.sleep_factor);
  pause = std::min<std::chrono::nanoseconds>(pause, std::chrono::seconds(1));
  if (pause.count() > 0) {
    co_await HealSleep(pause);
  }
}

Task<void> LifecycleApplier::RunCycle(const RequestContext& ctx, std::int64_t now_ns,
                                      const std::function<bool()>& stopping) {
  if (!enabled()) {
    co_return;
  }
  auto buckets = co_await layer_.ListBuckets(ctx);
  if (!buckets.ok()) {
    LOG_WARN("lifecycle: listing buckets: {}", buckets.status().ToString());
    co_return;
  }
  std::size_t budget = std::max<std::size_t>(opts_.max_entries_per_cycle, 1);
  for (const object::BucketInfo& listed : *buckets) {
    if (stopping() || budget == 0) {
      break;
    }
    // The listing may be older than the bucket's configuration: ask for it.
    auto info = co_await layer_.GetBucketInfo(ctx, listed.name);
    if (!info.ok()) {
      continue;
    }
    const std::string& document = info->Config(object::bucket_config::kLifecycle);
    if (document.empty()) {
      resume_.erase(listed.name);
      continue;
    }
    Result<lc::Configuration> config = opts_.parser(document);
    if (!config.ok()) {
      LOG_WARN("lifecycle: bucket {}: unreadable configuration: {}", listed.name,
               config.status().ToString());
      continue;
    }
    if (HasVersionRules(*config)) {
      const bool done = co_await ApplyVersions(ctx, listed.name, *config, now_ns, stopping, budget);
      if (!done) {
        break;  // the budget ran out (or the scanner stops): the next cycle resumes here
      }
    }
    if (HasUploadRules(*config)) {
      co_await AbortUploads(ctx, listed.name, *config, now_ns, stopping, budget);
    }
  }
}

Task<bool> LifecycleApplier::ApplyVersions(const RequestContext& ctx, const std::string& bucket,
                                           const lc::Configuration& config, std::int64_t now_ns,
                                           const std::function<bool()>& stopping,
                                           std::size_t& budget) {
  object::ListVersionsOptions lo;
  lo.max_keys = std::max(opts_.page_size, 1);
  if (auto it = resume_.find(bucket); it != resume_.end()) {
    lo.key_marker = it->second;
  }
  std::vector<ObjectInfo> group;  // the versions of one key, newest first
  while (true) {
    if (stopping()) {
      co_return false;
    }
    const auto t0 = LcClock::now();
    auto page = co_await layer_.ListObjectVersions(ctx, bucket, lo);
    if (!page.ok()) {
      if (page.status().code() != Errc::kNoSuchBucket) {
        LOG_WARN("lifecycle: listing versions of {}: {}", bucket, page.status().ToString());
      }
      co_return true;  // try again next cycle, from the same key
    }
    for (ObjectInfo& v : page->versions) {
      if (!group.empty() && group.front().key != v.key) {
        const std::string finished = group.front().key;
        co_await ApplyKey(ctx, bucket, config, group, now_ns);
        group.clear();
        if (budget == 0 || stopping()) {
          resume_[bucket] = finished;
          co_return false;
        }
      }
      group.push_back(std::move(v));
      if (budget > 0) {
        --budget;
      }
    }
    co_await Pace(t0);
    if (!page->truncated) {
      break;
    }
    lo.key_marker = page->next_key_marker;
    lo.version_id_marker = page->next_version_id_marker;
  }
  if (!group.empty()) {
    co_await ApplyKey(ctx, bucket, config, group, now_ns);
  }
  resume_.erase(bucket);
  co_return true;
}

Task<void> LifecycleApplier::ApplyKey(const RequestContext& ctx, const std::string& bucket,
                                      const lc::Configuration& config,
                                      const std::vector<ObjectInfo>& versions,
                                      std::int64_t now_ns) {
  const std::int64_t day = opts_.day_seconds;
  for (std::size_t i = 0; i < versions.size(); ++i) {
    const ObjectInfo& v = versions[i];
    lc::VersionFacts f;
    f.key = v.key;
    f.size = v.size;
    f.tags = lc::ParseTagQuery(v.Meta("x-amz-tagging"));
    f.mod_time_ns = v.mod_time_ns;
    f.is_latest = i == 0;
    f.delete_marker = v.delete_marker;
    f.noncurrent_since_ns = i == 0 ? 0 : versions[i - 1].mod_time_ns;
    f.newer_noncurrent_versions = i == 0 ? 0 : static_cast<int>(i - 1);
    f.num_versions = static_cast<int>(versions.size());
    const lc::Event e = lc::DueAction(config, f, now_ns, day);
    if (e.action == lc::Action::kNone) {
      continue;
    }
    const auto t0 = LcClock::now();
    object::DeleteOptions del;
    std::atomic<std::uint64_t>* counter = nullptr;
    switch (e.action) {
      case lc::Action::kExpireCurrent: {
        // Only what was listed: a version written since is not this rule's to expire.
        object::GetOptions go;
        auto now = co_await layer_.GetObjectInfo(ctx, bucket, v.key, go);
        if (!now.ok() || now->version_id != v.version_id || now->mod_time_ns != v.mod_time_ns) {
          continue;
        }
        // In a versioned bucket the delete adds a marker and keeps the data; otherwise it
        // removes the version, which object lock may forbid.
        auto info = co_await layer_.GetBucketInfo(ctx, bucket);
        const bool enabled = info.ok() && info->versioning() == object::Versioning::kEnabled;
        const bool removes = !enabled && (!info.ok() || v.version_id.empty());
        if (removes && RetainedByObjectLock(v.metadata, now_ns)) {
          continue;
        }
        counter = &expired_objects_;
        break;
      }
      case lc::Action::kExpireNoncurrent:
      case lc::Action::kRemoveDeleteMarker:
        if (!v.delete_marker && RetainedByObjectLock(v.metadata, now_ns)) {
          continue;
        }
        del.version_id = v.version_id.empty() ? "null" : v.version_id;
        // Checked again under the object's write lock, against the version as read there:
        // a retention or legal hold set since the listing keeps it.
        del.check = [now_ns](const object::ObjectInfo& current) {
          return RetainedByObjectLock(current.metadata, now_ns)
                     ? Status(Errc::kAccessDenied, "the version is locked")
                     : Status::Ok();
        };
        counter = e.action == lc::Action::kExpireNoncurrent ? &expired_versions_
                                                            : &expired_delete_markers_;
        break;
      default:
        continue;
    }
    auto r = co_await layer_.DeleteObject(ctx, bucket, v.key, del);
    if (!r.ok()) {
      LOG_WARN("lifecycle: {}/{} (version {}, rule {}): {}", bucket, v.key,
               v.version_id.empty() ? "null" : v.version_id, e.rule_id, r.status().ToString());
      continue;
    }
    ++*counter;
    LOG_DEBUG("lifecycle: {}/{} version {} expired by rule {}", bucket, v.key,
              v.version_id.empty() ? "null" : v.version_id, e.rule_id);
    co_await Pace(t0);
  }
}

Task<void> LifecycleApplier::AbortUploads(const RequestContext& ctx, const std::string& bucket,
                                          const lc::Configuration& config, std::int64_t now_ns,
                                          const std::function<bool()>& stopping,
                                          std::size_t& budget) {
  object::ListUploadsOptions lo;
  lo.max_uploads = std::max(opts_.page_size, 1);
  while (!stopping() && budget > 0) {
    auto page = co_await layer_.ListMultipartUploads(ctx, bucket, lo);
    if (!page.ok()) {
      if (page.status().code() != Errc::kNoSuchBucket) {
        LOG_WARN("lifecycle: listing uploads of {}: {}", bucket, page.status().ToString());
      }
      co_return;
    }
    for (const object::MultipartInfo& u : page->uploads) {
      budget = budget > 0 ? budget - 1 : 0;
      const std::optional<lc::Event> e =
          lc::UploadAbortion(config, u.key, u.initiated_ns, opts_.day_seconds);
      if (!e || e->due_ns > now_ns) {
        continue;
      }
      const auto t0 = LcClock::now();
      Status st = co_await layer_.AbortMultipartUpload(ctx, bucket, u.key, u.upload_id);
      if (!st.ok()) {
        if (st.code() != Errc::kNoSuchUpload) {
          LOG_WARN("lifecycle: aborting upload {} of {}/{}: {}", u.upload_id, bucket, u.key,
                   st.ToString());
        }
        continue;
      }
      ++uploads_aborted_;
      co_await Pace(t0);
    }
    if (!page->truncated) {
      break;
    }
    lo.key_marker = page->next_key_marker;
    lo.upload_id_marker = page->next_upload_id_marker;
  }
}

}  // namespace cairn::heal
