// A bucket's lifecycle configuration as rules (the model the S3 layer parses
// PutBucketLifecycleConfiguration into), their validation with AWS's errors, and the pure
// evaluation the scanner applies and the S3 layer reports (x-amz-expiration): which action a
// rule takes on an object version, and from when. No I/O, no XML. A "day" is a parameter
// (`day_seconds`, 86400 in production) so tests can run lifecycles in seconds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cairn::object::lifecycle {

inline constexpr std::size_t kMaxRules = 1000;
inline constexpr std::size_t kMaxIdLength = 255;
inline constexpr std::int64_t kDefaultDaySeconds = 86400;

using Tags = std::vector<std::pair<std::string, std::string>>;

struct Filter {
  std::string prefix;
  Tags tags;                                      // every one must be on the object
  std::optional<std::int64_t> size_greater_than;  // ObjectSizeGreaterThan
  std::optional<std::int64_t> size_less_than;     // ObjectSizeLessThan
};

struct Rule {
  std::string id;
  bool enabled = true;
  Filter filter;
  // Sent as the legacy top-level <Prefix> rather than a <Filter> (rendered back alike).
  bool legacy_prefix = false;
  // Expiration: Days, or Date (Unix seconds, midnight UTC), and/or ExpiredObjectDeleteMarker.
  std::optional<int> expiration_days;
  std::optional<std::int64_t> expiration_date;
  bool expired_object_delete_marker = false;
  // NoncurrentVersionExpiration.
  std::optional<int> noncurrent_days;
  std::optional<int> newer_noncurrent_versions;
  // AbortIncompleteMultipartUpload.
  std::optional<int> abort_upload_days;
  // Transition / NoncurrentVersionTransition: parsed only to be refused (no tiers).
  bool has_transition = false;
};

struct Configuration {
  std::vector<Rule> rules;
};

// Turns a bucket's stored document (BucketInfo::config[bucket_config::kLifecycle], XML) into
// rules. The XML parser is s3's (s3::ParseLifecycleConfiguration, on pugixml); a module below
// s3 that applies the rules (heal/'s scanner) gets it from the server's wiring as this.
using ConfigurationParser = std::function<Result<Configuration>(std::string_view document)>;

// AWS's checks of a whole configuration. Errors: kMalformedXml (no rule, more than 1000),
// kInvalidArgumentS3 (an ID over 255 characters or used twice; Days, NoncurrentDays,
// NewerNoncurrentVersions, DaysAfterInitiation not positive; a Date not at midnight UTC;
// ExpiredObjectDeleteMarker or AbortIncompleteMultipartUpload with a tag filter, the latter
// also with a size filter; sizes that leave no room; a tag key empty or over 128 characters,
// a value over 256), kInvalidRequest (a rule without action; a tag key twice),
// kNotImplemented (a transition: cairn has no storage tiers).
Status Validate(const Configuration& config);

// The tags of an object as stored in its "x-amz-tagging" metadata ("k1=v1&k2=v2",
// percent-encoded). An undecodable value gives no tags.
Tags ParseTagQuery(std::string_view query);

// What the evaluation needs of one object version.
struct VersionFacts {
  std::string_view key;
  std::int64_t size = 0;
  Tags tags;
  std::int64_t mod_time_ns = 0;
  bool is_latest = true;
  bool delete_marker = false;
  // Noncurrent versions: when it stopped being current (its successor's mod time), and how
  // many noncurrent versions are newer than it.
  std::int64_t noncurrent_since_ns = 0;
  int newer_noncurrent_versions = 0;
  // How many versions the key has (a delete marker alone is an expired delete marker).
  int num_versions = 1;
};

enum class Action {
  kNone,
  kExpireCurrent,       // Expiration of the current version (a delete, or a delete marker)
  kExpireNoncurrent,    // NoncurrentVersionExpiration: remove this version
  kRemoveDeleteMarker,  // an expired delete marker (the key's only version)
  kAbortUpload,         // AbortIncompleteMultipartUpload
};

struct Event {
  Action action = Action::kNone;
  std::int64_t due_ns = 0;  // when the action applies
  std::string rule_id;
};

// True when `rule` is enabled and its filter selects the version.
bool Matches(const Rule& rule, const VersionFacts& v);

// The day-based due time AWS uses: `from_ns` plus `days` days, rounded up to the start of
// the next day (midnight UTC for 86400-second days).
std::int64_t DueAfterDays(std::int64_t from_ns, int days, std::int64_t day_seconds);

// The earliest action any rule takes on the version, whether or not due yet (kNone when no
// rule applies). The version is acted on when `due_ns <= now`.
Event NextAction(const Configuration& config, const VersionFacts& v, std::int64_t day_seconds);

// The action due at `now_ns`, or kNone.
Event DueAction(const Configuration& config, const VersionFacts& v, std::int64_t now_ns,
                std::int64_t day_seconds);

// The current-version Expiration that will apply to a live object (what x-amz-expiration
// reports): kExpireCurrent with its time and rule, or kNone.
Event CurrentExpiration(const Configuration& config, const VersionFacts& v,
                        std::int64_t day_seconds);

// AbortIncompleteMultipartUpload for an upload of `key` initiated at `initiated_ns`: the
// earliest due time and rule, or nullopt.
std::optional<Event> UploadAbortion(const Configuration& config, std::string_view key,
                                    std::int64_t initiated_ns, std::int64_t day_seconds);

}  // namespace cairn::object::lifecycle
