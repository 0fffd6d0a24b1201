// Signature V2: the AWS documentation examples (johnsmith), presigned URLs as boto3 makes
// them, and errors.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/crypto.h"
#include "auth/signature.h"
#include "auth_test_util.h"

namespace cairn::auth {
namespace sigv2_test_internal {

using testing::DocCredentials;
using testing::kDocAccessKey;
using testing::kDocSecret;
using namespace std::chrono_literals;

std::chrono::system_clock::time_point Http(std::string_view date) {
  return *internal::ParseHttpDate(date);
}

struct Req {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  std::string bucket;  // virtual host
  HeaderList headers;
  std::chrono::system_clock::time_point now;

  Result<AuthResult> Auth(const CredentialProvider& creds = DocCredentials()) const {
    RequestView v;
    v.method = method;
    v.path = path;
    v.query = query;
    v.headers = &headers;
    v.now = now;
    v.virtual_host_bucket = bucket;
    return Authenticate(v, creds);
  }
};

Req Doc(std::string method, std::string path, std::string query, std::string date, HeaderList extra,
        std::string signature) {
  Req r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.bucket = "johnsmith";
  r.headers = {{"host", "johnsmith.s3.amazonaws.com"}, {"date", date}};
  r.headers.insert(r.headers.end(), extra.begin(), extra.end());
  r.headers.emplace_back("authorization", "AWS AKIAIOSFODNN7EXAMPLE:" + signature);
  r.now = Http(date);
  return r;
}

TEST(SigV2Docs, JohnSmithExamples) {
  std::vector<Req> cases = {
      Doc("GET", "/photos/puppy.jpg", "", "Tue, 27 Mar 2007 19:36:42 +0000", {},
          "bWq2s1WEIj+Ydj0vQ697zp+IXMU="),
      Doc("PUT", "/photos/puppy.jpg", "", "Tue, 27 Mar 2007 21:15:45 +0000",
          {{"content-type", "image/jpeg"}, {"content-length", "94328"}},
          "MyyxeRY7whkBe+bq8fHCL/2kKUg="),
      Doc("GET", "/", "prefix=photos&max-keys=50&marker=puppy", "Tue, 27 Mar 2007 19:42:41 +0000",
          {{"user-agent", "Mozilla/5.0"}}, "htDYFYduRNen8P9ZfE/s9SuKy0U="),
      Doc("GET", "/", "acl", "Tue, 27 Mar 2007 19:44:46 +0000", {}, "c2WLPFtWHVgbEmeEG93a4cG37dM="),
  };
  for (const auto& r : cases) {
    auto res = r.Auth();
    ASSERT_TRUE(res.ok()) << r.method << " " << r.path << "?" << r.query << ": "
                          << res.status().ToString();
    EXPECT_EQ(res->version, 2);
    EXPECT_EQ(res->service, "s3");
    EXPECT_EQ(res->access_key, kDocAccessKey);
    EXPECT_EQ(res->payload, PayloadKind::kNone);
  }
  // Path style: the bucket is in the path, no virtual host.
  Req path_style = cases[0];
  path_style.bucket.clear();
  path_style.path = "/johnsmith/photos/puppy.jpg";
  EXPECT_TRUE(path_style.Auth().ok());
}

TEST(SigV2Docs, DeleteWithAmzDate) {
  // The AWS example: x-amz-date takes the Date line; the Date header is ignored.
  Req r;
  r.method = "DELETE";
  r.path = "/johnsmith/photos/puppy.jpg";
  r.headers = {{"user-agent", "dotnet"},
               {"host", "s3.amazonaws.com"},
               {"date", "Tue, 27 Mar 2007 21:20:27 +0000"},
               {"x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000"},
               {"authorization", "AWS AKIAIOSFODNN7EXAMPLE:lx3byBScXR6KzyMaifNkardMwNk="}};
  r.now = Http("Tue, 27 Mar 2007 21:20:26 +0000");
  EXPECT_TRUE(r.Auth().ok()) << r.Auth().status().ToString();
}

TEST(SigV2Docs, UploadWithAmzHeadersAndCname) {
  Req r;
  r.method = "PUT";
  r.path = "/db-backup.dat.gz";
  r.bucket = "static.johnsmith.net";
  r.headers = {{"user-agent", "curl/7.15.5"},
               {"host", "static.johnsmith.net:8080"},
               {"date", "Tue, 27 Mar 2007 21:06:08 +0000"},
               {"x-amz-acl", "public-read"},
               {"content-type", "application/x-download"},
               {"content-md5", "4gJE4saaMU4BqNR0kLY+lw=="},
               {"X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"},
               {"X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"},
               {"X-Amz-Meta-FileChecksum", "0x02661779"},
               {"X-Amz-Meta-ChecksumAlgorithm", "crc32"},
               {"content-disposition", "attachment; filename=database.dat"},
               {"content-encoding", "gzip"},
               {"content-length", "5913339"},
               {"authorization", "AWS AKIAIOSFODNN7EXAMPLE:ilyl83RwaSoYIEdixDQcA4OnAnc="}};
  r.now = Http("Tue, 27 Mar 2007 21:06:08 +0000");
  EXPECT_TRUE(r.Auth().ok()) << r.Auth().status().ToString();
}

TEST(SigV2Docs, PresignedJohnSmith) {
  Req r;
  r.path = "/photos/puppy.jpg";
  r.bucket = "johnsmith";
  r.query =
      "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature="
      "NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D";
  r.headers = {{"host", "johnsmith.s3.amazonaws.com"}};
  r.now = std::chrono::system_clock::time_point(std::chrono::seconds(1175139620));
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_TRUE(res->presigned);
  EXPECT_EQ(res->version, 2);
  // A client that left the '+' of the signature unescaped.
  Req raw_plus = r;
  raw_plus.query =
      "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature="
      "NpgCjnDzrM+WFzoENXmpNDUsSn8=";
  EXPECT_TRUE(raw_plus.Auth().ok());
  r.now += 1s;
  EXPECT_EQ(r.Auth().code(), Errc::kRequestExpired);
}

// What botocore's HmacV1QueryAuth computes, written out independently.
std::string BotoSignature(std::string_view string_to_sign) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), kDocSecret, static_cast<int>(std::strlen(kDocSecret)),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(), out,
       &len);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, out, static_cast<int>(len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

TEST(SigV2Presigned, Boto3StyleGet) {
  // generate_presigned_url('get_object', ...) against a path-style endpoint, with a
  // response-content-disposition override (a signed sub-resource, decoded in the string).
  std::string disposition = "attachment; filename=\"my file.txt\"";
  std::string sts =
      "GET\n\n\n1700003600\n/mybucket/dir/my%20file.txt?response-content-"
      "disposition=" +
      disposition;
  std::string sig = BotoSignature(sts);
  Req r;
  r.path = "/mybucket/dir/my%20file.txt";
  r.query = "response-content-disposition=" + UriEncode(disposition, false) +
            "&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=" + UriEncode(sig, false) +
            "&Expires=1700003600";
  r.headers = {{"host", "127.0.0.1:9000"}, {"user-agent", "Boto3/1.26"}};
  r.now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  // PresignV2 makes the same signature.
  SignInput in;
  in.method = "GET";
  in.path = r.path;
  in.query = "response-content-disposition=" + UriEncode(disposition, false);
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  std::string q =
      PresignV2(in, std::chrono::system_clock::time_point(std::chrono::seconds(1700003600)));
  EXPECT_NE(q.find("Signature=" + UriEncode(sig, false)), std::string::npos) << q;
  // Query parameters that are not sub-resources are not signed in V2.
  r.query += "&x-id=GetObject";
  EXPECT_TRUE(r.Auth().ok());
}

TEST(SigV2Header, BucketPathSignedWithTrailingSlash) {
  // botocore sends ListObjects as "GET /mybucket?encoding-type=url" but signs the resource
  // "/mybucket/" (encoding-type is not a sub-resource); both spellings name the bucket.
  std::string date = "Tue, 27 Mar 2007 19:36:42 +0000";
  for (std::string_view signed_path : {"/mybucket/", "/mybucket"}) {
    std::string sts = "GET\n\n\n" + date + "\n" + std::string(signed_path);
    Req r;
    r.path = "/mybucket";
    r.query = "encoding-type=url";
    r.headers = {{"host", "127.0.0.1:9000"},
                 {"date", date},
                 {"authorization", "AWS AKIAIOSFODNN7EXAMPLE:" + BotoSignature(sts)}};
    r.now = Http(date);
    auto res = r.Auth();
    EXPECT_TRUE(res.ok()) << signed_path << ": " << res.status().ToString();
  }
  // An object path gets no such leeway: "/mybucket/key/" is another resource.
  std::string sts = "GET\n\n\n" + date + "\n/mybucket/key/";
  Req r;
  r.path = "/mybucket/key";
  r.headers = {{"host", "127.0.0.1:9000"},
               {"date", date},
               {"authorization", "AWS AKIAIOSFODNN7EXAMPLE:" + BotoSignature(sts)}};
  r.now = Http(date);
  EXPECT_EQ(r.Auth().status().code(), Errc::kSignatureDoesNotMatch);
}

TEST(SigV2Header, ListObjectsV2AsBotocoreBefore131SignsIt) {
  // botocore 1.29 (Debian 12's) signs ListObjectsV2's modelled URI "/mybucket?list-type=2" as
  // the resource; later versions sign "/mybucket/". Both are accepted; another list-type value
  // than the one sent is not.
  std::string date = "Tue, 27 Mar 2007 19:36:42 +0000";
  auto auth = [&](std::string_view signed_resource) {
    std::string sts = "GET\n\n\n" + date + "\n" + std::string(signed_resource);
    Req r;
    r.path = "/mybucket";
    r.query = "list-type=2&prefix=a%2F&encoding-type=url";
    r.headers = {{"host", "127.0.0.1:9000"},
                 {"date", date},
                 {"authorization", "AWS AKIAIOSFODNN7EXAMPLE:" + BotoSignature(sts)}};
    r.now = Http(date);
    return r.Auth().status().code();
  };
  EXPECT_EQ(auth("/mybucket?list-type=2"), Errc::kOk);
  EXPECT_EQ(auth("/mybucket/"), Errc::kOk);
  EXPECT_EQ(auth("/mybucket?list-type=1"), Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(auth("/mybucket?prefix=a/"), Errc::kSignatureDoesNotMatch);
}

TEST(SigV2Presigned, Errors) {
  SignInput in;
  in.method = "GET";
  in.path = "/b/k";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  auto expires = std::chrono::system_clock::time_point(std::chrono::seconds(2000000000));
  Req r;
  r.path = "/b/k";
  r.query = PresignV2(in, expires);
  r.headers = {{"host", "h"}};
  r.now = expires - 1h;
  ASSERT_TRUE(r.Auth().ok());
  Req tampered = r;
  tampered.path = "/b/k2";
  EXPECT_EQ(tampered.Auth().code(), Errc::kSignatureDoesNotMatch);
  Req longer = r;
  longer.query.replace(longer.query.find("Expires=2000000000"), 18, "Expires=2000000001");
  EXPECT_EQ(longer.Auth().code(), Errc::kSignatureDoesNotMatch);
  Req bad_expires = r;
  bad_expires.query.replace(bad_expires.query.find("Expires=2000000000"), 18, "Expires=tomorrow");
  EXPECT_EQ(bad_expires.Auth().code(), Errc::kAuthorizationQueryParametersError);
  Req no_sig = r;
  no_sig.query = no_sig.query.substr(0, no_sig.query.find("&Signature="));
  EXPECT_EQ(no_sig.Auth().code(), Errc::kAuthorizationQueryParametersError);
  testing::MapCredentials none{};
  EXPECT_EQ(r.Auth(none).code(), Errc::kInvalidAccessKeyId);
}

TEST(SigV2Presigned, ExpiryAtMostAWeekAhead) {
  // A V2 URL carries no creation time: what it may say is bounded from the server's clock,
  // with SigV4's longest lifetime (year 2200 and INT64_MAX were accepted before).
  SignInput in;
  in.method = "GET";
  in.path = "/b/k";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(2000000000));
  for (auto ahead : {std::chrono::seconds(604800), std::chrono::seconds(604801),
                     std::chrono::seconds(7258118400 - 2000000000)}) {
    Req r;
    r.path = "/b/k";
    r.query = PresignV2(in, now + ahead);
    r.headers = {{"host", "h"}};
    r.now = now;
    EXPECT_EQ(r.Auth().code(),
              ahead.count() <= 604800 ? Errc::kOk : Errc::kAuthorizationQueryParametersError)
        << ahead.count();
  }
  Req huge;
  huge.path = "/b/k";
  huge.query =
      "AWSAccessKeyId=" + std::string(kDocAccessKey) + "&Expires=9223372036854775807&Signature=x";
  huge.headers = {{"host", "h"}};
  huge.now = now;
  EXPECT_EQ(huge.Auth().code(), Errc::kAuthorizationQueryParametersError);
}

TEST(SigV2Presigned, VirtualHostSignsTheBucket) {
  // Made for bucket a (virtual host a.example.com), replayed against bucket b.
  SignInput in;
  in.method = "GET";
  in.path = "/k";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(2000000000));
  Req r;
  r.path = "/k";
  r.bucket = "a";
  r.query = PresignV2(in, now + std::chrono::hours(1), "a");
  r.headers = {{"host", "a.example.com"}};
  r.now = now;
  ASSERT_TRUE(r.Auth().ok());
  Req other = r;
  other.bucket = "b";
  other.headers = {{"host", "b.example.com"}};
  EXPECT_EQ(other.Auth().code(), Errc::kSignatureDoesNotMatch);
}

