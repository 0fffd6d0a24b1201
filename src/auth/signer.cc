// Client side: SignV4, PresignV4, SignV2, PresignV2, and aws-chunked framing.
#include <algorithm>
#include <cstdio>

#include "auth/canonical.h"
#include "auth/crypto.h"
#include "auth/signature.h"
#include "auth/verify.h"

namespace cairn::auth {
namespace {

using internal::IEquals;

void RemoveHeader(HeaderList& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return IEquals(h.first, name); });
}

void SetHeader(HeaderList& headers, std::string_view name, std::string value) {
  RemoveHeader(headers, name);
  headers.emplace_back(std::string(name), std::move(value));
}

bool IsUnsignedHeader(std::string_view name) {
  return IEquals(name, "authorization") || IEquals(name, "user-agent") || IEquals(name, "expect") ||
         IEquals(name, "x-amzn-trace-id");
}

std::string Scope(const SignInput& in, std::string_view amz_date) {
  return std::string(amz_date.substr(0, 8)) + "/" + in.region + "/" + in.service + "/aws4_request";
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += (out.empty() ? "" : ";") + n;
  }
  return out;
}

// Signs `canonical_query` and the listed headers; returns the hex signature.
std::string SignatureV4(const SignInput& in, std::string_view amz_date,
                        std::string_view canonical_query, const HeaderList& headers,
                        const std::vector<std::string>& names, std::string_view payload_hash) {
  std::string canonical_headers =
      internal::CanonicalHeaders(headers, names, nullptr).value_or(std::string());
  std::string canonical =
      internal::CanonicalRequest(in.method, internal::CanonicalUri(in.path), canonical_query,
                                 canonical_headers, Join(names), payload_hash);
  std::string key =
      internal::SigningKey(in.secret_key, amz_date.substr(0, 8), in.region, in.service);
  return internal::Hex(
      internal::HmacSha256(key, internal::StringToSign(amz_date, Scope(in, amz_date), canonical)));
}

std::string V2Signature(const SignInput& in, const HeaderList& headers, std::string_view date,
                        std::string_view virtual_host_bucket) {
  RequestView view;
  view.method = in.method;
  view.path = in.path;
  view.query = in.query;
  view.headers = &headers;
  view.virtual_host_bucket = virtual_host_bucket;
  std::string sts = internal::StringToSignV2(view, date, false);
  return internal::Base64(internal::HmacSha1(in.secret_key, sts));
}

// Appends `key=value` (value already encoded) to a query string, with '&' between parameters.
void AppendQueryParam(std::string& query, std::string_view key, std::string_view value) {
  if (!query.empty()) {
    query += '&';
  }
  query.append(key);
  query += '=';
  query.append(value);
}

std::string ChunkHeader(std::size_t size) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%zx", size);
  return buf;
}

}  // namespace

void SignV4(const SignInput& in, HeaderList& headers) {
  if (!internal::HeaderValue(headers, "host") && !in.host.empty()) {
    headers.emplace_back("host", in.host);
  }
  std::string amz_date = internal::FormatAmzDate(in.now);
  RemoveHeader(headers, "authorization");
  SetHeader(headers, "x-amz-date", amz_date);
  if (in.add_content_sha256_header) {
    SetHeader(headers, "x-amz-content-sha256", in.payload_sha256_hex);
  }
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) {
    if (!IsUnsignedHeader(name)) {
      names.push_back(AsciiLower(name));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string query = internal::CanonicalQuery(ParseQueryLenient(in.query));
  std::string signature = SignatureV4(in, amz_date, query, headers, names, in.payload_sha256_hex);
  headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=" + in.access_key + "/" +
                                            Scope(in, amz_date) + ", SignedHeaders=" + Join(names) +
                                            ", Signature=" + signature);
}

