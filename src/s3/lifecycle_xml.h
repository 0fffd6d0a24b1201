// PutBucketLifecycleConfiguration's document: parsed into object/lifecycle.h's rules (which
// validates them as AWS does) and rendered back in canonical form for storage and for
// GetBucketLifecycleConfiguration; and the x-amz-expiration header of an object a rule
// will expire.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "object/lifecycle.h"

namespace cairn::s3 {

// <LifecycleConfiguration><Rule>...</Rule>...</LifecycleConfiguration>, validated.
// Errors: kMalformedXml (not the document; unknown Status; neither Filter nor Prefix; a
// Filter with more than one condition outside And (the two sizes excepted), an empty And;
// bad numbers), kInvalidArgumentS3 (Filter and Prefix both; a Date that is not a midnight
// UTC) and lifecycle::Validate's.
Result<object::lifecycle::Configuration> ParseLifecycleConfiguration(std::string_view xml);

// The canonical document (stored, and returned by GetBucketLifecycleConfiguration).
std::string RenderLifecycleConfiguration(const object::lifecycle::Configuration& config);

// "2012-12-23T00:00:00Z", "2012-12-23T02:00:00+02:00" (a zero fraction allowed) or
// "2012-12-23": Unix seconds, or nullopt.
std::optional<std::int64_t> ParseIso8601Seconds(std::string_view text);

// x-amz-expiration: `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture-rule"`.
std::string ExpirationHeaderValue(const object::lifecycle::Event& event);

}  // namespace cairn::s3
