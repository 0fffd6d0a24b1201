// MinIO's canned policies, with the documents MinIO ships (`mc admin policy info`), so that
// users and tools moving from MinIO find the same names granting the same rights.
#include <array>

#include "policy/policy.h"

namespace cairn::policy {
namespace {

constexpr std::string_view kReadOnly = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:GetBucketLocation", "s3:GetObject"],
    "Resource": ["arn:aws:s3:::*"]
  }]
})";

constexpr std::string_view kReadWrite = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:*"],
    "Resource": ["arn:aws:s3:::*"]
  }]
})";

constexpr std::string_view kWriteOnly = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:PutObject"],
    "Resource": ["arn:aws:s3:::*"]
  }]
})";

constexpr std::string_view kDiagnostics = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["admin:Prometheus", "admin:Profiling", "admin:ServerTrace", "admin:ConsoleLog",
               "admin:ServerInfo", "admin:TopLocksInfo", "admin:OBDInfo",
               "admin:BandwidthMonitor"],
    "Resource": ["arn:aws:s3:::*"]
  }]
})";

constexpr std::string_view kConsoleAdmin = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["admin:*"]},
    {"Effect": "Allow", "Action": ["kms:*"]},
    {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::*"]}
  ]
})";

constexpr auto kBuiltins = std::to_array<BuiltinPolicy>({
    {"readonly", kReadOnly},
    {"readwrite", kReadWrite},
    {"writeonly", kWriteOnly},
    {"diagnostics", kDiagnostics},
    {"consoleAdmin", kConsoleAdmin},
});

}  // namespace

std::span<const BuiltinPolicy> BuiltinPolicies() {
  return kBuiltins;
}

}  // namespace cairn::policy
