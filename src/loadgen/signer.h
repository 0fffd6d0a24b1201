// FastSigner: SigV4 for the load generator's requests, with UNSIGNED-PAYLOAD, the three
// headers host, x-amz-content-sha256 and x-amz-date, and the caller's extra signed headers
// (the SSE ones of `--sse`: S3 refuses an unsigned x-amz-* header). It keeps the day's signing key
// and the formatted date of the current second, so a request costs one SHA-256 and one HMAC; its
// output is byte-for-byte what auth::SignV4 produces for the same request (tested).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cairn::loadgen {

// A request header FastSigner signs: a lowercase name other than host, x-amz-content-sha256
// and x-amz-date, and its value as sent (no leading or trailing spaces, no runs of spaces).
struct SignedHeader {
  std::string name;
  std::string value;
};

class FastSigner {
 public:
  FastSigner(std::string access_key, std::string secret_key, std::string region, std::string host);

  // Appends the request's "x-amz-content-sha256", "x-amz-date" and "Authorization" header
  // lines ("name: value\r\n") to `out`. `path` is the raw, already percent-encoded path
  // (which must also be its canonical form: only unreserved bytes, '/' and %XX escapes);
  // `canonical_query` is the query in V4 canonical form (sorted, encoded, "k=v" joined by
  // '&', "" when none). `extra` are headers the caller sends itself and wants signed, sorted
  // by name; they join the SignedHeaders list. Not thread-safe: one signer per worker thread.
  void Sign(std::string_view method, std::string_view path, std::string_view canonical_query,
            std::chrono::system_clock::time_point now, std::span<const SignedHeader> extra,
            std::string& out);

 private:
  void Refresh(std::chrono::system_clock::time_point now);

  std::string access_key_;
  std::string secret_key_;
  std::string region_;
  std::string host_;
  std::int64_t second_ = -1;  // the second amz_date_ was formatted for
  std::string amz_date_;      // "20130524T000000Z"
  std::string date8_;         // the day signing_key_ and scope_ belong to
  std::string signing_key_;
  std::string scope_;
  std::string canonical_;  // reused buffers
  std::string signed_names_;
  std::string string_to_sign_;
};

}  // namespace cairn::loadgen
