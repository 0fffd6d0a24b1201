// Object lock as AWS documents it: the bucket's ObjectLockConfiguration (stored as the bucket
// configuration document "object-lock"), a version's retention and legal hold (stored in the
// version's metadata under the x-amz-object-lock-* names below) and the rules that decide
// whether a retention may change and whether a version may be deleted. Pure code, no I/O;
// times are Unix seconds passed in by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/exchange.h"
#include "object/object_layer.h"

namespace cairn::s3 {

inline constexpr std::string_view kLockModeMeta = "x-amz-object-lock-mode";
inline constexpr std::string_view kLockUntilMeta = "x-amz-object-lock-retain-until-date";
inline constexpr std::string_view kLegalHoldMeta = "x-amz-object-lock-legal-hold";
inline constexpr std::string_view kBypassGovernanceHeader = "x-amz-bypass-governance-retention";
inline constexpr std::string_view kNoLockConfiguration =
    "Bucket is missing Object Lock Configuration";

struct LockConfiguration {
  // The default retention of new versions; mode "" = none.
  std::string mode;  // GOVERNANCE or COMPLIANCE
  int days = 0;      // exactly one of days and years is > 0 when mode is set
  int years = 0;
};

// PutObjectLockConfiguration's document: ObjectLockEnabled must be Enabled; a Rule holds a
// DefaultRetention with a Mode (GOVERNANCE|COMPLIANCE) and exactly one of Days and Years.
// Errors: kMalformedXml (not the schema, another status or mode, both or neither of Days and
// Years), kInvalidRetentionPeriod (Days or Years not positive).
Result<LockConfiguration> ParseObjectLockConfiguration(std::string_view xml);
std::string RenderObjectLockConfiguration(const LockConfiguration& config);

struct Retention {
  std::string mode;   // GOVERNANCE or COMPLIANCE; "" = none
  std::string until;  // as sent (ISO 8601)
  std::int64_t until_s = 0;
};

// "2030-01-01T00:00:00Z", "2030-01-01T00:00:00.123Z", with an offset: Unix seconds (a
// fraction rounds up), or nullopt.
std::optional<std::int64_t> ParseRetainUntil(std::string_view text);

// PutObjectRetention's <Retention>; an empty one (no Mode, no date) removes the retention.
// Errors: kMalformedXml (another mode, one of Mode and RetainUntilDate without the other, a
// date that does not parse), kInvalidArgumentS3 (a date not in the future).
Result<Retention> ParseRetentionXml(std::string_view xml, std::int64_t now_s);
std::string RenderRetentionXml(std::string_view mode, std::string_view until);

// PutObjectLegalHold's <LegalHold><Status>ON|OFF</Status></LegalHold>: "ON" or "OFF".
// Errors: kMalformedXml.
Result<std::string> ParseLegalHoldXml(std::string_view xml);
std::string RenderLegalHoldXml(std::string_view status);

// The retention stored in `md` (mode "" when none).
Retention StoredRetention(const object::Metadata& md);

// The object lock metadata a write stores, from its x-amz-object-lock-* headers, or else the
// bucket's default retention (`bucket_doc`, the stored configuration; "" = no object lock,
// and then any lock header is kInvalidRequest kNoLockConfiguration). Errors: kInvalidRequest,
// kInvalidArgumentS3 (a mode or legal hold value AWS does not know, one of mode and date
// without the other, a date that does not parse or is not in the future).
Result<object::Metadata> LockMetadataFromHeaders(const http::Request& req,
                                                 std::string_view bucket_doc, std::int64_t now_s);

// Whether the stored retention of `md` may become `next` (PutObjectRetention): an expired
// retention changes freely; an active one may be extended (same mode, a date no earlier); any
// other change of an active GOVERNANCE one needs `bypass`, of a COMPLIANCE one is refused.
// Errors: kAccessDenied.
Status CheckRetentionChange(const object::Metadata& md, const Retention& next, bool bypass,
                            std::int64_t now_s);

// Whether the version with metadata `md` may be removed: not with legal hold ON, not under an
// active COMPLIANCE retention, and under an active GOVERNANCE one only with `bypass`.
// Errors: kAccessDenied.
Status CheckDeleteAllowed(const object::Metadata& md, bool bypass, std::int64_t now_s);

}  // namespace cairn::s3
