// The policy parser (src/policy/policy.h) on arbitrary documents, as PutBucketPolicy and the
// admin API receive them from clients: both kinds must parse or fail with kMalformedPolicy,
// never crash, and a policy that parses must evaluate fixed requests (with and without
// condition values and principals) and answer its accessors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/policy.h"

namespace {

using cairn::policy::ConditionValues;
using cairn::policy::Kind;
using cairn::policy::Policy;
using cairn::policy::Request;

void Check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

const ConditionValues& FixedConditions() {
  static const ConditionValues values = [] {
    ConditionValues v;
    v.Set("aws:username", "alice");
    v.Set("aws:SourceIp", "10.1.2.3");
    v.Set("aws:CurrentTime", "2026-01-02T03:04:05Z");
    v.Set("aws:SecureTransport", "true");
    v.Add("s3:prefix", "home/alice/");
    v.Add("s3:prefix", "home/");
    return v;
  }();
  return values;
}

void Exercise(const Policy& policy) {
  static const std::string principals[] = {"arn:aws:iam:::user/alice", "alice"};
  const Request requests[] = {
      {.action = "s3:GetObject",
       .resource = "arn:aws:s3:::bucket/home/alice/x",
       .principals = principals,
       .conditions = &FixedConditions()},
      {.action = "s3:ListAllMyBuckets", .resource = "", .principals = {}, .conditions = nullptr},
      {.action = "admin:ServerInfo",
       .resource = "",
       .principals = {},
       .conditions = &FixedConditions()},
  };
  for (const Request& r : requests) {
    const auto d = policy.Evaluate(r);
    Check(d == cairn::policy::Decision::kNone || d == cairn::policy::Decision::kAllow ||
          d == cairn::policy::Decision::kDeny);
  }
  Check(policy.statement_count() > 0);
  static_cast<void>(policy.ResourcesWithin("bucket"));
  static_cast<void>(policy.IsPublic());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (Kind kind : {Kind::kIdentity, Kind::kResource}) {
    auto policy = Policy::Parse(text, kind);
    if (!policy.ok()) {
      Check(policy.code() == cairn::Errc::kMalformedPolicy);
      continue;
    }
    Check(policy->text() == text);
    Exercise(*policy);
  }
  return 0;
}
