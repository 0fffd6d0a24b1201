// POST policy parsing, checking and form signature verification (auth/post_policy.h).
#include "auth/post_policy.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "auth/canonical.h"
#include "auth/crypto.h"
#include "auth/verify.h"

namespace cairn::auth {
namespace {

using Json = nlohmann::json;
using SysClock = std::chrono::system_clock;
using internal::ConstantTimeEqual;

Status BadPolicy(std::string_view what) {
  return Status(Errc::kInvalidPolicyDocument, StrCat("Invalid Policy: ", what));
}

Status PolicyDenied(std::string_view what) {
  return Status(Errc::kPostPolicyDenied, StrCat("Invalid according to Policy: ", what));
}

// Exactly `width` digits at `pos`, or -1.
int FixedDigits(std::string_view s, std::size_t pos, std::size_t width) {
  if (pos + width > s.size()) {
    return -1;
  }
  int v = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return -1;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// ISO 8601 in UTC as policies carry it: "2026-12-06T17:00:00Z", with an optional fraction
// of a second ("...00.000Z").
std::optional<SysClock::time_point> ParseExpiration(std::string_view s) {
  using namespace std::chrono;
  const int y = FixedDigits(s, 0, 4);
  const int mon = FixedDigits(s, 5, 2);
  const int d = FixedDigits(s, 8, 2);
  const int h = FixedDigits(s, 11, 2);
  const int mi = FixedDigits(s, 14, 2);
  const int sec = FixedDigits(s, 17, 2);
  if (y < 0 || mon < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t scale = 100'000'000;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction += nanoseconds((s[pos] - '0') * scale);
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
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mon)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + fraction;
  return time_point_cast<SysClock::duration>(t);
}

// A content-length-range bound: a JSON integer or a string of digits.
std::optional<std::int64_t> Bound(const Json& v) {
  if (v.is_number_integer()) {
    return v.get<std::int64_t>();
  }
  if (!v.is_string()) {
    return std::nullopt;
  }
  const std::string& s = v.get_ref<const std::string&>();
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return out;
}

Status ParseArrayCondition(const Json& c, PostPolicy& out) {
  if (c.size() != 3 || !c[0].is_string()) {
    return BadPolicy("Invalid Condition: a condition array must hold an operator and two values");
  }
  const std::string op = AsciiLower(c[0].get_ref<const std::string&>());
  if (op == "content-length-range") {
    auto min = Bound(c[1]);
    auto max = Bound(c[2]);
    if (!min || !max || *min < 0 || *max < *min) {
      return BadPolicy("Invalid content-length-range: the bounds must be integers, min <= max");
    }
    out.length_range = std::make_pair(*min, *max);
    return Status::Ok();
  }
  PostPolicyCondition cond;
  if (op == "eq") {
    cond.op = PostPolicyCondition::Op::kEq;
  } else if (op == "starts-with") {
    cond.op = PostPolicyCondition::Op::kStartsWith;
  } else {
    return BadPolicy(StrCat("Invalid Condition: unknown operator '", op, "'"));
  }
  if (!c[1].is_string() || !c[2].is_string()) {
    return BadPolicy("Invalid Condition: the field and the value must be strings");
  }
  const std::string& field = c[1].get_ref<const std::string&>();
  if (field.size() < 2 || field[0] != '$') {
    return BadPolicy(StrCat("Invalid Condition: the field '", field, "' must start with '$'"));
  }
  cond.field = AsciiLower(std::string_view(field).substr(1));
  cond.value = c[2].get<std::string>();
  out.conditions.push_back(std::move(cond));
  return Status::Ok();
}

std::string Describe(const PostPolicyCondition& c) {
  return StrCat("[\"", c.op == PostPolicyCondition::Op::kEq ? "eq" : "starts-with", "\", \"$",
                c.field, "\", \"", c.value, "\"]");
}

bool Holds(const PostPolicyCondition& c, std::string_view value) {
  if (c.op == PostPolicyCondition::Op::kEq) {
    return value == c.value;
  }
  if (c.field != "content-type") {
    return value.starts_with(c.value);
  }
  // A Content-Type may list several types: each must start with the prefix.
  while (true) {
    const std::size_t comma = value.find(',');
    if (!TrimBlanks(value.substr(0, comma)).starts_with(c.value)) {
      return false;
    }
    if (comma == std::string_view::npos) {
      return true;
    }
    value.remove_prefix(comma + 1);
  }
}

bool IsExempt(std::string_view name) {
  return name == "file" || name == "policy" || name == "x-amz-signature" || name == "signature" ||
         name == "awsaccesskeyid" || name.starts_with("x-ignore-");
}

const std::string* Field(const FormFields& fields, std::string_view name) {
  for (const auto& [k, v] : fields) {
    if (k == name) {
      return &v;
    }
  }
  return nullptr;
}

Status MissingField(std::string_view name) {
  return Status(Errc::kInvalidArgumentS3,
                StrCat("Bucket POST must contain a field named '", name,
                       "'.  If it is specified, please check the order of the fields."));
}

Result<AuthResult> VerifyV4(const FormFields& fields, const CredentialProvider& creds) {
  for (std::string_view name :
       {"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "policy"}) {
    if (Field(fields, name) == nullptr) {
      return MissingField(name);
    }
  }
  if (*Field(fields, "x-amz-algorithm") != "AWS4-HMAC-SHA256") {
    return Status(Errc::kUnsupportedSignature);
  }
  internal::CredentialScope scope;
  RETURN_IF_ERROR(internal::ParseCredentialScope(*Field(fields, "x-amz-credential"),
                                                 Errc::kAuthorizationQueryParametersError, scope));
  std::optional<std::string> secret = creds.SecretKey(scope.access_key);
  if (!secret) {
    return Status(Errc::kInvalidAccessKeyId);
  }
  if (!internal::ParseAmzDate(*Field(fields, "x-amz-date"))) {
    return Status(Errc::kMalformedDate);
  }
  const std::string expected =
      SignPostPolicyV4(*Field(fields, "policy"), *secret, scope.date8, scope.region);
  if (!ConstantTimeEqual(expected, AsciiLower(*Field(fields, "x-amz-signature")))) {
    return Status(Errc::kSignatureDoesNotMatch);
  }
  AuthResult out;
  out.version = 4;
  out.access_key = std::move(scope.access_key);
  out.service = std::move(scope.service);
  return out;
}

Result<AuthResult> VerifyV2(const FormFields& fields, const CredentialProvider& creds) {
  for (std::string_view name : {"awsaccesskeyid", "signature", "policy"}) {
    if (Field(fields, name) == nullptr) {
      return MissingField(name);
    }
  }
  const std::string& access_key = *Field(fields, "awsaccesskeyid");
  std::optional<std::string> secret = creds.SecretKey(access_key);
  if (!secret) {
    return Status(Errc::kInvalidAccessKeyId);
  }
  const std::string expected = SignPostPolicyV2(*Field(fields, "policy"), *secret);
  if (!ConstantTimeEqual(expected, *Field(fields, "signature"))) {
    return Status(Errc::kSignatureDoesNotMatch);
  }
  AuthResult out;
  out.version = 2;
  out.access_key = access_key;
  return out;
}

}  // namespace

Result<PostPolicy> ParsePostPolicy(std::string_view json) {
  const Json doc = Json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return BadPolicy("Invalid JSON.");
  }
  auto expiration = doc.find("expiration");
  if (expiration == doc.end()) {
    return BadPolicy("Policy missing expiration.");
  }
  PostPolicy out;
  std::optional<SysClock::time_point> when;
  if (expiration->is_string()) {
    when = ParseExpiration(expiration->get_ref<const std::string&>());
  }
  if (!when) {
    return BadPolicy(StrCat("Invalid 'expiration' value: '", expiration->dump(), "'"));
  }
  out.expiration = *when;
  auto conditions = doc.find("conditions");
  if (conditions == doc.end()) {
    return BadPolicy("Policy missing conditions.");
  }
  if (!conditions->is_array()) {
    return BadPolicy("Invalid 'conditions' value: must be a list.");
  }
  for (const Json& c : *conditions) {
    if (c.is_array()) {
      RETURN_IF_ERROR(ParseArrayCondition(c, out));
      continue;
    }
    if (!c.is_object()) {
      return BadPolicy("Invalid Condition: must be a list or an object.");
    }
    for (auto it = c.begin(); it != c.end(); ++it) {
      const Json& value = it.value();
      if (!value.is_string()) {
        return BadPolicy("Invalid Simple-Condition: value must be a string.");
      }
      PostPolicyCondition cond;
      cond.field = AsciiLower(it.key());
      if (cond.field.starts_with("$")) {
        cond.field.erase(0, 1);
      }
      cond.value = value.get<std::string>();
      out.conditions.push_back(std::move(cond));
    }
  }
  return out;
}

Status CheckPostPolicy(const PostPolicy& policy, const FormFields& fields, std::string_view bucket,
                       SysClock::time_point now) {
  if (now >= policy.expiration) {
    return PolicyDenied("Policy expired.");
  }
  for (const PostPolicyCondition& c : policy.conditions) {
    std::string_view value;
    if (c.field == "bucket") {
      value = bucket;
    } else {
      int seen = 0;
      for (const auto& [k, v] : fields) {
        if (k == c.field) {
          value = v;
          ++seen;
        }
      }
      if (seen > 1) {
        return PolicyDenied(StrCat("Policy Condition failed: ", Describe(c),
                                   ". The form has the field more than once."));
      }
    }
    if (!Holds(c, value)) {
      return PolicyDenied(StrCat("Policy Condition failed: ", Describe(c)));
    }
  }
  std::string extra;
  for (const auto& [name, value] : fields) {
    if (IsExempt(name)) {
      continue;
    }
    bool covered = false;
    for (const PostPolicyCondition& c : policy.conditions) {
      covered = covered || c.field == name;
    }
    if (!covered && extra.find(StrCat(name, ", ")) == std::string::npos) {
      extra += StrCat(name, ", ");
    }
  }
  if (!extra.empty()) {
    extra.resize(extra.size() - 2);
    return PolicyDenied(StrCat("Extra input fields: ", extra));
  }
  return Status::Ok();
}

Result<AuthResult> VerifyPostSignature(const FormFields& fields, const CredentialProvider& creds) {
  const bool v4 = Field(fields, "x-amz-signature") != nullptr ||
                  Field(fields, "x-amz-credential") != nullptr ||
                  Field(fields, "x-amz-algorithm") != nullptr;
  if (v4) {
    return VerifyV4(fields, creds);
  }
  if (Field(fields, "signature") != nullptr || Field(fields, "awsaccesskeyid") != nullptr) {
    return VerifyV2(fields, creds);
  }
  AuthResult out;
  out.anonymous = true;
  return out;
}

std::string SignPostPolicyV4(std::string_view policy_base64, std::string_view secret_key,
                             std::string_view date8, std::string_view region) {
  const std::string key = internal::SigningKey(secret_key, date8, region, "s3");
  return internal::Hex(internal::HmacSha256(key, policy_base64));
}

std::string SignPostPolicyV2(std::string_view policy_base64, std::string_view secret_key) {
  return internal::Base64(internal::HmacSha1(secret_key, policy_base64));
}

}  // namespace cairn::auth
