// The building blocks of AWS signatures that V4, V2 and the chunked reader share: URI, query
// and header canonicalization (over common/text.h's UriEncode and common/query.h's parser), the V4
// key chain and string to sign, and the date formats. Internal to auth/ (exposed for unit tests).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/signature.h"
#include "common/query.h"
#include "common/text.h"

namespace cairn::auth::internal {

using TimePoint = std::chrono::system_clock::time_point;

// S3's canonical URI: the path as sent, encoded once. Escapes are normalized (an escaped
// unreserved byte is written plainly, other escapes in uppercase, bytes that need escaping
// are escaped) but never decoded and re-encoded, so %2F stays %2F. Empty becomes "/".
std::string CanonicalUri(std::string_view raw_path);

// V4 canonical query: keys and values UriEncoded, sorted by key then value, "k=v" joined by
// '&'; parameters named `exclude` (X-Amz-Signature for presigned requests) are left out.
std::string CanonicalQuery(const QueryParams& params, std::string_view exclude = {});

// Header value for signing: surrounding blanks trimmed, inner runs of blanks collapsed to one.
std::string CanonicalHeaderValue(std::string_view value);
// All values of header `name` (case-insensitive), in order; empty when absent.
std::vector<std::string_view> HeaderValues(const HeaderList& headers, std::string_view name);
// The first value of header `name`, or nullopt.
std::optional<std::string_view> HeaderValue(const HeaderList& headers, std::string_view name);
bool IEquals(std::string_view a, std::string_view b);
bool IStartsWith(std::string_view s, std::string_view prefix);
std::string_view Trim(std::string_view s);

// V4 primitives.
std::string SigningKey(std::string_view secret, std::string_view date8, std::string_view region,
                       std::string_view service);
std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_headers, std::string_view payload_hash);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
// "name:value\n" for each name (lowercase, in the given order), the values of a repeated
// header joined by ','. nullopt when a name has no header (stored in *missing if given);
// a missing "expect" counts as "100-continue".
std::optional<std::string> CanonicalHeaders(const HeaderList& headers,
                                            const std::vector<std::string>& names,
                                            std::string* missing);

// Dates. ISO 8601 basic ("20130524T000000Z"), and the HTTP date forms clients send:
// RFC 1123 with GMT/UTC or a numeric zone ("Tue, 27 Mar 2007 19:36:42 +0000"), RFC 850 and
// asctime; ISO 8601 basic is accepted there too.
std::optional<TimePoint> ParseAmzDate(std::string_view s);
std::optional<TimePoint> ParseHttpDate(std::string_view s);
std::string FormatAmzDate(TimePoint t);
std::string FormatHttpDate(TimePoint t);  // "Tue, 27 Mar 2007 19:36:42 GMT"

}  // namespace cairn::auth::internal
