// Request authentication on arbitrary requests: the SigV4 and SigV2 canonicalizers, header
// and presigned, behind Authenticate() (src/auth/signature.h), plus the URI and query
// canonicalization they use. Signatures rarely match; every step up to the comparison runs.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

#include "auth/canonical.h"
#include "auth/signature.h"

namespace {

class Creds final : public cairn::auth::CredentialProvider {
 public:
  std::optional<std::string> SecretKey(std::string_view access_key) const override {
    if (access_key == "AKIAIOSFODNN7EXAMPLE") {
      return std::string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }
    return std::nullopt;
  }
};

// Names that steer the verifiers; anything else comes from the input.
constexpr std::array<const char*, 14> kHeaderNames = {"authorization",
                                                      "x-amz-date",
                                                      "date",
                                                      "x-amz-content-sha256",
                                                      "host",
                                                      "content-md5",
                                                      "content-type",
                                                      "x-amz-decoded-content-length",
                                                      "x-amz-trailer",
                                                      "x-amz-meta-a",
                                                      "x-amz-security-token",
                                                      "range",
                                                      "content-length",
                                                      "expires"};

constexpr std::array<const char*, 4> kPrefixes = {
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
    "SignedHeaders=",
    "AWS AKIAIOSFODNN7EXAMPLE:", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=",
    "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires="};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn;
  using namespace cairn::auth;
  using namespace cairn::auth::internal;
  FuzzedDataProvider in(data, size);
  static const Creds creds;
  const std::string method = in.PickValueInArray({"GET", "PUT", "POST", "HEAD", "DELETE"});
  const std::string path = "/" + in.ConsumeRandomLengthString(256);
  std::string query = in.ConsumeRandomLengthString(512);
  if (in.ConsumeBool()) {
    query = kPrefixes[in.ConsumeIntegralInRange<std::size_t>(2, 3)] + query;
  }
  HeaderList headers;
  const auto count = in.ConsumeIntegralInRange<std::size_t>(0, 24);
  for (std::size_t i = 0; i < count && in.remaining_bytes() > 0; ++i) {
    std::string name =
        in.ConsumeBool()
            ? kHeaderNames[in.ConsumeIntegralInRange<std::size_t>(0, kHeaderNames.size() - 1)]
            : AsciiLower(in.ConsumeRandomLengthString(32));
    std::string value = in.ConsumeRandomLengthString(300);
    if (name == "authorization" && in.ConsumeBool()) {
      value = kPrefixes[in.ConsumeIntegralInRange<std::size_t>(0, 1)] + value;
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
  RequestView req;
  req.method = method;
  req.path = path;
  req.query = query;
  req.headers = &headers;
  // 2013-05-24T00:00:00Z (the AWS examples' date), give or take a day.
  req.now = std::chrono::system_clock::time_point(std::chrono::seconds(1369353600)) +
            std::chrono::seconds(in.ConsumeIntegralInRange<int>(-86400, 86400));
  const std::string bucket = in.ConsumeBool() ? "examplebucket" : "";
  req.virtual_host_bucket = bucket;
  (void)Authenticate(req, creds);

  (void)CanonicalUri(path);
  const auto params = ParseQueryLenient(query);
  (void)CanonicalQuery(params, "X-Amz-Signature");
  (void)PercentDecodeLenient(path, true);
  (void)ParseAmzDate(query);
  (void)ParseHttpDate(query);
  return 0;
}