TEST(SigV2Header, RoundTripAndErrors) {
  SignInput in;
  in.method = "PUT";
  in.path = "/k";
  in.query = "uploadId=abc&partNumber=2&foo=bar";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = Http("Tue, 05 Mar 2024 10:00:00 GMT");
  HeaderList headers = {{"host", "bkt.s3.local"},
                        {"content-type", "text/plain"},
                        {"content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
                        {"x-amz-meta-b", "2"},
                        {"x-amz-meta-a", "  1  "}};
  SignV2(in, headers, "bkt");
  Req r;
  r.method = "PUT";
  r.path = "/k";
  r.query = in.query;
  r.bucket = "bkt";
  r.headers = headers;
  r.now = in.now;
  ASSERT_TRUE(r.Auth().ok()) << r.Auth().status().ToString();

  auto with = [&](auto change) {
    Req c = r;
    change(c);
    return c.Auth().code();
  };
  EXPECT_EQ(with([](Req& c) { c.query = "uploadId=abd&partNumber=2&foo=bar"; }),
            Errc::kSignatureDoesNotMatch);
  // A parameter that is not a sub-resource is not signed.
  EXPECT_EQ(with([](Req& c) { c.query = "uploadId=abc&partNumber=2&foo=baz"; }), Errc::kOk);
  EXPECT_EQ(with([](Req& c) { c.headers.emplace_back("x-amz-meta-c", "3"); }),
            Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(with([](Req& c) { c.headers[1].second = "text/html"; }), Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(with([](Req& c) { c.bucket = "other"; }), Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(with([](Req& c) { c.now += 16min; }), Errc::kRequestTimeTooSkewed);
  EXPECT_EQ(with([](Req& c) { c.now -= 16min; }), Errc::kRequestTimeTooSkewed);
  EXPECT_EQ(with([](Req& c) {
              std::erase_if(c.headers, [](const auto& h) { return h.first == "date"; });
            }),
            Errc::kAccessDenied);
  EXPECT_EQ(with([](Req& c) { c.headers.back().second = "AWS AKIAIOSFODNN7EXAMPLE"; }),
            Errc::kAuthorizationHeaderMalformed);
  EXPECT_EQ(with([](Req& c) { c.headers.back().second = "AWS :abc="; }),
            Errc::kAuthorizationHeaderMalformed);
  EXPECT_EQ(with([](Req& c) { c.headers.back().second = "AWS NOBODY:abc="; }),
            Errc::kInvalidAccessKeyId);
}

TEST(SigV2Header, AmzDateVariants) {
  // x-amz-date with an empty Date line (the AWS rule), as SignV2 does it.
  SignInput in;
  in.method = "GET";
  in.path = "/b/k";
  in.access_key = kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = Http("Tue, 05 Mar 2024 10:00:00 GMT");
  HeaderList headers = {{"x-amz-date", "Tue, 05 Mar 2024 10:00:00 GMT"}};
  SignV2(in, headers);
  Req r;
  r.path = "/b/k";
  r.headers = headers;
  r.now = in.now;
  EXPECT_TRUE(r.Auth().ok()) << r.Auth().status().ToString();
  // The older MinIO spelling: the Date header's value on the Date line and x-amz-date among
  // the x-amz-* lines.
  Req legacy;
  legacy.path = "/b/k";
  legacy.now = in.now;
  legacy.headers = {{"date", "Tue, 05 Mar 2024 10:00:01 GMT"},
                    {"x-amz-date", "Tue, 05 Mar 2024 10:00:00 GMT"}};
  std::string sig = BotoSignature(
      "GET\n\n\nTue, 05 Mar 2024 10:00:01 GMT\nx-amz-date:Tue, 05 Mar 2024 10:00:00 GMT\n/b/k");
  legacy.headers.emplace_back("authorization", "AWS AKIAIOSFODNN7EXAMPLE:" + sig);
  EXPECT_TRUE(legacy.Auth().ok()) << legacy.Auth().status().ToString();
  legacy.headers[0].second = "Tue, 05 Mar 2024 10:00:02 GMT";
  EXPECT_EQ(legacy.Auth().code(), Errc::kSignatureDoesNotMatch);
  // Unparseable dates are refused.
  r.headers[0].second = "soon";
  EXPECT_EQ(r.Auth().code(), Errc::kAccessDenied);
}

}  // namespace sigv2_test_internal
}  // namespace cairn::auth