std::string PresignV4(const SignInput& in, std::string_view host, std::chrono::seconds expires) {
  std::string amz_date = internal::FormatAmzDate(in.now);
  std::string query = in.query;
  // Appends piece by piece: GCC 12's -O3 inliner reports a false -Wrestrict for
  // `const char* + std::string&&` (which inserts at the front of the temporary).
  auto add = [&](std::string_view key, std::string_view value) {
    AppendQueryParam(query, key, UriEncode(value, false));
  };
  add("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  add("X-Amz-Credential", in.access_key + "/" + Scope(in, amz_date));
  add("X-Amz-Date", amz_date);
  add("X-Amz-Expires", std::to_string(expires.count()));
  add("X-Amz-SignedHeaders", "host");
  if (in.payload_sha256_hex != "UNSIGNED-PAYLOAD") {
    add("X-Amz-Content-Sha256", in.payload_sha256_hex);
  }
  HeaderList headers = {{"host", std::string(host)}};
  std::string signature =
      SignatureV4(in, amz_date, internal::CanonicalQuery(ParseQueryLenient(query)), headers,
                  {"host"}, in.payload_sha256_hex);
  add("X-Amz-Signature", signature);
  return query;
}

void SignV2(const SignInput& in, HeaderList& headers, std::string_view virtual_host_bucket) {
  RemoveHeader(headers, "authorization");
  std::string date = internal::FormatHttpDate(in.now);
  SetHeader(headers, "date", date);
  std::string date_line = internal::HeaderValue(headers, "x-amz-date") ? std::string() : date;
  headers.emplace_back(
      "authorization",
      "AWS " + in.access_key + ":" + V2Signature(in, headers, date_line, virtual_host_bucket));
}

std::string PresignV2(const SignInput& in, std::chrono::system_clock::time_point expires_at,
                      std::string_view virtual_host_bucket) {
  std::string expires = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(expires_at.time_since_epoch()).count());
  HeaderList no_headers;
  std::string signature = V2Signature(in, no_headers, expires, virtual_host_bucket);
  std::string query = in.query;
  AppendQueryParam(query, "AWSAccessKeyId", UriEncode(in.access_key, false));
  AppendQueryParam(query, "Expires", expires);
  AppendQueryParam(query, "Signature", UriEncode(signature, false));
  return query;
}

std::string ChunkSignature(std::string_view signing_key, std::string_view amz_date,
                           std::string_view scope, std::string_view prev_signature,
                           std::string_view chunk_sha256_hex) {
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n";
  sts.append(amz_date).append("\n").append(scope).append("\n").append(prev_signature);
  sts.append("\n").append(internal::kEmptySha256Hex).append("\n").append(chunk_sha256_hex);
  return internal::Hex(internal::HmacSha256(signing_key, sts));
}

std::string TrailerSignature(std::string_view signing_key, std::string_view amz_date,
                             std::string_view scope, std::string_view prev_signature,
                             std::string_view canonical_trailers) {
  std::string sts = "AWS4-HMAC-SHA256-TRAILER\n";
  sts.append(amz_date).append("\n").append(scope).append("\n").append(prev_signature);
  sts.append("\n").append(internal::Sha256Hex(canonical_trailers));
  return internal::Hex(internal::HmacSha256(signing_key, sts));
}

AwsChunkedEncoder::AwsChunkedEncoder(PayloadKind kind, const SignInput& in,
                                     const HeaderList& signed_headers)
    : kind_(kind) {
  std::string_view amz = internal::HeaderValue(signed_headers, "x-amz-date").value_or("");
  amz_date_ = std::string(amz);
  if (amz_date_.size() >= 8) {
    scope_ = Scope(in, amz_date_);
    signing_key_ =
        internal::SigningKey(in.secret_key, amz_date_.substr(0, 8), in.region, in.service);
  }
  std::string_view authz = internal::HeaderValue(signed_headers, "authorization").value_or("");
  std::size_t at = authz.rfind("Signature=");
  if (at != std::string_view::npos) {
    prev_signature_ = std::string(authz.substr(at + 10));
  }
}

std::string AwsChunkedEncoder::Chunk(std::string_view data) {
  std::string out = ChunkHeader(data.size());
  if (kind_ != PayloadKind::kStreamingUnsignedTrailer) {
    prev_signature_ =
        ChunkSignature(signing_key_, amz_date_, scope_, prev_signature_, internal::Sha256Hex(data));
    out += ";chunk-signature=" + prev_signature_;
  }
  out.append("\r\n").append(data).append("\r\n");
  return out;
}

std::string AwsChunkedEncoder::Final(const HeaderList& trailers) {
  std::string out = Chunk("");
  if (kind_ == PayloadKind::kStreamingSigned) {
    return out;
  }
  // Chunk("") ended with the CRLF that closes the chunk; trailers follow the size line.
  out.resize(out.size() - 2);
  std::string canonical;
  for (const auto& [name, value] : trailers) {
    out += name + ":" + value + "\r\n";
    canonical += AsciiLower(name) + ":" + std::string(internal::Trim(value)) + "\n";
  }
  if (kind_ == PayloadKind::kStreamingSignedTrailer) {
    out += "x-amz-trailer-signature:" +
           TrailerSignature(signing_key_, amz_date_, scope_, prev_signature_, canonical) + "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace cairn::auth
