#include "loadgen/sse.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "common/checksum.h"

namespace cairn::loadgen {
namespace {

constexpr std::pair<Sse, std::string_view> kSseNames[] = {
    {Sse::kNone, "none"}, {Sse::kS3, "s3"}, {Sse::kKms, "kms"}, {Sse::kC, "c"}};

constexpr std::string_view kSseHeader = "x-amz-server-side-encryption";
constexpr std::string_view kKmsKeyIdHeader = "x-amz-server-side-encryption-aws-kms-key-id";
constexpr std::string_view kCustomerAlgorithmHeader =
    "x-amz-server-side-encryption-customer-algorithm";
constexpr std::string_view kCustomerKeyHeader = "x-amz-server-side-encryption-customer-key";
constexpr std::string_view kCustomerKeyMd5Header = "x-amz-server-side-encryption-customer-key-md5";

// The SSE-C key when --sse-c-key is not given: fixed, so that objects kept by one run
// (--keep) can be read by the next (--skip-prepare).
std::string DefaultCustomerKey() {
  return Sha256("cairn bench SSE-C key");
}

SignedHeader Header(std::string_view name, std::string value) {
  return SignedHeader{std::string(name), std::move(value)};
}

}  // namespace

Result<Sse> ParseSse(std::string_view name) {
  for (const auto& [sse, text] : kSseNames) {
    if (text == name) {
      return sse;
    }
  }
  return Status(Errc::kInvalidArgument, fmt::format("unknown --sse '{}' (none, s3, kms, c)", name));
}

std::string_view SseName(Sse sse) {
  for (const auto& [s, text] : kSseNames) {
    if (s == sse) {
      return text;
    }
  }
  return "?";
}

Result<SseHeaders> MakeSseHeaders(const BenchConfig& cfg) {
  if (!cfg.sse_kms_key_id.empty() && cfg.sse != Sse::kKms) {
    return Status(Errc::kInvalidArgument, "--sse-kms-key-id needs --sse kms");
  }
  if (!cfg.sse_c_key.empty() && cfg.sse != Sse::kC) {
    return Status(Errc::kInvalidArgument, "--sse-c-key needs --sse c");
  }
  SseHeaders out;
  switch (cfg.sse) {
    case Sse::kNone:
      break;
    case Sse::kS3:
      out.write.push_back(Header(kSseHeader, "AES256"));
      break;
    case Sse::kKms:
      out.write.push_back(Header(kSseHeader, "aws:kms"));
      if (!cfg.sse_kms_key_id.empty()) {
        out.write.push_back(Header(kKmsKeyIdHeader, cfg.sse_kms_key_id));
      }
      break;
    case Sse::kC: {
      std::string key = DefaultCustomerKey();
      if (!cfg.sse_c_key.empty()) {
        auto decoded = Base64Decode(cfg.sse_c_key);
        if (!decoded || decoded->size() != 32) {
          return Status(Errc::kInvalidArgument, "--sse-c-key must be the base64 of 32 bytes");
        }
        key = std::move(*decoded);
      }
      out.read = {Header(kCustomerAlgorithmHeader, "AES256"),
                  Header(kCustomerKeyHeader, Base64Encode(key)),
                  Header(kCustomerKeyMd5Header, Base64Encode(Md5(key)))};
      out.write = out.read;
      break;
    }
  }
  auto by_name = [](const SignedHeader& a, const SignedHeader& b) { return a.name < b.name; };
  std::sort(out.write.begin(), out.write.end(), by_name);
  std::sort(out.read.begin(), out.read.end(), by_name);
  return out;
}

}  // namespace cairn::loadgen
