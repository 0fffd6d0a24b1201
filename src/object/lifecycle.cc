#include "object/lifecycle.h"

#include <algorithm>
#include <limits>
#include <set>

#include "common/query.h"
#include "common/text.h"

namespace cairn::object::lifecycle {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

// A time far past any real one (year 2262) stands for "never" when a rule's days or date lie
// beyond what nanoseconds since 1970 can hold.
std::int64_t ClampNs(__int128 ns) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  return ns > kMax ? kMax : ns < kMin ? kMin : static_cast<std::int64_t>(ns);
}

Status InvalidArgument(std::string message) {
  return Status(Errc::kInvalidArgumentS3, std::move(message));
}

Status ValidateRule(const Rule& rule) {
  if (rule.id.size() > kMaxIdLength) {
    return InvalidArgument("ID length should not exceed allowed limit of 255");
  }
  if (rule.has_transition) {
    return Status(Errc::kNotImplemented,
                  "Transition and NoncurrentVersionTransition are not supported: cairn has no "
                  "storage tiers to transition to");
  }
  if (rule.expiration_days && *rule.expiration_days <= 0) {
    return InvalidArgument("'Days' for Expiration action must be a positive integer");
  }
  if (rule.expiration_days && rule.expiration_date) {
    return Status(Errc::kMalformedXml);
  }
  if (rule.expiration_date && *rule.expiration_date % 86400 != 0) {
    return InvalidArgument("'Date' must be at midnight GMT");
  }
  if (rule.expired_object_delete_marker && (rule.expiration_days || rule.expiration_date)) {
    return Status(Errc::kMalformedXml);
  }
  if (rule.noncurrent_days && *rule.noncurrent_days <= 0) {
    return InvalidArgument(
        "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
  }
  if (rule.newer_noncurrent_versions && !rule.noncurrent_days) {
    return Status(Errc::kMalformedXml);
  }
  if (rule.newer_noncurrent_versions &&
      (*rule.newer_noncurrent_versions <= 0 || *rule.newer_noncurrent_versions > 100)) {
    return InvalidArgument(
        "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive "
        "integer up to 100");
  }
  if (rule.abort_upload_days && *rule.abort_upload_days <= 0) {
    return InvalidArgument(
        "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
        "integer");
  }
  if (!rule.expiration_days && !rule.expiration_date && !rule.expired_object_delete_marker &&
      !rule.noncurrent_days && !rule.abort_upload_days) {
    return Status(Errc::kInvalidRequest, "At least one action needs to be specified in a rule");
  }
  const auto& f = rule.filter;
  std::set<std::string_view> keys;
  for (const auto& [key, value] : f.tags) {
    if (key.empty() || key.size() > 128 || value.size() > 256) {
      return InvalidArgument("The TagKey you have provided is invalid");
    }
    if (!keys.insert(key).second) {
      return Status(Errc::kInvalidRequest, "Duplicate Tag Keys are not allowed.");
    }
  }
  if (!f.tags.empty() && rule.expired_object_delete_marker) {
    return InvalidArgument("ExpiredObjectDeleteMarker cannot be specified with a Tag filter.");
  }
  if (!f.tags.empty() && rule.abort_upload_days) {
    return InvalidArgument(
        "The action is not supported for rules that apply to objects that have tags.");
  }
  if ((f.size_greater_than || f.size_less_than) && rule.abort_upload_days) {
    return InvalidArgument(
        "AbortIncompleteMultipartUpload action cannot be specified with an ObjectSize filter.");
  }
  if ((f.size_greater_than && *f.size_greater_than < 0) ||
      (f.size_less_than && *f.size_less_than <= 0)) {
    return InvalidArgument("Object size filters must be non-negative integers");
  }
  if (f.size_greater_than && f.size_less_than && *f.size_greater_than >= *f.size_less_than) {
    return InvalidArgument("ObjectSizeGreaterThan must be less than ObjectSizeLessThan.");
  }
  return Status();
}

bool HasTags(const Tags& wanted, const Tags& have) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const auto& tag) {
    return std::find(have.begin(), have.end(), tag) != have.end();
  });
}

// The earlier of two events (an empty one loses).
void KeepEarlier(Event& best, Event candidate) {
  if (candidate.action == Action::kNone) {
    return;
  }
  if (best.action == Action::kNone || candidate.due_ns < best.due_ns) {
    best = std::move(candidate);
  }
}

