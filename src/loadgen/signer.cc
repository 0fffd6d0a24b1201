#include "loadgen/signer.h"

#include <ctime>

#include <fmt/format.h>

#include "common/checksum.h"

namespace cairn::loadgen {
FastSigner::FastSigner(std::string access_key, std::string secret_key, std::string region,
                       std::string host)
    : access_key_(std::move(access_key)),
      secret_key_(std::move(secret_key)),
      region_(std::move(region)),
      host_(std::move(host)) {}

void FastSigner::Refresh(std::chrono::system_clock::time_point now) {
  std::int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (second == second_) {
    return;
  }
  second_ = second;
  std::time_t t = static_cast<std::time_t>(second);
  std::tm tm{};
  gmtime_r(&t, &tm);
  amz_date_ = fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string_view date8 = std::string_view(amz_date_).substr(0, 8);
  if (date8 != date8_) {
    date8_ = std::string(date8);
    std::string k = HmacSha256("AWS4" + secret_key_, date8_);
    k = HmacSha256(k, region_);
    k = HmacSha256(k, "s3");
    signing_key_ = HmacSha256(k, "aws4_request");
    scope_ = date8_ + "/" + region_ + "/s3/aws4_request";
  }
}

void FastSigner::Sign(std::string_view method, std::string_view path,
                      std::string_view canonical_query, std::chrono::system_clock::time_point now,
                      std::span<const SignedHeader> extra, std::string& out) {
  Refresh(now);
  std::string& c = canonical_;
  std::string& names = signed_names_;
  c.clear();
  names.clear();
  c.append(method).append("\n");
  c.append(path.empty() ? std::string_view("/") : path).append("\n");
  c.append(canonical_query).append("\n");
  // The canonical headers and the SignedHeaders list, in name order: `extra` merged with
  // the three fixed headers.
  auto append = [&](std::string_view name, std::string_view value) {
    c.append(name).append(":").append(value).append("\n");
    names.append(names.empty() ? "" : ";").append(name);
  };
  std::size_t next = 0;
  // The headers of `extra` that sort before `name` ("": all that are left).
  auto extra_before = [&](std::string_view name) {
    for (; next < extra.size() && (name.empty() || extra[next].name < name); ++next) {
      append(extra[next].name, extra[next].value);
    }
  };
  extra_before("host");
  append("host", host_);
  extra_before("x-amz-content-sha256");
  append("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  extra_before("x-amz-date");
  append("x-amz-date", amz_date_);
  extra_before({});
  c.append("\n").append(names).append("\nUNSIGNED-PAYLOAD");
  std::string& sts = string_to_sign_;
  sts.clear();
  sts.append("AWS4-HMAC-SHA256\n").append(amz_date_).append("\n").append(scope_).append("\n");
  sts.append(HexEncode(Sha256(c)));
  std::string signature = HexEncode(HmacSha256(signing_key_, sts));
  out.append("x-amz-content-sha256: UNSIGNED-PAYLOAD\r\nx-amz-date: ").append(amz_date_);
  out.append("\r\nAuthorization: AWS4-HMAC-SHA256 Credential=").append(access_key_).append("/");
  out.append(scope_).append(", SignedHeaders=").append(names).append(", Signature=");
  out.append(signature).append("\r\n");
}

}  // namespace cairn::loadgen
