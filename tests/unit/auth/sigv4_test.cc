// SigV4 verification: the S3 documentation examples, round trips through SignV4/PresignV4,
// tampering, clock skew, expiry and malformed input.
#include <cctype>

#include <gtest/gtest.h>

#include "auth/crypto.h"
#include "auth/signature.h"
#include "auth_test_util.h"

namespace cairn::auth {
namespace sigv4_test_internal {

using testing::At;
using testing::DocCredentials;
using testing::kDocAccessKey;
using testing::kDocSecret;
using testing::kEmptySha;
using namespace std::chrono_literals;

struct Req {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  HeaderList headers;
  std::chrono::system_clock::time_point now = At("20130524T000000Z");

  Result<AuthResult> Auth(const CredentialProvider& creds = DocCredentials()) const {
    RequestView v;
    v.method = method;
    v.path = path;
    v.query = query;
    v.headers = &headers;
    v.now = now;
    return Authenticate(v, creds);
  }
};

std::string DocAuthorization(std::string_view signed_headers, std::string_view signature) {
  return std::string(
             "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
             "aws4_request,SignedHeaders=") +
         std::string(signed_headers) + ",Signature=" + std::string(signature);
}

Req DocGetObject() {
  Req r;
  r.path = "/test.txt";
  r.headers = {
      {"host", "examplebucket.s3.amazonaws.com"},
      {"range", "bytes=0-9"},
      {"x-amz-content-sha256", kEmptySha},
      {"x-amz-date", "20130524T000000Z"},
      {"authorization",
       DocAuthorization("host;range;x-amz-content-sha256;x-amz-date",
                        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")}};
  return r;
}

TEST(SigV4Docs, GetObject) {
  auto r = DocGetObject().Auth();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->anonymous);
  EXPECT_EQ(r->version, 4);
  EXPECT_EQ(r->access_key, kDocAccessKey);
  EXPECT_EQ(r->payload, PayloadKind::kSigned);
  EXPECT_EQ(r->payload_sha256_hex, kEmptySha);
  EXPECT_EQ(r->scope, "20130524/us-east-1/s3/aws4_request");
}

TEST(SigV4Docs, PutObject) {
  Req r;
  r.method = "PUT";
  r.path = "/test$file.text";
  std::string sha = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  r.headers = {
      {"host", "examplebucket.s3.amazonaws.com"},
      {"date", "Fri, 24 May 2013 00:00:00 GMT"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"x-amz-content-sha256", sha},
      {"authorization",
       DocAuthorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")}};
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->payload, PayloadKind::kSigned);
  EXPECT_EQ(res->payload_sha256_hex, sha);
  // The same request with the key encoded as a client would send it.
  r.path = "/test%24file.text";
  EXPECT_TRUE(r.Auth().ok());
}

TEST(SigV4Docs, GetBucketLifecycleAndListObjects) {
  Req r;
  r.query = "lifecycle";
  r.headers = {
      {"host", "examplebucket.s3.amazonaws.com"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-content-sha256", kEmptySha},
      {"authorization",
       DocAuthorization("host;x-amz-content-sha256;x-amz-date",
                        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")}};
  EXPECT_TRUE(r.Auth().ok()) << r.Auth().status().ToString();
  r.query = "max-keys=2&prefix=J";
  r.headers.back().second =
      DocAuthorization("host;x-amz-content-sha256;x-amz-date",
                       "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  EXPECT_TRUE(r.Auth().ok()) << r.Auth().status().ToString();
  r.query = "prefix=J&max-keys=2";  // order on the wire does not matter
  EXPECT_TRUE(r.Auth().ok());
}

TEST(SigV4Docs, ChunkedUploadSeedSignature) {
  Req r;
  r.method = "PUT";
  r.path = "/examplebucket/chunkObject.txt";
  r.headers = {
      {"host", "s3.amazonaws.com"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
       "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
       "x-amz-decoded-content-length;x-amz-storage-class, "
       "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
      {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
      {"content-encoding", "aws-chunked"},
      {"x-amz-decoded-content-length", "66560"},
      {"content-length", "66824"}};
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->payload, PayloadKind::kStreamingSigned);
  EXPECT_EQ(res->decoded_content_length, 66560);
  EXPECT_EQ(res->seed_signature,
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  EXPECT_EQ(res->amz_date, "20130524T000000Z");
  EXPECT_EQ(res->signing_key.size(), 32u);
}

TEST(SigV4Docs, PresignedGetObject) {
  Req r;
  r.path = "/test.txt";
  r.query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-"
      "east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
      "SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"}};
  r.now = At("20130524T010000Z");
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_TRUE(res->presigned);
  EXPECT_EQ(res->payload, PayloadKind::kUnsigned);
  // PresignV4 produces exactly that query string.
  SignInput in;
  in.method = "GET";
  in.path = "/test.txt";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = At("20130524T000000Z");
  EXPECT_EQ(PresignV4(in, "examplebucket.s3.amazonaws.com", 86400s), r.query);
  // Expiry: valid through its last second, expired after.
  r.now = At("20130525T000000Z");
  EXPECT_TRUE(r.Auth().ok());
  r.now = At("20130525T000001Z");
  EXPECT_EQ(r.Auth().code(), Errc::kRequestExpired);
  // Not valid yet: dated more than 15 minutes in the future.
  r.now = At("20130523T234500Z");
  EXPECT_TRUE(r.Auth().ok());
  r.now = At("20130523T234459Z");
  EXPECT_EQ(r.Auth().code(), Errc::kAccessDenied);
}

TEST(SigV4Sign, ReproducesDocSignature) {
  SignInput in;
  in.method = "GET";
  in.path = "/test.txt";
  in.payload_sha256_hex = kEmptySha;
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = At("20130524T000000Z");
  in.host = "examplebucket.s3.amazonaws.com";
  HeaderList headers = {{"Range", "bytes=0-9"}};
  SignV4(in, headers);
  EXPECT_EQ(internal::HeaderValue(headers, "authorization").value_or(""),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// A request signed by SignV4 at `now`, for round trips.
Req Signed(std::string method, std::string path, std::string query, HeaderList headers,
           std::string payload = "UNSIGNED-PAYLOAD", std::string region = "us-east-1") {
  SignInput in;
  in.method = method;
  in.path = path;
  in.query = query;
  in.payload_sha256_hex = payload;
  in.region = region;
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = At("20240301T120000Z");
  in.host = "127.0.0.1:9000";
  Req r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  SignV4(in, headers);
  r.headers = std::move(headers);
  r.now = in.now;
  return r;
}

void SetHeader(Req& r, std::string_view name, std::string value) {
  for (auto& h : r.headers) {
    if (h.first == name) {
      h.second = std::move(value);
      return;
    }
  }
  r.headers.emplace_back(std::string(name), std::move(value));
}

TEST(SigV4Verify, RoundTripsAndAnyRegion) {
  auto r = Signed("PUT", "/bucket/dir/a%20key%2Bplus~", "partNumber=1&uploadId=x%2By",
                  {{"content-type", "text/plain"}, {"x-amz-meta-a", "x  y"}});
  ASSERT_TRUE(r.Auth().ok()) << r.Auth().status().ToString();
  EXPECT_EQ(r.Auth()->payload, PayloadKind::kUnsigned);
  auto eu = Signed("GET", "/b/k", "", {}, "UNSIGNED-PAYLOAD", "eu-west-3");
  ASSERT_TRUE(eu.Auth().ok());
  EXPECT_EQ(eu.Auth()->scope, "20240301/eu-west-3/s3/aws4_request");
}

// The credential scope may name "s3", "sts" or "iam" (the S3 port serves all three); the
// caller checks the service against the operation (AuthResult::service). Anything else is a
// malformed header or query.
TEST(SigV4Verify, ServiceOfTheScope) {
  for (const char* service : {"s3", "sts", "iam"}) {
    SignInput in;
    in.method = "POST";
    in.path = "/";
    in.access_key = kDocAccessKey;
    in.secret_key = kDocSecret;
    in.now = At("20240301T120000Z");
    in.host = "127.0.0.1:9000";
    in.service = service;
    Req r;
    r.method = "POST";
    SignV4(in, r.headers);
    r.now = in.now;
    auto res = r.Auth();
    ASSERT_TRUE(res.ok()) << service << ": " << res.status().ToString();
    EXPECT_EQ(res->service, service);
    EXPECT_EQ(res->scope, std::string("20240301/us-east-1/") + service + "/aws4_request");
    std::string query = PresignV4(in, "127.0.0.1:9000", 3600s);
    Req p;
    p.method = "POST";
    p.query = query;
    p.headers = {{"host", "127.0.0.1:9000"}};
    p.now = in.now;
    auto pres = p.Auth();
    ASSERT_TRUE(pres.ok()) << service << ": " << pres.status().ToString();
    EXPECT_EQ(pres->service, service);
  }
  SignInput in;
  in.method = "GET";
  in.path = "/";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = At("20240301T120000Z");
  in.host = "127.0.0.1:9000";
  in.service = "ec2";
  Req r;
  SignV4(in, r.headers);
  r.now = in.now;
  EXPECT_EQ(r.Auth().code(), Errc::kAuthorizationHeaderMalformed);
  Req p;
  p.query = PresignV4(in, "127.0.0.1:9000", 3600s);
  p.headers = {{"host", "127.0.0.1:9000"}};
  p.now = in.now;
  EXPECT_EQ(p.Auth().code(), Errc::kAuthorizationQueryParametersError);
  // V2 and anonymous requests are S3's.
  Req anonymous;
  anonymous.now = in.now;
  ASSERT_TRUE(anonymous.Auth(DocCredentials()).ok());
  EXPECT_EQ(anonymous.Auth()->service, "s3");
}

// A body read before authentication (the STS form): a signature without
// x-amz-content-sha256 covers its hash, as MinIO's STS does.
TEST(SigV4Verify, BodyHashOfAFormReadFirst) {
  const std::string body = "Action=AssumeRole&Version=2011-06-15";
  const std::string hash = internal::Hex(internal::Sha256(body));
  SignInput in;
  in.method = "POST";
  in.path = "/";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = At("20240301T120000Z");
  in.host = "127.0.0.1:9000";
  in.service = "sts";
  in.payload_sha256_hex = hash;
  in.add_content_sha256_header = false;
  Req r;
  r.method = "POST";
  r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  SignV4(in, r.headers);
  r.now = in.now;
  EXPECT_EQ(r.Auth().code(), Errc::kSignatureDoesNotMatch);  // taken as the empty body's
  RequestView v;
  v.method = r.method;
  v.path = r.path;
  v.query = r.query;
  v.headers = &r.headers;
  v.now = r.now;
  v.body_sha256_hex = hash;
  auto res = Authenticate(v, DocCredentials());
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->service, "sts");
  const std::string other = internal::Hex(internal::Sha256("Action=Other"));  // a view's owner
  v.body_sha256_hex = other;
  EXPECT_EQ(Authenticate(v, DocCredentials()).code(), Errc::kSignatureDoesNotMatch);
}

TEST(SigV4Verify, QuerySpaceAsPlusOrPercent) {
  auto r = Signed("GET", "/b", "prefix=a%20b&list-type=2", {});
  r.query = "list-type=2&prefix=a+b";
  EXPECT_TRUE(r.Auth().ok());
  r.query = "list-type=2&prefix=a%2Bb";  // a real plus is another value
  EXPECT_EQ(r.Auth().code(), Errc::kSignatureDoesNotMatch);
}

TEST(SigV4Verify, RandomKeysAndQueriesRoundTrip) {
  // Keys and query values with arbitrary bytes, encoded as SDKs do; the server must accept
  // them also when the escapes are spelled in lowercase.
  std::mt19937 rng(11);
  auto random_text = [&](std::size_t max) {
    std::string s(1 + rng() % max, '\0');
    for (char& c : s) {
      c = static_cast<char>(rng() % 4 == 0 ? 0x80 + rng() % 0x80 : 0x20 + rng() % 0x5f);
    }
    return s;
  };
  auto lower_escapes = [](std::string s) {
    for (std::size_t i = 0; i + 2 < s.size(); ++i) {
      if (s[i] == '%') {
        s[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i + 1])));
        s[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i + 2])));
      }
    }
    return s;
  };
  for (int i = 0; i < 200; ++i) {
    std::string path = "/bucket/" + UriEncode(random_text(40), true);
    std::string query = "prefix=" + UriEncode(random_text(20), false) +
                        "&continuation-token=" + UriEncode(random_text(20), false);
    Req r = Signed("GET", path, query, {});
    ASSERT_TRUE(r.Auth().ok()) << path << "?" << query;
    r.path = lower_escapes(r.path);
    r.query = lower_escapes(r.query);
    EXPECT_TRUE(r.Auth().ok()) << r.path << "?" << r.query;
  }
}

TEST(SigV4Verify, TamperingFails) {
  const auto base = Signed("PUT", "/b/k", "tagging", {{"content-type", "a/b"}}, kEmptySha);
  ASSERT_TRUE(base.Auth().ok());
  std::vector<std::pair<std::string, std::function<void(Req&)>>> changes = {
      {"method", [](Req& r) { r.method = "POST"; }},
      {"path", [](Req& r) { r.path = "/b/k2"; }},
      {"path encoding", [](Req& r) { r.path = "/b%2Fk"; }},
      {"query", [](Req& r) { r.query = "tagging&x=1"; }},
      {"signed header", [](Req& r) { SetHeader(r, "content-type", "a/c"); }},
      {"host", [](Req& r) { SetHeader(r, "host", "evil"); }},
      {"payload", [](Req& r) { SetHeader(r, "x-amz-content-sha256", "UNSIGNED-PAYLOAD"); }},
      {"date", [](Req& r) { SetHeader(r, "x-amz-date", "20240301T120001Z"); }},
      {"signature",
       [](Req& r) {
         std::string& a = r.headers.back().second;
         a.back() = a.back() == '0' ? '1' : '0';
       }},
  };
  for (auto& [name, change] : changes) {
    Req r = base;
    change(r);
    EXPECT_EQ(r.Auth().code(), Errc::kSignatureDoesNotMatch) << name;
  }
  testing::MapCredentials other{{kDocAccessKey, "another secret"}};
  EXPECT_EQ(base.Auth(other).code(), Errc::kSignatureDoesNotMatch);
  testing::MapCredentials none{};
  EXPECT_EQ(base.Auth(none).code(), Errc::kInvalidAccessKeyId);
  // A signed header that is gone from the request.
  Req gone = base;
  std::erase_if(gone.headers, [](const auto& h) { return h.first == "content-type"; });
  EXPECT_EQ(gone.Auth().code(), Errc::kSignatureDoesNotMatch);
}

TEST(SigV4Verify, ClockSkew) {
  auto r = Signed("GET", "/b/k", "", {});
  auto signed_at = r.now;
  for (auto offset : {-15min, 15min}) {
    r.now = signed_at + offset;
    EXPECT_TRUE(r.Auth().ok());
  }
  for (std::chrono::seconds offset : {-15min - 1s, 15min + 1s, std::chrono::seconds(24h)}) {
    r.now = signed_at + offset;
    EXPECT_EQ(r.Auth().code(), Errc::kRequestTimeTooSkewed);
  }
}

TEST(SigV4Verify, DateHeaders) {
  auto r = Signed("GET", "/b/k", "", {});
  Req missing = r;
  std::erase_if(missing.headers, [](const auto& h) { return h.first == "x-amz-date"; });
  EXPECT_EQ(missing.Auth().code(), Errc::kAccessDenied);
  Req bad = r;
  // AWS: 403 AccessDenied "AWS authentication requires a valid Date or x-amz-date header".
  for (const char* date : {"2024-03-01T12:00:00Z", "20241301T000000Z", "20240301T250000Z",
                           "99999999T999999Z", "garbage"}) {
    SetHeader(bad, "x-amz-date", date);
    EXPECT_EQ(bad.Auth().code(), Errc::kAccessDenied) << date;
  }
  Req other_day = r;
  SetHeader(other_day, "x-amz-date", "20240302T000500Z");
  other_day.now = At("20240302T000500Z");
  EXPECT_EQ(other_day.Auth().code(), Errc::kAuthorizationHeaderMalformed);

  // Only a Date header: the string to sign carries it in ISO 8601 form.
  Req d;
  d.path = "/b/k";
  d.now = At("20130524T000000Z");
  d.headers = {{"host", "h"}, {"date", "Fri, 24 May 2013 00:00:00 GMT"}};
  std::string canonical = internal::CanonicalRequest(
      "GET", "/b/k", "", "date:Fri, 24 May 2013 00:00:00 GMT\nhost:h\n", "date;host", kEmptySha);
  std::string key = internal::SigningKey(kDocSecret, "20130524", "us-east-1", "s3");
  std::string sig = internal::Hex(internal::HmacSha256(
      key,
      internal::StringToSign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", canonical)));
  d.headers.emplace_back("authorization", DocAuthorization("date;host", sig));
  auto res = d.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  // No x-amz-content-sha256: signed as the empty body, body not verified (MinIO).
  EXPECT_EQ(res->payload, PayloadKind::kNone);
}

TEST(SigV4Verify, PayloadKinds) {
  struct Case {
    std::string value;
    PayloadKind kind;
  };

  std::string upper(64, 'A');
  for (const Case& c :
       {Case{"UNSIGNED-PAYLOAD", PayloadKind::kUnsigned}, Case{upper, PayloadKind::kSigned},
        Case{"STREAMING-AWS4-HMAC-SHA256-PAYLOAD", PayloadKind::kStreamingSigned},
        Case{"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", PayloadKind::kStreamingSignedTrailer},
        Case{"STREAMING-UNSIGNED-PAYLOAD-TRAILER", PayloadKind::kStreamingUnsignedTrailer}}) {
    auto r =
        Signed("PUT", "/b/k", "",
               {{"x-amz-trailer", "x-amz-checksum-crc32"}, {"x-amz-decoded-content-length", "5"}},
               c.value);
    auto res = r.Auth();
    ASSERT_TRUE(res.ok()) << c.value << ": " << res.status().ToString();
    EXPECT_EQ(res->payload, c.kind) << c.value;
    if (c.kind == PayloadKind::kSigned) {
      EXPECT_EQ(res->payload_sha256_hex, std::string(64, 'a'));
    }
    if (IsStreaming(c.kind)) {
      EXPECT_EQ(res->decoded_content_length, 5);
      EXPECT_EQ(res->declared_trailers, "x-amz-checksum-crc32");
    }
  }
  EXPECT_EQ(Signed("PUT", "/b/k", "", {}, "abc").Auth().code(), Errc::kInvalidArgumentS3);
  EXPECT_EQ(Signed("PUT", "/b/k", "", {}, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD").Auth().code(),
            Errc::kUnsupportedSignature);
  EXPECT_EQ(Signed("PUT", "/b/k", "", {{"x-amz-decoded-content-length", "-1"}},
                   "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
                .Auth()
                .code(),
            Errc::kInvalidArgumentS3);
}

TEST(SigV4Verify, UnsignedAmzHeaders) {
  auto r = Signed("PUT", "/b/k", "", {});
  Req meta = r;
  meta.headers.emplace_back("x-amz-meta-late", "1");
  EXPECT_EQ(meta.Auth().code(), Errc::kAccessDenied);
  Req copy = r;
  copy.headers.emplace_back("X-Amz-Copy-Source", "/other/secret");
  EXPECT_EQ(copy.Auth().code(), Errc::kAccessDenied);
  // Other headers need not be signed.
  Req ua = r;
  ua.headers.emplace_back("user-agent", "x");
  EXPECT_TRUE(ua.Auth().ok());
}

TEST(SigV4Verify, MalformedAuthorization) {
  const std::string cred = "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";
  const std::string sh = "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date";
  const std::string sig =
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  const std::string a = "AWS4-HMAC-SHA256 ";
  const std::vector<std::string> malformed = {
      a,
      a + cred + "," + sh,
      a + cred + "," + sh + "," + sig + "," + sig,
      a + cred + "," + cred + "," + sig,
      a + cred + "," + sh + ",Foo=bar",
      a + cred + "," + sh + "," + sig + ",",
      a + cred + ";" + sh + ";" + sig,
      a + "Credential," + sh + "," + sig,
      a + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3," + sh + "," + sig,
      a + "Credential=AKIAIOSFODNN7EXAMPLE/2013052/us-east-1/s3/aws4_request," + sh + "," + sig,
      a + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/aws4_request," + sh + "," + sig,
      a + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_requests," + sh + "," + sig,
      a + "Credential=AKIAIOSFODNN7EXAMPLE/20130524//s3/aws4_request," + sh + "," + sig,
      a + "Credential=/20130524/us-east-1/s3/aws4_request," + sh + "," + sig,
      a + cred + ",SignedHeaders=range;x-amz-date," + sig,
      a + cred + ",SignedHeaders=," + sig,
      a + cred + ",SignedHeaders=host;;range," + sig,
      a + cred + ",SignedHeaders=host;ra nge," + sig,
      a + cred + "," + sh + ",Signature=f0e8bd",
      a + cred + "," + sh + ",Signature=" + std::string(64, 'F'),
      a + cred + "," + sh + ",Signature=" + std::string(64, 'g'),
      "AWS4-HMAC-SHA256," + cred + "," + sh + "," + sig,
  };
  for (const auto& value : malformed) {
    Req r = DocGetObject();
    SetHeader(r, "authorization", value);
    EXPECT_EQ(r.Auth().code(), Errc::kAuthorizationHeaderMalformed) << value;
  }
  // Spaces after the commas are fine, and so is any component order.
  Req spaced = DocGetObject();
  SetHeader(spaced, "authorization", a + sig + ", " + cred + " ,  " + sh);
  EXPECT_TRUE(spaced.Auth().ok()) << spaced.Auth().status().ToString();
  for (const char* other : {"AWS4-ECDSA-P256-SHA256 Credential=x", "Bearer abc", "AWS4"}) {
    Req r = DocGetObject();
    SetHeader(r, "authorization", other);
    EXPECT_EQ(r.Auth().code(), Errc::kUnsupportedSignature) << other;
  }
}

TEST(SigV4Verify, AccessKeyWithSlashAndUnsignedClientHeaders) {
  testing::MapCredentials creds{{"svc/account", "s3cr3t"}};
  SignInput in;
  in.method = "GET";
  in.path = "/b/k";
  in.access_key = "svc/account";
  in.secret_key = "s3cr3t";
  in.now = At("20240301T120000Z");
  in.host = "h";
  HeaderList headers = {{"User-Agent", "aws-cli/2"},
                        {"Expect", "100-continue"},
                        {"X-Amz-Meta-Mixed", "v"},
                        {"Content-Type", "text/plain"}};
  SignV4(in, headers);
  std::string_view authz = internal::HeaderValue(headers, "authorization").value_or("");
  EXPECT_NE(authz.find("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;"
                       "x-amz-meta-mixed,"),
            std::string_view::npos)
      << authz;
  Req r;
  r.path = "/b/k";
  r.headers = headers;
  r.now = in.now;
  auto res = r.Auth(creds);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->access_key, "svc/account");
  // A request without any headers is anonymous.
  RequestView v;
  v.method = "GET";
  v.path = "/b/k";
  auto anon = Authenticate(v, creds);
  ASSERT_TRUE(anon.ok());
  EXPECT_TRUE(anon->anonymous);
}

TEST(SigV4Verify, MutatedRequestsNeverPass) {
  // Random edits of a valid request's Authorization, date, path and query: every edit that
  // changes anything signed fails, and none crashes (this runs under ASan in CI).
  const Req base = Signed("PUT", "/b/k%20x", "uploadId=1&partNumber=2", {{"x-amz-meta-a", "1"}});
  ASSERT_TRUE(base.Auth().ok());
  std::mt19937 rng(7);
  auto mutate = [&](std::string& s) {
    if (s.empty()) {
      s.push_back(static_cast<char>(rng()));
      return;
    }
    std::size_t at = rng() % s.size();
    switch (rng() % 3) {
      case 0:
        s[at] = static_cast<char>(s[at] ^ (1 + rng() % 127));
        break;
      case 1:
        s.erase(at, 1 + rng() % 3);
        break;
      default:
        s.insert(at, 1, "=,/;% +"[rng() % 7]);
    }
  };
  for (int i = 0; i < 2000; ++i) {
    Req r = base;
    switch (i % 4) {
      case 0:
        mutate(r.headers.back().second);
        break;
      case 1:
        mutate(r.path);
        break;
      case 2:
        mutate(r.query);
        break;
      default:
        for (auto& h : r.headers) {
          if (h.first == "x-amz-date") {
            mutate(h.second);
          }
        }
    }
    auto res = r.Auth();
    if (res.ok()) {
      // Only edits that canonicalize to the same request may pass.
      EXPECT_EQ(internal::CanonicalUri(r.path), internal::CanonicalUri(base.path)) << i;
      EXPECT_EQ(internal::CanonicalQuery(ParseQueryLenient(r.query)),
                internal::CanonicalQuery(ParseQueryLenient(base.query)))
          << i;
    }
  }
}

TEST(SigV4Presigned, RoundTripAndErrors) {
  SignInput in;
  in.method = "PUT";
  in.path = "/bucket/a%20b";
  in.query = "uploadId=u1&partNumber=3";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = At("20240301T120000Z");
  std::string query = PresignV4(in, "s3.local:9000", 3600s);
  Req r;
  r.method = "PUT";
  r.path = in.path;
  r.query = query;
  r.headers = {{"host", "s3.local:9000"}, {"content-length", "5"}};
  r.now = in.now + 10min;
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->access_key, kDocAccessKey);
  EXPECT_TRUE(res->presigned);

  auto replace = [&](std::string_view key, std::string_view value) {
    std::string q;
    const QueryParams params = ParseQueryLenient(query);
    for (const auto& p : params.all()) {
      std::string v = p.key == key ? std::string(value) : p.value;
      q += (q.empty() ? "" : "&") + UriEncode(p.key, false) + "=" + UriEncode(v, false);
    }
    Req copy = r;
    copy.query = q;
    return copy.Auth().code();
  };
  EXPECT_EQ(replace("X-Amz-Expires", "0"), Errc::kAuthorizationQueryParametersError);
  EXPECT_EQ(replace("X-Amz-Expires", "-5"), Errc::kAuthorizationQueryParametersError);
  EXPECT_EQ(replace("X-Amz-Expires", "604801"), Errc::kAuthorizationQueryParametersError);
  EXPECT_EQ(replace("X-Amz-Expires", "12x"), Errc::kAuthorizationQueryParametersError);
  EXPECT_EQ(replace("X-Amz-Expires", "7200"), Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(replace("X-Amz-Algorithm", "AWS4-HMAC-SHA1"), Errc::kAuthorizationQueryParametersError);
  EXPECT_EQ(replace("X-Amz-Date", "2024-03-01"), Errc::kAuthorizationQueryParametersError);
  EXPECT_EQ(replace("X-Amz-SignedHeaders", "content-length"),
            Errc::kAuthorizationQueryParametersError);
  EXPECT_EQ(replace("X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20240301/us-east-1/ec2/aws4_request"),
            Errc::kAuthorizationQueryParametersError);
  // Another service the S3 port serves: the scope parses, the signature (made for s3) not.
  EXPECT_EQ(replace("X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20240301/us-east-1/sts/aws4_request"),
            Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(replace("X-Amz-Credential", "NOBODY/20240301/us-east-1/s3/aws4_request"),
            Errc::kInvalidAccessKeyId);
  EXPECT_EQ(replace("partNumber", "4"), Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(replace("X-Amz-Signature", std::string(64, '0')), Errc::kSignatureDoesNotMatch);

  Req missing = r;
  missing.query = query.substr(0, query.find("&X-Amz-Signature="));
  EXPECT_EQ(missing.Auth().code(), Errc::kAuthorizationQueryParametersError);
  Req extra = r;
  extra.query += "&x=1";
  EXPECT_EQ(extra.Auth().code(), Errc::kSignatureDoesNotMatch);
  Req unsigned_meta = r;
  unsigned_meta.headers.emplace_back("x-amz-meta-x", "1");
  EXPECT_EQ(unsigned_meta.Auth().code(), Errc::kAccessDenied);
  Req both = r;
  both.headers.emplace_back("authorization", "AWS AKIAIOSFODNN7EXAMPLE:abc=");
  EXPECT_EQ(both.Auth().code(), Errc::kInvalidArgumentS3);

  // The longest lifetime, a week, is accepted.
  std::string week = PresignV4(in, "s3.local:9000", 604800s);
  Req w = r;
  w.query = week;
  w.now = in.now + 604800s;
  EXPECT_TRUE(w.Auth().ok());
}

TEST(SigV4Presigned, ContentSha256InQuery) {
  SignInput in;
  in.method = "PUT";
  in.path = "/b/k";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = At("20240301T120000Z");
  in.payload_sha256_hex = internal::Sha256Hex("hello");
  Req r;
  r.method = "PUT";
  r.path = "/b/k";
  r.query = PresignV4(in, "h", 60s);
  r.headers = {{"host", "h"}};
  r.now = in.now;
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->payload, PayloadKind::kSigned);
  EXPECT_EQ(res->payload_sha256_hex, internal::Sha256Hex("hello"));
  in.payload_sha256_hex = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  r.query = PresignV4(in, "h", 60s);
  EXPECT_EQ(r.Auth().code(), Errc::kInvalidRequest);
}

TEST(Anonymous, NoCredentials) {
  Req r;
  r.path = "/b/k";
  r.headers = {{"host", "h"}};
  auto res = r.Auth();
  ASSERT_TRUE(res.ok());
  EXPECT_TRUE(res->anonymous);
  EXPECT_EQ(res->payload, PayloadKind::kNone);
  r.headers.emplace_back("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  r.headers.emplace_back("x-amz-decoded-content-length", "3");
  res = r.Auth();
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->payload, PayloadKind::kStreamingUnsignedTrailer);
  EXPECT_EQ(res->decoded_content_length, 3);
  r.headers[1].second = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  EXPECT_EQ(r.Auth().code(), Errc::kAccessDenied);
  // A body hash is still checked for anonymous requests.
  r.headers[1].second = internal::Sha256Hex("x");
  res = r.Auth();
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->payload, PayloadKind::kSigned);
  EXPECT_EQ(res->payload_sha256_hex, internal::Sha256Hex("x"));
}

}  // namespace sigv4_test_internal
}  // namespace cairn::auth