Event RuleAction(const Rule& rule, const VersionFacts& v, std::int64_t day_seconds) {
  Event e;
  e.rule_id = rule.id;
  if (v.is_latest && v.delete_marker) {
    // A delete marker that is the key's only version is an expired object delete marker;
    // Expiration by days removes it too (as AWS and MinIO do).
    if (v.num_versions == 1 && (rule.expired_object_delete_marker || rule.expiration_days)) {
      e.action = Action::kRemoveDeleteMarker;
      e.due_ns = rule.expiration_days
                     ? DueAfterDays(v.mod_time_ns, *rule.expiration_days, day_seconds)
                     : v.mod_time_ns;
    }
    return e;
  }
  if (v.is_latest) {
    if (rule.expiration_days) {
      e.action = Action::kExpireCurrent;
      e.due_ns = DueAfterDays(v.mod_time_ns, *rule.expiration_days, day_seconds);
    } else if (rule.expiration_date) {
      e.action = Action::kExpireCurrent;
      e.due_ns = ClampNs(static_cast<__int128>(*rule.expiration_date) * kNsPerSecond);
    }
    return e;
  }
  if (rule.noncurrent_days) {
    if (rule.newer_noncurrent_versions &&
        v.newer_noncurrent_versions < *rule.newer_noncurrent_versions) {
      return e;  // one of the versions to keep
    }
    e.action = Action::kExpireNoncurrent;
    e.due_ns = DueAfterDays(v.noncurrent_since_ns, *rule.noncurrent_days, day_seconds);
  }
  return e;
}

}  // namespace

Status Validate(const Configuration& config) {
  if (config.rules.empty() || config.rules.size() > kMaxRules) {
    return Status(Errc::kMalformedXml);
  }
  std::set<std::string_view> ids;
  for (const Rule& rule : config.rules) {
    if (!rule.id.empty() && !ids.insert(rule.id).second) {
      return InvalidArgument("Rule ID must be unique. Found same ID for more than one rule");
    }
    if (Status st = ValidateRule(rule); !st.ok()) {
      return st;
    }
  }
  return Status();
}

Tags ParseTagQuery(std::string_view query) {
  Tags tags;
  auto parsed = ParseQuery(query);
  if (!parsed) {
    return tags;
  }
  for (const QueryParam& p : parsed->all()) {
    tags.emplace_back(p.key, p.value);
  }
  return tags;
}

bool Matches(const Rule& rule, const VersionFacts& v) {
  const Filter& f = rule.filter;
  if (!rule.enabled || !v.key.starts_with(f.prefix)) {
    return false;
  }
  if (f.size_greater_than && !(v.size > *f.size_greater_than)) {
    return false;
  }
  if (f.size_less_than && !(v.size < *f.size_less_than)) {
    return false;
  }
  return HasTags(f.tags, v.tags);
}

std::int64_t DueAfterDays(std::int64_t from_ns, int days, std::int64_t day_seconds) {
  const __int128 day_ns =
      static_cast<__int128>(std::max<std::int64_t>(day_seconds, 1)) * kNsPerSecond;
  const __int128 t = static_cast<__int128>(from_ns) + static_cast<__int128>(days) * day_ns;
  return ClampNs((t / day_ns + 1) * day_ns);
}

Event NextAction(const Configuration& config, const VersionFacts& v, std::int64_t day_seconds) {
  Event best;
  for (const Rule& rule : config.rules) {
    if (Matches(rule, v)) {
      KeepEarlier(best, RuleAction(rule, v, day_seconds));
    }
  }
  return best;
}

Event DueAction(const Configuration& config, const VersionFacts& v, std::int64_t now_ns,
                std::int64_t day_seconds) {
  Event e = NextAction(config, v, day_seconds);
  return e.action != Action::kNone && e.due_ns <= now_ns ? e : Event{};
}

Event CurrentExpiration(const Configuration& config, const VersionFacts& v,
                        std::int64_t day_seconds) {
  if (!v.is_latest || v.delete_marker) {
    return Event{};
  }
  Event e = NextAction(config, v, day_seconds);
  return e.action == Action::kExpireCurrent ? e : Event{};
}

std::optional<Event> UploadAbortion(const Configuration& config, std::string_view key,
                                    std::int64_t initiated_ns, std::int64_t day_seconds) {
  std::optional<Event> best;
  for (const Rule& rule : config.rules) {
    if (!rule.enabled || !rule.abort_upload_days || !key.starts_with(rule.filter.prefix)) {
      continue;
    }
    const std::int64_t due = DueAfterDays(initiated_ns, *rule.abort_upload_days, day_seconds);
    if (!best || due < best->due_ns) {
      best = Event{Action::kAbortUpload, due, rule.id};
    }
  }
  return best;
}

}  // namespace cairn::object::lifecycle
