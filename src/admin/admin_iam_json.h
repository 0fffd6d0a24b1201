// The JSON shapes of the admin API's IAM endpoints (MinIO's madmin field names: a user, a
// group, a policy, a service account) built from iam.h's listings, and the parsing of their
// request fields. The server renders with these; `cairn admin` reads the same names back
// (admin_iam_format.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "iam/iam.h"

namespace cairn::admin {

// "enabled" / "disabled".
std::string_view StatusName(bool enabled);

// {"status", "policyName": "a,b", "memberOf": [...], "updatedAt"} (empty ones left out).
nlohmann::json UserJson(const iam::UserInfo& u);
// {"name", "status", "members", "policy": "a,b", "updatedAt"}.
nlohmann::json GroupJson(const iam::GroupInfo& g);
// The document as a JSON value (a string when it does not parse, which a stored policy
// always does).
nlohmann::json PolicyDocumentJson(std::string_view document);
// info-canned-policy?v=2: {"PolicyName", "Policy": {...}, "CreateDate", "UpdateDate"}.
nlohmann::json PolicyInfoJson(const iam::PolicyInfo& p);
// list-service-accounts' entries: {"accessKey", "parentUser", "accountStatus": "on"|"off",
// "impliedPolicy", "name", "description", "expiration"} (empty ones left out).
nlohmann::json ServiceAccountJson(const iam::ServiceAccountInfo& s);
// info-service-account: as above without "accessKey", with "policy": the session policy, or
// `implied_policy` (the parent's policies) when it has none.
nlohmann::json ServiceAccountInfoJson(const iam::ServiceAccountInfo& s,
                                      std::string_view implied_policy);

// RFC 3339 ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00.5+02:00") to ns since the epoch.
// Go's zero time and the epoch (what madmin sends for "no expiry") give 0. nullopt: not
// RFC 3339.
std::optional<std::int64_t> ParseRfc3339(std::string_view text);

// Request fields. A field that is absent or null gives the empty value; one of another type
// is kInvalidArgument naming it.
Result<std::string> StringField(const nlohmann::json& j, const char* key);
Result<std::vector<std::string>> StringListField(const nlohmann::json& j, const char* key);
// A policy sent as a JSON object (or as a string holding one): its text; "" when absent or
// null.
Result<std::string> PolicyField(const nlohmann::json& j, const char* key);
// An RFC 3339 time: nullopt when absent or null.
Result<std::optional<std::int64_t>> TimeField(const nlohmann::json& j, const char* key);

// "a,b" <-> {"a", "b"} (blanks trimmed, empty names dropped).
std::vector<std::string> SplitNames(std::string_view list);
std::string JoinNames(const std::vector<std::string>& names);

}  // namespace cairn::admin
