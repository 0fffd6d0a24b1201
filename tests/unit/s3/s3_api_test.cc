// S3Api end to end through a FakeExchange: signed requests (auth::SignV4), the real
// middleware, handlers and HashReader, over MemoryObjectLayer.
#include <gtest/gtest.h>

#include "auth/canonical.h"
#include "auth/post_policy.h"
#include "auth/signature.h"
#include "common/checksum.h"
#include "common/text.h"
#include "crypto/keys.h"
#include "fake_exchange.h"
#include "memory_object_layer.h"
#include "object/hash_reader.h"
#include "object/server_pools.h"
#include "s3/acl.h"
#include "s3/bucket_encryption.h"
#include "s3/router.h"
#include "s3/s3_server.h"
#include "testing/memory_drive.h"
#include "testing/string_source.h"
#include "testing/sync_wait.h"

namespace cairn::s3 {
namespace s3_api_test_internal {

using cairn::testing::SyncWait;
using testing::FakeExchange;
using testing::MemoryObjectLayer;

constexpr std::string_view kAccess = "AKIDCAIRNTEST";
constexpr std::string_view kSecret = "cairn-secret-key-for-tests";

struct Response {
  int status = 0;
  http::Headers headers;
  std::string body;
  bool streamed = false;
  std::optional<std::uint64_t> length;

  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) {
        return v;
      }
    }
    return "<absent>";
  }

  bool Has(std::string_view text) const { return body.find(text) != std::string::npos; }
};

struct Options {
  http::Headers headers;
  bool sign = true;
  bool signed_payload = false;  // x-amz-content-sha256 = hex SHA-256 of the body
  std::string payload_hash;     // overrides the payload hash when set
  bool content_length = true;
  std::string host = "localhost:9000";
};

enum class Backend { kMemoryLayer, kServerPools };

// A KMS of two keys ("default", "other") that seals data keys with crypto::SealKey, the
// context as associated data; "disabled" exists but is disabled.
class FakeKms final : public kms::Kms {
 public:
  const std::string& default_key() const override { return default_; }

  Task<Result<kms::DataKey>> GenerateKey(const RequestContext&, std::string_view key_id,
                                         const kms::Context& context) override {
    CO_ASSIGN_OR_RETURN(crypto::Key kek, Find(key_id));
    kms::DataKey out{std::string(key_id), crypto::RandomKey(), {}};
    out.sealed = crypto::SealKey(kek, out.plaintext, Flatten(context));
    co_return out;
  }

  Task<Result<crypto::Key>> Decrypt(const RequestContext&, std::string_view key_id,
                                    std::string_view sealed, const kms::Context& context) override {
    CO_ASSIGN_OR_RETURN(crypto::Key kek, Find(key_id));
    auto key = crypto::UnsealKey(kek, sealed, Flatten(context));
    if (!key.ok()) {
      co_return Status(Errc::kKmsInternal, "does not open");
    }
    co_return *key;
  }

  Task<Status> CreateKey(const RequestContext&, std::string_view) override {
    co_return Status(Errc::kNotImplemented);
  }

  Task<Result<std::vector<kms::KeyInfo>>> ListKeys(const RequestContext&,
                                                   std::string_view) override {
    co_return Status(Errc::kNotImplemented);
  }

  Task<Result<kms::KeyInfo>> KeyStatus(const RequestContext&, std::string_view) override {
    co_return Status(Errc::kNotImplemented);
  }

  Task<Status> SetKeyEnabled(const RequestContext&, std::string_view, bool) override {
    co_return Status(Errc::kNotImplemented);
  }

 private:
  static std::string Flatten(const kms::Context& context) {
    std::string out;
    for (const auto& [k, v] : context) {
      out += k + "=" + v + ";";
    }
    return out;
  }

  Result<crypto::Key> Find(std::string_view key_id) const {
    if (key_id == "disabled") {
      return Status(Errc::kKmsKeyDisabled, "disabled");
    }
    if (key_id == "default") {
      return keys_[0];
    }
    if (key_id == "other") {
      return keys_[1];
    }
    return Status(Errc::kKmsKeyNotFound, std::string(key_id));
  }

  std::string default_ = "default";
  crypto::Key keys_[2] = {crypto::RandomKey(), crypto::RandomKey()};
};

// S3Api over either the in-memory fake or the real ServerPools on 4 MemoryDrives
// (2 data + 2 parity).
class Harness {
 protected:
  explicit Harness(Backend backend) {
    opts_.domains = {"s3.test"};
    opts_.access_log = false;
    opts_.kms = &kms_;
    opts_.sse_c_allow_http = true;
    mem_.min_part_size = 5;
    object::ObjectLayer* layer = &mem_;
    if (backend == Backend::kServerPools) {
      object::PoolSpec pool;
      pool.parity = 2;
      pool.sets.emplace_back();
      for (int d = 0; d < 4; ++d) {
        pool.sets.back().push_back(
            std::make_shared<cairn::testing::MemoryDrive>("d" + std::to_string(d)));
      }
      object::ServerPoolsOptions po;
      po.deployment_id = "8d3a6f3e-2c1b-4e5f-9a7b-1c2d3e4f5a6b";
      po.min_part_size = 5;
      po.compute_threads = 2;
      std::vector<object::PoolSpec> pools;
      pools.push_back(std::move(pool));
      pools_ = std::make_unique<object::ServerPools>(std::move(pools), po);
      layer = pools_.get();
    }
    layer_ = layer;
    api_ = std::make_unique<S3Api>(opts_, *layer, creds_);
  }

  // The stored bytes of bucket/key, read straight from the object layer.
  std::optional<std::string> Stored(const std::string& bucket, const std::string& key) {
    return SyncWait([&]() -> Task<std::optional<std::string>> {
      // Named arguments: GCC 12 mishandles non-trivial temporaries in co_await operands.
      RequestContext ctx = RequestContext::Background();
      object::GetOptions opts;
      auto reader = co_await layer_->GetObject(ctx, bucket, key, opts);
      if (!reader.ok()) {
        co_return std::nullopt;
      }
      std::string out;
      std::vector<std::byte> buf(65536);
      while (true) {
        auto n = co_await (*reader)->Read(buf);
        if (!n.ok() || *n == 0) {
          co_return out;
        }
        out.append(reinterpret_cast<const char*>(buf.data()), *n);
      }
    }());
  }

  Response Send(std::string method, std::string target, std::string body = "", Options o = {}) {
    http::Request req;
    req.method = method;
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    req.headers = o.headers;
    req.headers.emplace_back("host", o.host);
    if (o.content_length) {
      req.content_length = body.size();
    }
    if (o.sign) {
      auth::SignInput in;
      in.method = method;
      in.path = req.path;
      in.query = req.query;
      in.payload_sha256_hex = !o.payload_hash.empty() ? o.payload_hash
                              : o.signed_payload      ? HexEncode(Sha256(body))
                                                      : "UNSIGNED-PAYLOAD";
      in.access_key = std::string(kAccess);
      in.secret_key = std::string(kSecret);
      in.now = std::chrono::system_clock::now();
      auth::SignV4(in, req.headers);
    }
    FakeExchange ex(std::move(req), std::move(body));
    SyncWait(api_->Handle(ex));
    EXPECT_TRUE(ex.response_started());
    EXPECT_TRUE(ex.ended() || ex.closed());
    return Response{ex.status(), ex.headers(), ex.out(), ex.streamed(), ex.stream_length()};
  }

  void MakeBucket(const std::string& name) { ASSERT_EQ(Send("PUT", "/" + name).status, 200); }

  std::string Put(const std::string& path, const std::string& data, http::Headers headers = {}) {
    Response r = Send("PUT", path, data, {headers});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Header("etag");
  }

  FakeKms kms_;
  S3Options opts_;
  MemoryObjectLayer mem_;
  std::unique_ptr<object::ObjectLayer> pools_;
  object::ObjectLayer* layer_ = nullptr;
  StaticCredentialProvider creds_{std::string(kAccess), std::string(kSecret)};
  std::unique_ptr<S3Api> api_;
};

class S3ApiTest : public ::testing::TestWithParam<Backend>, public Harness {
 protected:
  S3ApiTest() : Harness(GetParam()) {}
};

INSTANTIATE_TEST_SUITE_P(Backends, S3ApiTest,
                         ::testing::Values(Backend::kMemoryLayer, Backend::kServerPools),
                         [](const auto& info) {
                           return info.param == Backend::kMemoryLayer ? "MemoryLayer"
                                                                      : "ServerPools";
                         });

// Health checks depend on the fake's switchable quorum state.
class S3HealthTest : public ::testing::Test, public Harness {
 protected:
  S3HealthTest() : Harness(Backend::kMemoryLayer) {}
};

TEST_F(S3HealthTest, HealthEndpointsNeedNoAuth) {
  EXPECT_EQ(Send("GET", "/minio/health/live", "", {.sign = false}).status, 200);
  EXPECT_EQ(Send("HEAD", "/minio/health/ready", "", {.sign = false}).status, 200);
  EXPECT_EQ(Send("GET", "/minio/health/cluster", "", {.sign = false}).status, 200);
  mem_.health.write_quorum = false;
  EXPECT_EQ(Send("GET", "/minio/health/cluster", "", {.sign = false}).status, 503);
  EXPECT_EQ(Send("GET", "/minio/health/cluster/read", "", {.sign = false}).status, 200);
  mem_.health.read_quorum = false;
  EXPECT_EQ(Send("GET", "/minio/health/cluster/read", "", {.sign = false}).status, 503);
  EXPECT_EQ(Send("GET", "/minio/health/nope", "", {.sign = false}).status, 404);
  EXPECT_EQ(Send("POST", "/minio/health/live", "", {.sign = false}).status, 405);
}

TEST_F(S3HealthTest, HealthOnlyHandler) {
  auto run = [](const http::Handler& h, std::string path) {
    http::Request req;
    req.method = "GET";
    req.path = req.target = path;
    FakeExchange ex(std::move(req), "");
    SyncWait(h(ex));
    return std::make_pair(ex.status(), ex.out());
  };
  http::Handler console = MakeHealthHandler(nullptr, false);
  EXPECT_EQ(run(console, "/minio/health/live").first, 200);
  EXPECT_EQ(run(console, "/minio/health/ready").first, 503);
  EXPECT_EQ(run(console, "/minio/health/cluster").first, 503);
  EXPECT_EQ(run(console, "/bucket").first, 404);
  http::Handler booting = MakeHealthHandler([] { return nullptr; }, true);
  auto [status, body] = run(booting, "/bucket/key");
  EXPECT_EQ(status, 503);
  EXPECT_NE(body.find("XMinioServerNotInitialized"), std::string::npos);
  http::Handler up = MakeHealthHandler([this] { return &mem_; }, true);
  EXPECT_EQ(run(up, "/minio/health/ready").first, 200);
  EXPECT_EQ(run(up, "/minio/health/cluster").first, 200);
}

TEST_P(S3ApiTest, AnonymousAndBadSignaturesAreDenied) {
  Response r = Send("GET", "/", "", {.sign = false});
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.Has("<Code>AccessDenied</Code>"));
  EXPECT_NE(r.Header("x-amz-request-id"), "<absent>");
  EXPECT_TRUE(r.Has("<RequestId>" + r.Header("x-amz-request-id") + "</RequestId>"));
  EXPECT_NE(r.Header("x-amz-id-2"), "<absent>");

  http::Headers bad = {{"authorization",
                        "AWS4-HMAC-SHA256 Credential=AKIDCAIRNTEST/20240101/us-east-1/s3/"
                        "aws4_request, SignedHeaders=host;x-amz-date, Signature=00"},
                       {"x-amz-date", "20240101T000000Z"},
                       {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  r = Send("GET", "/", "", {.headers = bad, .sign = false});
  EXPECT_EQ(r.status / 100, 4);
  EXPECT_FALSE(r.Has("<Code>InternalError</Code>"));
}

TEST_P(S3ApiTest, RequestIdsAreUnique) {
  Response a = Send("GET", "/");
  Response b = Send("GET", "/");
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.Header("x-amz-request-id"), b.Header("x-amz-request-id"));
  EXPECT_EQ(a.Header("x-amz-request-id").size(), 16u);
}

TEST_P(S3ApiTest, BucketLifecycle) {
  EXPECT_EQ(Send("PUT", "/Bad_Name").status, 400);
  Response r = Send("PUT", "/photos");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("location"), "/photos");
  r = Send("PUT", "/photos");
  EXPECT_EQ(r.status, 200);  // re-creating a bucket you own, in us-east-1 (AWS's legacy rule)
  r = Send("HEAD", "/photos");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-amz-bucket-region"), "us-east-1");

  r = Send("GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "application/xml");
  EXPECT_TRUE(r.Has("<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"));
  EXPECT_TRUE(r.Has("<Bucket><Name>photos</Name><CreationDate>"));
  EXPECT_TRUE(r.Has("Z</CreationDate>"));
  EXPECT_TRUE(r.Has("<Owner><ID>02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4"));

  r = Send("GET", "/photos?location");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(
      r.Has("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "</LocationConstraint>"));
  r = Send("GET", "/photos?versioning");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("<VersioningConfiguration"));

  Put("/photos/a.jpg", "x");
  r = Send("DELETE", "/photos");
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(r.Has("<Code>BucketNotEmpty</Code>"));
  EXPECT_TRUE(r.Has("<BucketName>photos</BucketName>"));
  EXPECT_EQ(Send("DELETE", "/photos/a.jpg").status, 204);
  EXPECT_EQ(Send("DELETE", "/photos").status, 204);
  r = Send("HEAD", "/photos");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.body.empty());
  r = Send("GET", "/photos");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("<Code>NoSuchBucket</Code>"));
}

TEST_P(S3ApiTest, CreateBucketLocation) {
  std::string config =
      "<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint>"
      "</CreateBucketConfiguration>";
  EXPECT_EQ(Send("PUT", "/bk1", config).status, 200);
  std::string other =
      "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>"
      "</CreateBucketConfiguration>";
  Response r = Send("PUT", "/bk2", other);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("InvalidLocationConstraint"));
  r = Send("PUT", "/bk3", "<oops");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("MalformedXML"));
}

TEST_P(S3ApiTest, PutGetHeadDelete) {
  MakeBucket("bkt");
  std::string data = "hello, world";
  std::string etag = Put("/bkt/dir/a%20b+c.txt", data,
                         {{"content-type", "text/plain"},
                          {"x-amz-meta-color", "Blue"},
                          {"cache-control", "max-age=60"}});
  EXPECT_EQ(etag, "\"" + HexEncode(Md5(data)) + "\"");
  EXPECT_EQ(Stored("bkt", "dir/a b+c.txt"), data);

  Response r = Send("GET", "/bkt/dir/a%20b+c.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.streamed);
  EXPECT_EQ(r.length, data.size());
  EXPECT_EQ(r.body, data);
  EXPECT_EQ(r.Header("etag"), etag);
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("x-amz-meta-color"), "Blue");
  EXPECT_EQ(r.Header("cache-control"), "max-age=60");
  EXPECT_EQ(r.Header("last-modified").substr(r.Header("last-modified").size() - 4), " GMT");

  r = Send("HEAD", "/bkt/dir/a%20b+c.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.length, data.size());
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.Header("etag"), etag);

  r = Send("GET",
           "/bkt/dir/a%20b+c.txt?response-content-type=image%2Fpng"
           "&response-content-disposition=attachment");
  EXPECT_EQ(r.Header("content-type"), "image/png");
  EXPECT_EQ(r.Header("content-disposition"), "attachment");

  Put("/bkt/plain", "x");
  EXPECT_EQ(Send("GET", "/bkt/plain").Header("content-type"), "binary/octet-stream");

  EXPECT_EQ(Send("DELETE", "/bkt/dir/a%20b+c.txt").status, 204);
  EXPECT_EQ(Send("DELETE", "/bkt/dir/a%20b+c.txt").status, 204);  // idempotent
  r = Send("GET", "/bkt/dir/a%20b+c.txt");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("<Code>NoSuchKey</Code>"));
  EXPECT_TRUE(r.Has("<Key>dir/a b+c.txt</Key>"));
  EXPECT_TRUE(r.Has("<Resource>/bkt/dir/a b+c.txt</Resource>"));
  r = Send("HEAD", "/bkt/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.body.empty());
}

TEST_P(S3ApiTest, PutBodyChecks) {
  MakeBucket("bkt");
  std::string data = "some bytes";
  Response r = Send("PUT", "/bkt/k", data, {.headers = {{"content-md5", "nope"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>InvalidDigest</Code>"));
  r = Send("PUT", "/bkt/k", data, {.headers = {{"content-md5", Base64Encode(Md5("other"))}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>BadDigest</Code>"));
  EXPECT_EQ(Stored("bkt", "k"), std::nullopt);
  r = Send("PUT", "/bkt/k", data, {.headers = {{"content-md5", Base64Encode(Md5(data))}}});
  EXPECT_EQ(r.status, 200);

  r = Send("PUT", "/bkt/signed", data, {.signed_payload = true});
  EXPECT_EQ(r.status, 200) << r.body;
  r = Send("PUT", "/bkt/signed2", data, {.payload_hash = HexEncode(Sha256("different"))});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("XAmzContentSHA256Mismatch"));

  r = Send("PUT", "/bkt/nolen", data, {.content_length = false});
  EXPECT_EQ(r.status, 411);
  EXPECT_TRUE(r.Has("MissingContentLength"));

  r = Send("PUT", "/nobucket/k", data);
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("NoSuchBucket"));
  r = Send("PUT", "/bkt/" + std::string(1025, 'k'), data);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("KeyTooLongError"));
}

TEST_P(S3ApiTest, Checksums) {
  MakeBucket("bkt");
  std::string data = "checksum me";
  auto hasher = NewChecksumHasher(ChecksumAlgorithm::kCrc32);
  hasher->Update(data);
  std::string crc = Base64Encode(hasher->Finish());
  Response r = Send("PUT", "/bkt/k", data, {.headers = {{"x-amz-checksum-crc32", crc}}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("x-amz-checksum-crc32"), crc);
  r = Send("GET", "/bkt/k", "", {.headers = {{"x-amz-checksum-mode", "ENABLED"}}});
  EXPECT_EQ(r.Header("x-amz-checksum-crc32"), crc);
  r = Send("GET", "/bkt/k");
  EXPECT_EQ(r.Header("x-amz-checksum-crc32"), "<absent>");
  r = Send("PUT", "/bkt/k2", data,
           {.headers = {{"x-amz-checksum-crc32", Base64Encode(std::string(4, 'x'))}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("BadDigest"));
  r = Send("PUT", "/bkt/k3", data, {.headers = {{"x-amz-checksum-crc32", "bad"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("InvalidRequest"));
  r = Send("PUT", "/bkt/k4", data, {.headers = {{"x-amz-sdk-checksum-algorithm", "SHA256"}}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-amz-checksum-sha256"), Base64Encode(Sha256(data)));
}

TEST_P(S3ApiTest, StreamingUnsignedTrailer) {
  MakeBucket("bkt");
  std::string data = "hello";
  auto hasher = NewChecksumHasher(ChecksumAlgorithm::kCrc32);
  hasher->Update(data);
  std::string crc = Base64Encode(hasher->Finish());
  std::string body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:" + crc + "\r\n\r\n";
  Response r = Send("PUT", "/bkt/streamed", body,
                    {.headers = {{"content-encoding", "aws-chunked"},
                                 {"x-amz-decoded-content-length", "5"},
                                 {"x-amz-trailer", "x-amz-checksum-crc32"}},
                     .payload_hash = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Stored("bkt", "streamed"), data);
  r = Send("GET", "/bkt/streamed");
  EXPECT_EQ(r.body, data);
  EXPECT_EQ(r.Header("content-encoding"), "<absent>");  // aws-chunked is not stored

  r = Send("PUT", "/bkt/streamed2", body,
           {.headers = {{"content-encoding", "aws-chunked"}},
            .payload_hash = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"});
  EXPECT_EQ(r.status, 411);
}

TEST_P(S3ApiTest, RangeGets) {
  MakeBucket("bkt");
  Put("/bkt/k", "0123456789");
  Response r = Send("GET", "/bkt/k", "", {.headers = {{"range", "bytes=2-4"}}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "234");
  EXPECT_EQ(r.Header("content-range"), "bytes 2-4/10");
  r = Send("GET", "/bkt/k", "", {.headers = {{"range", "bytes=-3"}}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "789");
  r = Send("GET", "/bkt/k", "", {.headers = {{"range", "bytes=8-"}}});
  EXPECT_EQ(r.body, "89");
  r = Send("GET", "/bkt/k", "", {.headers = {{"range", "bytes=0-1,4-5"}}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "0123456789");
  r = Send("GET", "/bkt/k", "", {.headers = {{"range", "bytes=10-"}}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.Header("content-range"), "bytes */10");
  EXPECT_TRUE(r.Has("InvalidRange"));
  r = Send("HEAD", "/bkt/k", "", {.headers = {{"range", "bytes=1-2"}}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.length, 2u);
  r = Send("HEAD", "/bkt/k", "", {.headers = {{"range", "bytes=20-"}}});
  EXPECT_EQ(r.status, 416);
  // 412 beats 416.
  r = Send("GET", "/bkt/k", "", {.headers = {{"range", "bytes=10-"}, {"if-match", "\"nope\""}}});
  EXPECT_EQ(r.status, 412);
}

TEST_P(S3ApiTest, ConditionalRequests) {
  MakeBucket("bkt");
  std::string etag = Put("/bkt/k", "data");
  Response r = Send("GET", "/bkt/k", "", {.headers = {{"if-none-match", etag}}});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.Header("etag"), etag);
  r = Send("GET", "/bkt/k", "", {.headers = {{"if-match", "\"other\""}}});
  EXPECT_EQ(r.status, 412);
  EXPECT_TRUE(r.Has("PreconditionFailed"));
  r = Send("HEAD", "/bkt/k", "", {.headers = {{"if-match", "\"other\""}}});
  EXPECT_EQ(r.status, 412);
  EXPECT_TRUE(r.body.empty());
  r = Send("GET", "/bkt/k", "", {.headers = {{"if-match", etag}}});
  EXPECT_EQ(r.status, 200);
  r = Send("GET", "/bkt/k", "",
           {.headers = {{"if-modified-since", "Sun, 06 Nov 2094 08:49:37 GMT"}}});
  EXPECT_EQ(r.status, 304);
  r = Send("GET", "/bkt/k", "",
           {.headers = {{"if-unmodified-since", "Sun, 06 Nov 1994 08:49:37 GMT"}}});
  EXPECT_EQ(r.status, 412);

  // Conditional writes.
  r = Send("PUT", "/bkt/k", "new", {.headers = {{"if-none-match", "*"}}});
  EXPECT_EQ(r.status, 412);
  r = Send("PUT", "/bkt/fresh", "new", {.headers = {{"if-none-match", "*"}}});
  EXPECT_EQ(r.status, 200);
  r = Send("PUT", "/bkt/k", "new", {.headers = {{"if-match", "\"stale\""}}});
  EXPECT_EQ(r.status, 412);
  r = Send("PUT", "/bkt/k", "new", {.headers = {{"if-match", etag}}});
  EXPECT_EQ(r.status, 200);
}

TEST_P(S3ApiTest, CopyObject) {
  MakeBucket("src");
  MakeBucket("dst");
  std::string etag =
      Put("/src/a b", "payload", {{"content-type", "text/x"}, {"x-amz-meta-k", "v"}});
  Response r = Send("PUT", "/dst/copy", "", {.headers = {{"x-amz-copy-source", "/src/a%20b"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Has("<CopyObjectResult"));
  EXPECT_TRUE(r.Has("<ETag>&quot;" + etag.substr(1, etag.size() - 2) + "&quot;</ETag>"));
  EXPECT_TRUE(r.Has("<LastModified>"));
  r = Send("GET", "/dst/copy");
  EXPECT_EQ(r.body, "payload");
  EXPECT_EQ(r.Header("content-type"), "text/x");
  EXPECT_EQ(r.Header("x-amz-meta-k"), "v");

  r = Send("PUT", "/dst/replaced", "",
           {.headers = {{"x-amz-copy-source", "src/a%20b"},
                        {"x-amz-metadata-directive", "REPLACE"},
                        {"x-amz-meta-new", "1"}}});
  ASSERT_EQ(r.status, 200);
  r = Send("GET", "/dst/replaced");
  EXPECT_EQ(r.Header("x-amz-meta-k"), "<absent>");
  EXPECT_EQ(r.Header("x-amz-meta-new"), "1");
  EXPECT_EQ(r.Header("content-type"), "binary/octet-stream");

  r = Send("PUT", "/src/a%20b", "", {.headers = {{"x-amz-copy-source", "/src/a%20b"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>InvalidRequest</Code>"));
  r = Send("PUT", "/src/a%20b", "",
           {.headers = {{"x-amz-copy-source", "/src/a%20b"},
                        {"x-amz-metadata-directive", "REPLACE"},
                        {"x-amz-meta-self", "yes"}}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Send("GET", "/src/a%20b").Header("x-amz-meta-self"), "yes");

  r = Send("PUT", "/dst/c", "",
           {.headers = {{"x-amz-copy-source", "/src/a%20b"},
                        {"x-amz-copy-source-if-match", "\"nope\""}}});
  EXPECT_EQ(r.status, 412);
  r = Send("PUT", "/dst/c", "", {.headers = {{"x-amz-copy-source", "/src/missing"}}});
  EXPECT_EQ(r.status, 404);
  r = Send("PUT", "/dst/c", "", {.headers = {{"x-amz-copy-source", "nokey"}}});
  EXPECT_EQ(r.status, 400);
  r = Send(
      "PUT", "/dst/c", "",
      {.headers = {{"x-amz-copy-source", "/src/a%20b"}, {"x-amz-metadata-directive", "MERGE"}}});
  EXPECT_EQ(r.status, 400);
}

TEST_P(S3ApiTest, MultipartUpload) {
  MakeBucket("bkt");
  Response r = Send("POST", "/bkt/big?uploads", "", {.headers = {{"content-type", "video/mp4"}}});
  ASSERT_EQ(r.status, 200);
  auto start = r.body.find("<UploadId>");
  ASSERT_NE(start, std::string::npos);
  std::string id = r.body.substr(start + 10, r.body.find("</UploadId>") - start - 10);
  EXPECT_TRUE(r.Has("<Key>big</Key>"));

  r = Send("PUT", "/bkt/big?partNumber=1&uploadId=" + id, "hello ");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string e1 = r.Header("etag");
  r = Send("PUT", "/bkt/big?partNumber=2&uploadId=" + id, "world");
  std::string e2 = r.Header("etag");
  EXPECT_EQ(Send("PUT", "/bkt/big?partNumber=0&uploadId=" + id, "x").status, 400);
  EXPECT_EQ(Send("PUT", "/bkt/big?partNumber=10001&uploadId=" + id, "x").status, 400);
  r = Send("PUT", "/bkt/big?partNumber=1&uploadId=nope", "x");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("NoSuchUpload"));

  r = Send("GET", "/bkt/big?uploadId=" + id);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("<PartNumber>1</PartNumber>"));
  EXPECT_TRUE(r.Has("<PartNumber>2</PartNumber>"));
  EXPECT_TRUE(r.Has("<Size>6</Size>"));
  r = Send("GET", "/bkt?uploads");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("<Upload><Key>big</Key><UploadId>" + id + "</UploadId>"));

  auto part = [](int n, const std::string& etag) {
    return "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" + etag +
           "</ETag></Part>";
  };
  r = Send("POST", "/bkt/big?uploadId=" + id,
           "<CompleteMultipartUpload>" + part(2, e2) + part(1, e1) + "</CompleteMultipartUpload>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("InvalidPartOrder"));
  r = Send("POST", "/bkt/big?uploadId=" + id, "<CompleteMultipartUpload/>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("MalformedXML"));
  r = Send("POST", "/bkt/big?uploadId=" + id,
           "<CompleteMultipartUpload>" + part(1, e1) + part(2, e2) + "</CompleteMultipartUpload>");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Has("<CompleteMultipartUploadResult"));
  EXPECT_TRUE(r.Has("<Location>http://localhost:9000/bkt/big</Location>"));
  EXPECT_TRUE(r.Has("-2&quot;</ETag>"));

  r = Send("GET", "/bkt/big");
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(r.Header("content-type"), "video/mp4");
  EXPECT_EQ(r.Header("etag").substr(r.Header("etag").size() - 3), "-2\"");
  r = Send("GET", "/bkt/big?partNumber=2");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "world");
  EXPECT_EQ(r.Header("content-range"), "bytes 6-10/11");
  EXPECT_EQ(r.Header("x-amz-mp-parts-count"), "2");
  for (const char* method : {"GET", "HEAD"}) {
    r = Send(method, "/bkt/big?partNumber=3");
    EXPECT_EQ(r.status, 400) << method;  // InvalidPartNumber, not 416
  }
  EXPECT_TRUE(Send("GET", "/bkt/big?partNumber=3").Has("InvalidPartNumber"));

  r = Send("POST", "/bkt/other?uploads");
  start = r.body.find("<UploadId>");
  std::string id2 = r.body.substr(start + 10, r.body.find("</UploadId>") - start - 10);
  EXPECT_EQ(Send("DELETE", "/bkt/other?uploadId=" + id2).status, 204);
  EXPECT_EQ(Send("DELETE", "/bkt/other?uploadId=" + id2).status, 404);
  EXPECT_FALSE(Send("GET", "/bkt?uploads").Has("<Upload>"));
}

TEST_P(S3ApiTest, UploadPartCopy) {
  MakeBucket("bkt");
  Put("/bkt/src", "0123456789");
  Response r = Send("POST", "/bkt/dst?uploads");
  auto start = r.body.find("<UploadId>");
  std::string id = r.body.substr(start + 10, r.body.find("</UploadId>") - start - 10);
  r = Send(
      "PUT", "/bkt/dst?partNumber=1&uploadId=" + id, "",
      {.headers = {{"x-amz-copy-source", "/bkt/src"}, {"x-amz-copy-source-range", "bytes=2-5"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Has("<CopyPartResult"));
  EXPECT_TRUE(r.Has("<ETag>&quot;" + HexEncode(Md5("2345")) + "&quot;</ETag>"));
  r = Send(
      "PUT", "/bkt/dst?partNumber=2&uploadId=" + id, "",
      {.headers = {{"x-amz-copy-source", "/bkt/src"}, {"x-amz-copy-source-range", "bytes=5-10"}}});
  EXPECT_EQ(r.status, 416);  // InvalidRange: past the source's end
  EXPECT_TRUE(r.Has("InvalidRange"));
  r = Send(
      "PUT", "/bkt/dst?partNumber=2&uploadId=" + id, "",
      {.headers = {{"x-amz-copy-source", "/bkt/src"}, {"x-amz-copy-source-range", "bytes=5-"}}});
  EXPECT_EQ(r.status, 400);
  r = Send("POST", "/bkt/dst?uploadId=" + id,
           "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" +
               HexEncode(Md5("2345")) + "</ETag></Part></CompleteMultipartUpload>");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Send("GET", "/bkt/dst").body, "2345");
}

TEST_P(S3ApiTest, ListObjects) {
  MakeBucket("bkt");
  for (std::string key : {"a.txt", "dir/x", "dir/y", "dir/sub/z", "e%20f", "zz"}) {
    Put("/bkt/" + key, "1");
  }
  Response r = Send("GET", "/bkt?delimiter=%2F");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("<Name>bkt</Name>"));
  EXPECT_TRUE(r.Has("<Key>a.txt</Key>"));
  EXPECT_TRUE(r.Has("<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>"));
  EXPECT_FALSE(r.Has("<Key>dir/x</Key>"));
  EXPECT_TRUE(r.Has("<Owner>"));
  EXPECT_TRUE(r.Has("<Key>e f</Key>"));

  r = Send("GET", "/bkt?prefix=dir%2F&delimiter=%2F&max-keys=1");
  EXPECT_TRUE(r.Has("<IsTruncated>true</IsTruncated>"));
  EXPECT_TRUE(r.Has("<NextMarker>dir/sub/</NextMarker>"));
  r = Send("GET", "/bkt?prefix=dir%2F&delimiter=%2F&marker=dir%2Fsub%2F");
  EXPECT_TRUE(r.Has("<Key>dir/x</Key>"));
  EXPECT_TRUE(r.Has("<Key>dir/y</Key>"));
  EXPECT_TRUE(r.Has("<IsTruncated>false</IsTruncated>"));
  EXPECT_FALSE(r.Has("<NextMarker>"));

  r = Send("GET", "/bkt?encoding-type=url");
  EXPECT_TRUE(r.Has("<Key>e%20f</Key>"));  // AWS's URI encoding: a space is %20, not '+'
  EXPECT_TRUE(r.Has("<Key>dir/x</Key>"));  // '/' stays
  EXPECT_TRUE(r.Has("<EncodingType>url</EncodingType>"));

  EXPECT_EQ(Send("GET", "/bkt?max-keys=-1").status, 400);
  EXPECT_EQ(Send("GET", "/bkt?max-keys=abc").status, 400);
  EXPECT_EQ(Send("GET", "/bkt?encoding-type=base64").status, 400);
  r = Send("GET", "/bkt?max-keys=0");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.Has("<Contents>"));
  EXPECT_EQ(Send("GET", "/nobucket?max-keys=0").status, 404);
}

TEST_P(S3ApiTest, ListObjectsV2Pagination) {
  MakeBucket("bkt");
  std::vector<std::string> keys = {"k1", "k2", "k3", "k4", "k5"};
  for (const auto& k : keys) {
    Put("/bkt/" + k, "1");
  }
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    std::string target = "/bkt?list-type=2&max-keys=2";
    if (!token.empty()) {
      target += "&continuation-token=" + UriEncode(token, false);
    }
    Response r = Send("GET", target);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.Has("<Owner>"));
    for (const auto& k : keys) {
      if (r.Has("<Key>" + k + "</Key>")) {
        seen.push_back(k);
      }
    }
    auto pos = r.body.find("<NextContinuationToken>");
    if (pos == std::string::npos) {
      EXPECT_TRUE(r.Has("<IsTruncated>false</IsTruncated>"));
      break;
    }
    EXPECT_TRUE(r.Has("<KeyCount>2</KeyCount>"));
    auto end = r.body.find("</NextContinuationToken>");
    token = r.body.substr(pos + 23, end - pos - 23);
  }
  EXPECT_EQ(seen, keys);

  Response r = Send("GET", "/bkt?list-type=2&start-after=k3&fetch-owner=true");
  EXPECT_FALSE(r.Has("<Key>k3</Key>"));
  EXPECT_TRUE(r.Has("<Key>k4</Key>"));
  EXPECT_TRUE(r.Has("<StartAfter>k3</StartAfter>"));
  EXPECT_TRUE(r.Has("<Owner>"));
  EXPECT_EQ(Send("GET", "/bkt?list-type=2&continuation-token=%21%21").status, 400);
}

TEST_P(S3ApiTest, DeleteObjects) {
  MakeBucket("bkt");
  Put("/bkt/a", "1");
  Put("/bkt/b", "1");
  std::string doc =
      "<Delete><Object><Key>a</Key></Object><Object><Key>missing</Key></Object>"
      "<Object><Key>" +
      std::string(1025, 'k') + "</Key></Object></Delete>";
  Response r = Send("POST", "/bkt?delete", doc);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Has("<Deleted><Key>a</Key></Deleted>"));
  EXPECT_TRUE(r.Has("<Deleted><Key>missing</Key></Deleted>"));
  EXPECT_TRUE(r.Has("<Code>KeyTooLongError</Code>"));
  EXPECT_EQ(Stored("bkt", "a"), std::nullopt);

  r = Send("POST", "/bkt?delete",
           "<Delete><Quiet>true</Quiet><Object><Key>b</Key></Object></Delete>");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.Has("<Deleted>"));
  EXPECT_EQ(Stored("bkt", "b"), std::nullopt);

  EXPECT_EQ(Send("POST", "/bkt?delete", "<Delete>").status, 400);
  std::string one = "<Delete><Object><Key>a</Key></Object></Delete>";
  r = Send("POST", "/bkt?delete", one, {.headers = {{"content-md5", Base64Encode(Md5("x"))}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("BadDigest"));
  r = Send("POST", "/bkt?delete", one, {.headers = {{"content-md5", Base64Encode(Md5(one))}}});
  EXPECT_EQ(r.status, 200);
  r = Send("POST", "/bkt?delete", one, {.signed_payload = true});
  EXPECT_EQ(r.status, 200);
  r = Send("POST", "/bkt?delete", one, {.payload_hash = HexEncode(Sha256("tampered"))});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("XAmzContentSHA256Mismatch"));
  EXPECT_EQ(
      Send("POST", "/nobucket?delete", "<Delete><Object><Key>a</Key></Object></Delete>").status,
      404);
}

TEST_P(S3ApiTest, UnsupportedRequests) {
  MakeBucket("bkt");
  Response r = Send("GET", "/bkt?website");
  EXPECT_EQ(r.status, 501);
  EXPECT_TRUE(r.Has("<Code>NotImplemented</Code>"));
  r = Send("PATCH", "/bkt/k");
  EXPECT_EQ(r.status, 405);
  EXPECT_TRUE(r.Has("MethodNotAllowed"));
  r = Send("GET", "/bkt/%zz");
  EXPECT_EQ(r.status, 400);
}

TEST_P(S3ApiTest, AclsGrantAndOwnershipTurnsThemOff) {
  ASSERT_EQ(Send("PUT", "/aclb").status, 200);
  Response r = Send("GET", "/aclb?acl");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Has("<Owner><ID>" + std::string(kOwnerId) + "</ID>")) << r.body;
  EXPECT_TRUE(r.Has("<Permission>FULL_CONTROL</Permission>")) << r.body;
  EXPECT_FALSE(r.Has("AllUsers")) << r.body;
  // A public-read object is served to anyone; a private one is not.
  ASSERT_EQ(Send("PUT", "/aclb/pub", "open", {.headers = {{"x-amz-acl", "public-read"}}}).status,
            200);
  ASSERT_EQ(Send("PUT", "/aclb/priv", "closed").status, 200);
  r = Send("GET", "/aclb/pub", "", {.sign = false});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "open");
  EXPECT_EQ(Send("GET", "/aclb/priv", "", {.sign = false}).status, 403);
  EXPECT_TRUE(Send("GET", "/aclb/pub?acl").Has(std::string(acl::kAllUsersUri)));
  // PutObjectAcl opens the private one; the bucket's listing stays closed.
  ASSERT_EQ(Send("PUT", "/aclb/priv?acl", "", {.headers = {{"x-amz-acl", "public-read"}}}).status,
            200);
  EXPECT_EQ(Send("GET", "/aclb/priv", "", {.sign = false}).status, 200);
  EXPECT_EQ(Send("GET", "/aclb", "", {.sign = false}).status, 403);
  // A canned ACL and grants together, and an unknown canned ACL, are refused.
  r = Send("PUT", "/aclb/x", "x",
           {.headers = {{"x-amz-acl", "private"},
                        {"x-amz-grant-read", "uri=\"" + std::string(acl::kAllUsersUri) + "\""}}});
  EXPECT_EQ(r.status, 400);
  r = Send("PUT", "/aclb/x", "x", {.headers = {{"x-amz-acl", "everyone"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("InvalidArgument"));
  // BucketOwnerEnforced turns ACLs off: the public object is private again, and new ACLs
  // are refused.
  const std::string enforced =
      "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>"
      "</OwnershipControls>";
  ASSERT_EQ(Send("PUT", "/aclb?ownershipControls", enforced).status, 200);
  EXPECT_TRUE(Send("GET", "/aclb?ownershipControls").Has("BucketOwnerEnforced"));
  EXPECT_EQ(Send("GET", "/aclb/pub", "", {.sign = false}).status, 403);
  r = Send("PUT", "/aclb/y", "y", {.headers = {{"x-amz-acl", "public-read"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("AccessControlListNotSupported"));
  EXPECT_EQ(
      Send("PUT", "/aclb/y", "y", {.headers = {{"x-amz-acl", "bucket-owner-full-control"}}}).status,
      200);
  // Deleting the setting is ACLs on (ObjectWriter), with nothing to GET.
  EXPECT_EQ(Send("DELETE", "/aclb?ownershipControls").status, 204);
  r = Send("GET", "/aclb?ownershipControls");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("OwnershipControlsNotFoundError"));
  EXPECT_EQ(Send("GET", "/aclb/pub", "", {.sign = false}).status, 200);
  // A bucket ACL that grants others cannot be turned off without being reset first.
  ASSERT_EQ(Send("PUT", "/aclb?acl", "", {.headers = {{"x-amz-acl", "public-read"}}}).status, 200);
  EXPECT_EQ(Send("GET", "/aclb", "", {.sign = false}).status, 200);
  r = Send("PUT", "/aclb?ownershipControls", enforced);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("InvalidBucketAclWithObjectOwnership"));
  // A bucket made with BucketOwnerEnforced refuses a public ACL at creation.
  r = Send("PUT", "/aclc", "",
           {.headers = {{"x-amz-object-ownership", "BucketOwnerEnforced"},
                        {"x-amz-acl", "public-read"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("InvalidBucketAclWithObjectOwnership"));
}

TEST_P(S3ApiTest, AclDocumentsRoundTrip) {
  ASSERT_EQ(Send("PUT", "/acld").status, 200);
  ASSERT_EQ(Send("PUT", "/acld/k", "v").status, 200);
  const std::string doc =
      "<AccessControlPolicy><Owner><ID>" + std::string(kOwnerId) +
      "</ID></Owner><AccessControlList><Grant><Grantee "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>" +
      std::string(acl::kAuthenticatedUsersUri) +
      "</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList>"
      "</AccessControlPolicy>";
  Response r = Send("PUT", "/acld/k?acl", doc);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Send("GET", "/acld/k?acl");
  EXPECT_TRUE(r.Has("AuthenticatedUsers")) << r.body;
  // AuthenticatedUsers is not anyone.
  EXPECT_EQ(Send("GET", "/acld/k", "", {.sign = false}).status, 403);
  // An Owner no user has (another user's is 403 AccessDenied: acl_test's XmlErrors), a broken
  // document, and an e-mail grantee.
  r = Send("PUT", "/acld/k?acl",
           "<AccessControlPolicy><Owner><ID>" + std::string(64, 'a') +
               "</ID></Owner><AccessControlList/></AccessControlPolicy>");
  EXPECT_EQ(r.status, 400);
  r = Send("PUT", "/acld/k?acl", "<AccessControlPolicy><Owner>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("MalformedACLError"));
  r = Send("PUT", "/acld/k?acl", "", {.headers = {{"x-amz-grant-read", "emailAddress=\"a@b.c\""}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("UnresolvableGrantByEmailAddress"));
}

TEST_P(S3ApiTest, VirtualHostStyle) {
  MakeBucket("vbucket");
  Response r = Send("PUT", "/dir/file", "vh", {.host = "vbucket.s3.test:9000"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Stored("vbucket", "dir/file"), "vh");
  r = Send("GET", "/dir/file", "", {.host = "vbucket.s3.test"});
  EXPECT_EQ(r.body, "vh");
  r = Send("GET", "/", "", {.host = "vbucket.s3.test"});
  EXPECT_TRUE(r.Has("<Key>dir/file</Key>"));
}

// POST Object through the middleware: the form authenticates the request (no Authorization
// header), the file streams into the object layer, the answer is the one the form asks for.
TEST_P(S3ApiTest, PostObject) {
  MakeBucket("bkt");
  const std::string date = auth::internal::FormatAmzDate(std::chrono::system_clock::now());
  const std::string cred = StrCat(kAccess, "/", date.substr(0, 8), "/us-east-1/s3/aws4_request");
  const std::string policy =
      Base64Encode(StrCat(R"({"expiration":"2099-01-01T00:00:00Z","conditions":[{"bucket":"bkt"},)",
                          R"(["starts-with","$key","in/"],{"x-amz-algorithm":"AWS4-HMAC-SHA256"},)",
                          R"({"x-amz-credential":")", cred, R"("},{"x-amz-date":")", date, R"("},)",
                          R"({"success_action_status":"201"}]})"));
  const std::string signature =
      auth::SignPostPolicyV4(policy, kSecret, date.substr(0, 8), "us-east-1");
  auto part = [](std::string_view name, std::string_view value) {
    return StrCat("--XyZ\r\nContent-Disposition: form-data; name=\"", name, "\"\r\n\r\n", value,
                  "\r\n");
  };
  const std::string file(300000, 'f');  // more than one read block of the form reader
  const std::string body =
      StrCat(part("key", "in/${filename}"), part("x-amz-algorithm", "AWS4-HMAC-SHA256"),
             part("x-amz-credential", cred), part("x-amz-date", date), part("policy", policy),
             part("x-amz-signature", signature), part("success_action_status", "201"),
             "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n",
             file, "\r\n--XyZ--\r\n");
  http::Headers form_type;
  form_type.emplace_back("content-type", "multipart/form-data; boundary=XyZ");
  Response r = Send("POST", "/bkt", body, {.headers = form_type, .sign = false});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.Has("<Key>in/a.bin</Key>")) << r.body;
  EXPECT_TRUE(r.Has("<Location>http://localhost:9000/bkt/in/a.bin</Location>")) << r.body;
  EXPECT_EQ(r.Header("etag"), "\"" + HexEncode(Md5(file)) + "\"");
  EXPECT_EQ(Stored("bkt", "in/a.bin"), file);

  std::string forged = body;
  forged.replace(forged.find(signature), 1, signature[0] == '0' ? "1" : "0");
  r = Send("POST", "/bkt", forged, {.headers = form_type, .sign = false});
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.Has("<Code>SignatureDoesNotMatch</Code>")) << r.body;
  // A body cut inside the file is refused.
  r = Send("POST", "/bkt", body.substr(0, body.size() - 100),
           {.headers = form_type, .sign = false});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>MalformedPOSTRequest</Code>")) << r.body;
}

TEST(S3ApiLimits, SlowDownPastMaxInflight) {
  MemoryObjectLayer layer;
  StaticCredentialProvider creds{std::string(kAccess), std::string(kSecret)};
  S3Options opts;
  opts.max_inflight = 0;
  opts.access_log = false;
  S3Api api(opts, layer, creds);
  http::Request req;
  req.method = "GET";
  req.path = req.target = "/";
  req.headers = {{"host", "localhost"}};
  FakeExchange ex(req, "");
  SyncWait(api.Handle(ex));
  EXPECT_EQ(ex.status(), 503);
  EXPECT_NE(ex.out().find("<Code>SlowDown</Code>"), std::string::npos);
  EXPECT_EQ(api.inflight(), 0u);
  // Health checks are not bounded.
  req.path = req.target = "/minio/health/live";
  FakeExchange health(req, "");
  SyncWait(api.Handle(health));
  EXPECT_EQ(health.status(), 200);
}

TEST(S3ApiLimits, XmlBodiesReserveTheMemoryBudget) {
  // Request XML is held whole while it is parsed: it waits for room in the budget of writes
  // in flight, and gets 503 SlowDown when none comes.
  MemoryObjectLayer layer;
  StaticCredentialProvider creds{std::string(kAccess), std::string(kSecret)};
  object::MemoryBudget budget(64 << 10, std::chrono::milliseconds(50));
  S3Options opts;
  opts.access_log = false;
  opts.budget = &budget;
  S3Api api(opts, layer, creds);
  auto post = [&]() {
    const std::string doc = "<Delete><Object><Key>k</Key></Object></Delete>";
    http::Request req;
    req.method = "POST";
    req.path = "/bkt";
    req.query = "delete";
    req.target = "/bkt?delete";
    req.content_length = doc.size();
    req.headers = {{"host", "localhost"}};
    auth::SignInput in;
    in.method = "POST";
    in.path = "/bkt";
    in.query = "delete";
    in.payload_sha256_hex = HexEncode(Sha256(doc));
    in.access_key = std::string(kAccess);
    in.secret_key = std::string(kSecret);
    in.now = std::chrono::system_clock::now();
    auth::SignV4(in, req.headers);
    FakeExchange ex(std::move(req), doc);
    SyncWait(api.Handle(ex));
    return std::make_pair(ex.status(), ex.out());
  };
  ASSERT_TRUE(SyncWait(layer.MakeBucket(RequestContext::Background("t"), "bkt", {})).ok());
  EXPECT_EQ(post().first, 200);
  EXPECT_EQ(budget.used(), 0u);  // given back after the request
  auto held = SyncWait(budget.Acquire(64 << 10));
  ASSERT_TRUE(held.ok());
  auto [status, body] = post();
  EXPECT_EQ(status, 503);
  EXPECT_NE(body.find("<Code>SlowDown</Code>"), std::string::npos) << body;
}

constexpr std::string_view kCorsXml =
    "<CORSConfiguration><CORSRule><AllowedOrigin>http://app.test</AllowedOrigin>"
    "<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>"
    "<AllowedHeader>content-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>"
    "<MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>"
    "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>"
    "</CORSConfiguration>";

http::Headers Preflight(std::string origin, std::string method, std::string headers = "") {
  http::Headers h;
  if (!origin.empty()) {
    h.emplace_back("origin", std::move(origin));
  }
  if (!method.empty()) {
    h.emplace_back("access-control-request-method", std::move(method));
  }
  if (!headers.empty()) {
    h.emplace_back("access-control-request-headers", std::move(headers));
  }
  return h;
}

TEST_P(S3ApiTest, BucketCorsConfiguration) {
  MakeBucket("web");
  Response r = Send("GET", "/web?cors");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("<Code>NoSuchCORSConfiguration</Code>")) << r.body;
  r = Send("PUT", "/web?cors",
           "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
           "<AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("Unsupported method is PATCH")) << r.body;
  r = Send("PUT", "/web?cors", "<CORSConfiguration/>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>MalformedXML</Code>")) << r.body;
  const std::string md5 = Base64Encode(Md5("something else"));
  r = Send("PUT", "/web?cors", std::string(kCorsXml), {{{"content-md5", md5}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>BadDigest</Code>")) << r.body;
  ASSERT_EQ(Send("PUT", "/web?cors", std::string(kCorsXml)).status, 200);
  r = Send("GET", "/web?cors");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("<AllowedOrigin>http://app.test</AllowedOrigin>")) << r.body;
  EXPECT_TRUE(r.Has("<MaxAgeSeconds>600</MaxAgeSeconds>")) << r.body;
  EXPECT_EQ(Send("PUT", "/nobucket?cors", std::string(kCorsXml)).status, 404);
  EXPECT_EQ(Send("DELETE", "/web?cors").status, 204);
  EXPECT_EQ(Send("GET", "/web?cors").status, 404);
  EXPECT_EQ(Send("DELETE", "/web?cors").status, 204);
}

constexpr std::string_view kSseS3Xml =
    "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
    "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
    "</ServerSideEncryptionConfiguration>";

TEST_P(S3ApiTest, BucketEncryptionNeedsAKms) {
  opts_.kms = nullptr;
  api_ = std::make_unique<S3Api>(opts_, *layer_, creds_);
  MakeBucket("enc");
  // The document is checked first (MinIO's order), then the KMS.
  Response r = Send("PUT", "/enc?encryption", "<ServerSideEncryptionConfiguration/>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>MalformedXML</Code>")) << r.body;
  r = Send("PUT", "/enc?encryption", std::string(kSseS3Xml));
  EXPECT_EQ(r.status, 501);
  EXPECT_TRUE(r.Has("<Code>NotImplemented</Code>")) << r.body;
  EXPECT_TRUE(r.Has("KMS is not configured")) << r.body;
  r = Send("GET", "/enc?encryption");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("<Code>ServerSideEncryptionConfigurationNotFoundError</Code>")) << r.body;
  EXPECT_EQ(Send("DELETE", "/enc?encryption").status, 204);
  EXPECT_EQ(Send("PUT", "/nobucket?encryption", std::string(kSseS3Xml)).status, 404);
}

TEST_P(S3ApiTest, BucketEncryptionConfiguration) {
  MakeBucket("enc");
  Response r = Send("GET", "/enc?encryption");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("<Code>ServerSideEncryptionConfigurationNotFoundError</Code>")) << r.body;
  ASSERT_EQ(Send("PUT", "/enc?encryption", std::string(kSseS3Xml)).status, 200);
  r = Send("GET", "/enc?encryption");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("<SSEAlgorithm>AES256</SSEAlgorithm>")) << r.body;
  EXPECT_TRUE(r.Has("<BucketKeyEnabled>false</BucketKeyEnabled>")) << r.body;

  // A new configuration replaces the old one; a refused one changes nothing.
  const std::string kms_xml =
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
      "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>my-key</KMSMasterKeyID>"
      "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"
      "</ServerSideEncryptionConfiguration>";
  const std::string md5 = Base64Encode(Md5(kms_xml));
  ASSERT_EQ(Send("PUT", "/enc?encryption", kms_xml, {{{"content-md5", md5}}}).status, 200);
  r = Send("PUT", "/enc?encryption", kms_xml, {{{"content-md5", Base64Encode(Md5("x"))}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>BadDigest</Code>")) << r.body;
  r = Send("PUT", "/enc?encryption",
           "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
           "<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID>"
           "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>InvalidArgument</Code>")) << r.body;
  r = Send("PUT", "/enc?encryption",
           "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
           "<SSEAlgorithm>aws:kms:dsse</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
           "</ServerSideEncryptionConfiguration>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>InvalidArgument</Code>")) << r.body;
  r = Send("PUT", "/enc?encryption",
           "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
           "<SSEAlgorithm>DES</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
           "</ServerSideEncryptionConfiguration>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>MalformedXML</Code>")) << r.body;
  r = Send("GET", "/enc?encryption");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("<SSEAlgorithm>aws:kms</SSEAlgorithm>")) << r.body;
  EXPECT_TRUE(r.Has("<KMSMasterKeyID>my-key</KMSMasterKeyID>")) << r.body;
  EXPECT_TRUE(r.Has("<BucketKeyEnabled>true</BucketKeyEnabled>")) << r.body;

  // The write path reads it from the bucket's configuration.
  auto info = SyncWait([&]() -> Task<Result<object::BucketInfo>> {
    RequestContext ctx = RequestContext::Background();
    co_return co_await layer_->GetBucketInfo(ctx, "enc");
  }());
  ASSERT_TRUE(info.ok());
  auto config = BucketDefaultEncryption(*info);
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(config->has_value());
  EXPECT_EQ((*config)->algorithm, BucketEncryption::Algorithm::kAwsKms);
  EXPECT_EQ((*config)->kms_key_id, "my-key");

  EXPECT_EQ(Send("DELETE", "/enc?encryption").status, 204);
  EXPECT_EQ(Send("GET", "/enc?encryption").status, 404);
  EXPECT_EQ(Send("DELETE", "/enc?encryption").status, 204);
  EXPECT_EQ(Send("GET", "/nobucket?encryption").status, 404);
  EXPECT_EQ(Send("DELETE", "/nobucket?encryption").status, 404);
  EXPECT_EQ(Send("GET", "/enc/k?encryption").status, 501);
}

TEST_P(S3ApiTest, CorsPreflightNeedsNoCredentials) {
  MakeBucket("web");
  auto options = [&](std::string target, http::Headers h) {
    return Send("OPTIONS", std::move(target), "", {.headers = std::move(h), .sign = false});
  };
  Response r = options("/web/k", Preflight("http://app.test", "GET"));
  EXPECT_EQ(r.status, 403);  // no configuration yet
  EXPECT_TRUE(r.Has("<Code>AccessForbidden</Code>")) << r.body;
  EXPECT_TRUE(r.Has("CORS is not enabled for this bucket")) << r.body;
  r = options("/web/k", Preflight("http://app.test", ""));
  EXPECT_EQ(r.status, 403);  // the configuration is looked at before the method
  r = options("/nosuchbucket/k", Preflight("http://app.test", "GET"));
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.Has("CORSResponse: Bucket not found")) << r.body;
  r = options("/x/k", Preflight("http://app.test", "GET"));
  EXPECT_TRUE(r.Has("CORSResponse: Bucket not found")) << r.body;
  ASSERT_EQ(Send("PUT", "/web?cors", std::string(kCorsXml)).status, 200);
  r = options("/web/k", Preflight("http://app.test", "PUT", "Content-Type, Content-MD5"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("access-control-allow-origin"), "http://app.test");
  EXPECT_EQ(r.Header("access-control-allow-methods"), "GET, PUT");
  EXPECT_EQ(r.Header("access-control-allow-headers"), "content-type, content-md5");
  EXPECT_EQ(r.Header("access-control-expose-headers"), "ETag");
  EXPECT_EQ(r.Header("access-control-max-age"), "600");
  EXPECT_EQ(r.Header("access-control-allow-credentials"), "true");
  r = options("/web", Preflight("http://other.test", "HEAD"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
  r = options("/web/k", Preflight("http://app.test", "PUT", "x-amz-date"));
  EXPECT_EQ(r.status, 403);
  r = options("/web/k", Preflight("http://other.test", "GET"));
  EXPECT_EQ(r.status, 403);
  r = options("/web/k", Preflight("", "GET"));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("Origin request header needed")) << r.body;
  r = options("/web/k", Preflight("http://app.test", ""));
  EXPECT_EQ(r.status, 400);
}

TEST_P(S3ApiTest, CorsHeadersOnActualRequests) {
  MakeBucket("web");
  ASSERT_EQ(Send("PUT", "/web?cors", std::string(kCorsXml)).status, 200);
  Put("/web/k", "data");
  Response r = Send("GET", "/web/k", "", {{{"origin", "http://app.test"}}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("access-control-allow-origin"), "http://app.test");
  EXPECT_EQ(r.Header("access-control-allow-credentials"), "true");
  EXPECT_EQ(r.Header("access-control-expose-headers"), "ETag");
  EXPECT_NE(r.Header("vary"), "<absent>");
  // Errors carry them too.
  r = Send("GET", "/web/missing", "", {{{"origin", "http://app.test"}}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("access-control-allow-origin"), "http://app.test");
  // S3 matches by Access-Control-Request-Method when an actual request carries one.
  r = Send("GET", "/web/k", "",
           {{{"origin", "http://app.test"}, {"access-control-request-method", "DELETE"}}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("access-control-allow-origin"), "<absent>");
  // No rule for DELETE from that origin, no Origin at all: no CORS headers.
  r = Send("DELETE", "/web/k", "", {{{"origin", "http://app.test"}}});
  EXPECT_EQ(r.Header("access-control-allow-origin"), "<absent>");
  r = Send("GET", "/web/k");
  EXPECT_EQ(r.Header("access-control-allow-origin"), "<absent>");
}

TEST_P(S3ApiTest, BucketLifecycleConfiguration) {
  MakeBucket("logs");
  Response r = Send("GET", "/logs?lifecycle");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Has("<Code>NoSuchLifecycleConfiguration</Code>")) << r.body;
  r = Send("PUT", "/logs?lifecycle",
           "<LifecycleConfiguration><Rule><ID>t</ID><Filter/><Status>Enabled</Status>"
           "<Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>"
           "</LifecycleConfiguration>");
  EXPECT_EQ(r.status, 501);
  r = Send("PUT", "/logs?lifecycle",
           "<LifecycleConfiguration><Rule><ID>x</ID><Filter/><Status>Enabled</Status>"
           "<Expiration><Days>0</Days></Expiration></Rule></LifecycleConfiguration>");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>InvalidArgument</Code>")) << r.body;
  ASSERT_EQ(Send("PUT", "/logs?lifecycle",
                 "<LifecycleConfiguration><Rule><ID>expire-tmp</ID><Filter><Prefix>tmp/</Prefix>"
                 "</Filter><Status>Enabled</Status><Expiration><Days>3</Days></Expiration>"
                 "</Rule></LifecycleConfiguration>")
                .status,
            200);
  r = Send("GET", "/logs?lifecycle");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("<ID>expire-tmp</ID>")) << r.body;
  EXPECT_TRUE(r.Has("<Days>3</Days>")) << r.body;
  r = Send("PUT", "/logs/tmp/a", "x");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.Header("x-amz-expiration").find("rule-id=\"expire-tmp\""), std::string::npos)
      << r.Header("x-amz-expiration");
  r = Send("HEAD", "/logs/tmp/a");
  EXPECT_NE(r.Header("x-amz-expiration").find("expiry-date=\""), std::string::npos);
  r = Send("GET", "/logs/tmp/a");
  EXPECT_NE(r.Header("x-amz-expiration"), "<absent>");
  Put("/logs/keep/a", "x");
  EXPECT_EQ(Send("HEAD", "/logs/keep/a").Header("x-amz-expiration"), "<absent>");
  EXPECT_EQ(Send("DELETE", "/logs?lifecycle").status, 204);
  EXPECT_EQ(Send("GET", "/logs?lifecycle").status, 404);
  EXPECT_EQ(Send("HEAD", "/logs/tmp/a").Header("x-amz-expiration"), "<absent>");
}

// Tag filters read the object's tags from its "x-amz-tagging" metadata (URL query form).
TEST_P(S3ApiTest, ExpirationHeaderFollowsTagFilters) {
  MakeBucket("tags");
  ASSERT_EQ(Send("PUT", "/tags?lifecycle",
                 "<LifecycleConfiguration><Rule><ID>tmp-class</ID><Filter><Tag><Key>class</Key>"
                 "<Value>tmp file</Value></Tag></Filter><Status>Enabled</Status>"
                 "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>")
                .status,
            200);
  auto put = [&](std::string key, std::string tagging) {
    object::PutOptions opts;
    opts.metadata.emplace_back("content-type", "text/plain");
    if (!tagging.empty()) {
      opts.metadata.emplace_back("x-amz-tagging", std::move(tagging));
    }
    cairn::testing::StringSource src("data");
    object::HashReader body(src, {});
    RequestContext ctx;
    auto info = SyncWait(layer_->PutObject(ctx, "tags", key, body, opts));
    ASSERT_TRUE(info.ok()) << info.status().ToString();
  };
  put("a", "owner=me&class=tmp%20file");
  put("b", "class=keep");
  put("c", "");
  EXPECT_NE(Send("HEAD", "/tags/a").Header("x-amz-expiration").find("rule-id=\"tmp-class\""),
            std::string::npos);
  EXPECT_EQ(Send("HEAD", "/tags/b").Header("x-amz-expiration"), "<absent>");
  EXPECT_EQ(Send("HEAD", "/tags/c").Header("x-amz-expiration"), "<absent>");
}

// Object tags through the handlers: x-amz-tagging on PUT, ?tagging PUT/GET/DELETE, the
// x-amz-tagging-count header, and the stored form the lifecycle code reads.
TEST_P(S3ApiTest, ObjectTagging) {
  MakeBucket("tags");
  http::Headers with_tags;
  with_tags.emplace_back("x-amz-tagging", "a=1&b%20c=2");
  Put("/tags/k", "data", with_tags);
  Response r = Send("HEAD", "/tags/k");
  EXPECT_EQ(r.Header("x-amz-tagging-count"), "2");
  r = Send("GET", "/tags/k?tagging");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Tag><Key>a</Key><Value>1</Value></Tag>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Tag><Key>b c</Key><Value>2</Value></Tag>"), std::string::npos);
  r = Send("PUT", "/tags/k?tagging",
           "<Tagging><TagSet><Tag><Key>x</Key><Value>y/z w</Value></Tag></TagSet></Tagging>");
  EXPECT_EQ(r.status, 200) << r.body;
  auto info = SyncWait([&]() -> Task<Result<object::ObjectInfo>> {
    RequestContext ctx = RequestContext::Background();
    object::GetOptions opts;
    co_return co_await layer_->GetObjectInfo(ctx, "tags", "k", opts);
  }());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->Meta("x-amz-tagging"), "x=y%2Fz%20w");
  EXPECT_EQ(Stored("tags", "k"), "data");
  r = Send("PUT", "/tags/k?tagging",
           "<Tagging><TagSet><Tag><Key>x</Key><Value>1</Value></Tag>"
           "<Tag><Key>x</Key><Value>2</Value></Tag></TagSet></Tagging>");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>InvalidTag</Code>"), std::string::npos) << r.body;
  EXPECT_EQ(Send("DELETE", "/tags/k?tagging").status, 204);
  r = Send("GET", "/tags/k");
  EXPECT_EQ(r.Header("x-amz-tagging-count"), "<absent>");
  EXPECT_EQ(Send("GET", "/tags/none?tagging").status, 404);
}

TEST_P(S3ApiTest, BucketTagging) {
  MakeBucket("btags");
  Response r = Send("GET", "/btags?tagging");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("<Code>NoSuchTagSet</Code>"), std::string::npos) << r.body;
  r = Send("PUT", "/btags?tagging",
           "<Tagging><TagSet><Tag><Key>team</Key><Value>s3</Value></Tag></TagSet></Tagging>");
  EXPECT_EQ(r.status, 204) << r.body;
  r = Send("GET", "/btags?tagging");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Key>team</Key><Value>s3</Value>"), std::string::npos) << r.body;
  EXPECT_EQ(Send("DELETE", "/btags?tagging").status, 204);
  EXPECT_EQ(Send("GET", "/btags?tagging").status, 404);
  EXPECT_EQ(Send("GET", "/nobucket?tagging").status, 404);
}

// ---- server-side encryption -----------------------------------------------------------------

http::Headers SseC(const std::string& key, std::string prefix = "x-amz-server-side-encryption-") {
  return {{prefix + "customer-algorithm", "AES256"},
          {prefix + "customer-key", Base64Encode(key)},
          {prefix + "customer-key-md5", Base64Encode(Md5(key))}};
}

const std::string kKeyA(32, 'a');
const std::string kKeyB(32, 'b');

std::string Pattern(std::size_t n, int seed) {
  std::string out(n, '\0');
  std::uint32_t x = 2166136261u ^ static_cast<std::uint32_t>(seed);
  for (auto& ch : out) {
    x = x * 16777619u + 12345u;
    ch = static_cast<char>(x >> 24);
  }
  return out;
}

TEST_P(S3ApiTest, SseCRoundTripRangesAndErrors) {
  MakeBucket("enc");
  for (std::size_t size :
       {std::size_t{0}, std::size_t{5}, std::size_t{65536}, std::size_t{200000}}) {
    const std::string data = Pattern(size, static_cast<int>(size));
    Response r = Send("PUT", "/enc/k", data, {SseC(kKeyA)});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("x-amz-server-side-encryption-customer-algorithm"), "AES256");
    EXPECT_EQ(r.Header("x-amz-server-side-encryption-customer-key-md5"), Base64Encode(Md5(kKeyA)));
    EXPECT_NE(r.Header("etag"), "\"" + HexEncode(Md5(data)) + "\"");
    const std::string etag = r.Header("etag");
    // What is stored is the package stream, not the plaintext.
    auto stored = Stored("enc", "k");
    ASSERT_TRUE(stored);
    EXPECT_EQ(static_cast<std::int64_t>(stored->size()), crypto::EncryptedSize(size));
    if (size > 0) {
      EXPECT_EQ(stored->find(data), std::string::npos);
    }
    r = Send("GET", "/enc/k", "", {SseC(kKeyA)});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, data);
    EXPECT_EQ(r.Header("etag"), etag);
    r = Send("HEAD", "/enc/k", "", {SseC(kKeyA)});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.length, size);
    r = Send("GET", "/enc?list-type=2");
    EXPECT_TRUE(r.Has("<Size>" + std::to_string(size) + "</Size>")) << r.body;
    if (size < 1000) {
      continue;
    }
    for (auto [first, last] : std::vector<std::pair<std::size_t, std::size_t>>{{0, 0},
                                                                               {1, 65535},
                                                                               {65535, 65536},
                                                                               {65536, 131072},
                                                                               {size - 1, size - 1},
                                                                               {100, size - 1},
                                                                               {131071, 131073}}) {
      if (last >= size) {
        continue;
      }
      http::Headers h = SseC(kKeyA);
      h.emplace_back("range", "bytes=" + std::to_string(first) + "-" + std::to_string(last));
      r = Send("GET", "/enc/k", "", {h});
      ASSERT_EQ(r.status, 206) << first << "-" << last << " " << r.body;
      EXPECT_EQ(r.body, data.substr(first, last - first + 1)) << first << "-" << last;
      EXPECT_EQ(r.Header("content-range"), "bytes " + std::to_string(first) + "-" +
                                               std::to_string(last) + "/" + std::to_string(size));
    }
    http::Headers h = SseC(kKeyA);
    h.emplace_back("range", "bytes=" + std::to_string(size) + "-");
    r = Send("GET", "/enc/k", "", {h});
    EXPECT_EQ(r.status, 416);
    EXPECT_EQ(r.Header("content-range"), "bytes */" + std::to_string(size));
  }
  // Errors: no key, another key, a key on an unencrypted object, a bad MD5, SSE-C with SSE-S3.
  Response r = Send("GET", "/enc/k");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>InvalidRequest</Code>")) << r.body;
  r = Send("GET", "/enc/k", "", {SseC(kKeyB)});
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.Has("<Code>AccessDenied</Code>")) << r.body;
  EXPECT_EQ(Send("HEAD", "/enc/k", "", {SseC(kKeyB)}).status, 403);
  Put("/enc/plain", "plain");
  r = Send("GET", "/enc/plain", "", {SseC(kKeyA)});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>InvalidArgument</Code>")) << r.body;
  http::Headers bad = SseC(kKeyA);
  bad[2].second = Base64Encode(Md5("nope"));
  r = Send("PUT", "/enc/x", "x", {bad});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("<Code>InvalidArgument</Code>")) << r.body;
  http::Headers both = SseC(kKeyA);
  both.emplace_back("x-amz-server-side-encryption", "AES256");
  EXPECT_EQ(Send("PUT", "/enc/x", "x", {both}).status, 400);
  EXPECT_EQ(Send("PUT", "/enc/x", "x",
                 {.headers = {{"x-amz-server-side-encryption-customer-algorithm", "AES128"},
                              {"x-amz-server-side-encryption-customer-key", Base64Encode(kKeyA)},
                              {"x-amz-server-side-encryption-customer-key-md5",
                               Base64Encode(Md5(kKeyA))}}})
                .status,
            400);
  // Over plain HTTP without --sse-c-allow-http: refused.
  opts_.sse_c_allow_http = false;
  api_ = std::make_unique<S3Api>(opts_, *layer_, creds_);
  r = Send("PUT", "/enc/x", "x", {SseC(kKeyA)});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("secure connection")) << r.body;
}

TEST_P(S3ApiTest, SseS3AndKms) {
  MakeBucket("enc");
  const std::string data = Pattern(150000, 3);
  Response r =
      Send("PUT", "/enc/s3", data, {.headers = {{"x-amz-server-side-encryption", "AES256"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "AES256");
  EXPECT_EQ(r.Header("etag"), "\"" + HexEncode(Md5(data)) + "\"");
  r = Send("GET", "/enc/s3");
  EXPECT_EQ(r.body, data);
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "AES256");
  r = Send("PUT", "/enc/kms", data,
           {.headers = {
                {"x-amz-server-side-encryption", "aws:kms"},
                {"x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:other"},
                {"x-amz-server-side-encryption-context", Base64Encode(R"({"project":"cairn"})")}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("x-amz-server-side-encryption-aws-kms-key-id"), "other");
  EXPECT_NE(r.Header("etag"), "\"" + HexEncode(Md5(data)) + "\"");
  r = Send("GET", "/enc/kms", "", {.headers = {{"range", "bytes=70000-70009"}}});
  EXPECT_EQ(r.body, data.substr(70000, 10));
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "aws:kms");
  // A read that names encryption is refused; so are unknown and disabled keys.
  EXPECT_EQ(Send("GET", "/enc/kms", "", {.headers = {{"x-amz-server-side-encryption", "aws:kms"}}})
                .status,
            400);
  r = Send("PUT", "/enc/x", "x",
           {.headers = {{"x-amz-server-side-encryption", "aws:kms"},
                        {"x-amz-server-side-encryption-aws-kms-key-id", "missing"}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.Has("KMS.NotFoundException")) << r.body;
  r = Send("PUT", "/enc/x", "x",
           {.headers = {{"x-amz-server-side-encryption", "aws:kms"},
                        {"x-amz-server-side-encryption-aws-kms-key-id", "disabled"}}});
  EXPECT_TRUE(r.Has("KMS.DisabledException")) << r.body;
  EXPECT_EQ(
      Send("PUT", "/enc/x", "x", {.headers = {{"x-amz-server-side-encryption", "AES512"}}}).status,
      400);
  EXPECT_EQ(Send("PUT", "/enc/x", "x",
                 {.headers = {{"x-amz-server-side-encryption-aws-kms-key-id", "other"}}})
                .status,
            400);
  // A sealed key moved to another object does not open there.
  const std::optional<std::string> stored = Stored("enc", "kms");
  ASSERT_TRUE(stored);
  SyncWait([&]() -> Task<void> {
    RequestContext ctx = RequestContext::Background();
    object::GetOptions opts;
    auto info = co_await layer_->GetObjectInfo(ctx, "enc", "kms", opts);
    EXPECT_TRUE(info.ok());
    object::PutOptions put;
    put.metadata = info->metadata;
    cairn::testing::StringSource src(*stored);
    object::HashExpectations expect;
    expect.size = static_cast<std::int64_t>(stored->size());
    object::HashReader body(src, std::move(expect));
    auto moved = co_await layer_->PutObject(ctx, "enc", "moved", body, put);
    EXPECT_TRUE(moved.ok());
  }());
  r = Send("GET", "/enc/moved");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_TRUE(r.Has("KMS.InternalException")) << r.body;
  // Without a KMS: 501, for writes and for reads of SSE-S3 objects.
  opts_.kms = nullptr;
  api_ = std::make_unique<S3Api>(opts_, *layer_, creds_);
  r = Send("PUT", "/enc/x", "x", {.headers = {{"x-amz-server-side-encryption", "AES256"}}});
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(Send("GET", "/enc/s3").status, 501);
}

TEST_P(S3ApiTest, SseMultipartAndCopy) {
  MakeBucket("enc");
  Response r = Send("POST", "/enc/mp?uploads", "",
                    {.headers = {{"x-amz-server-side-encryption", "AES256"}}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "AES256");
  auto start = r.body.find("<UploadId>");
  std::string id = r.body.substr(start + 10, r.body.find("</UploadId>") - start - 10);
  const std::vector<std::string> parts = {Pattern(70000, 1), Pattern(65536, 2), Pattern(10, 3)};
  std::string xml = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    r = Send("PUT", "/enc/mp?partNumber=" + n + "&uploadId=" + id, parts[i]);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("etag"), "\"" + HexEncode(Md5(parts[i])) + "\"");
    xml += "<Part><PartNumber>" + n + "</PartNumber><ETag>" + r.Header("etag") + "</ETag></Part>";
  }
  r = Send("GET", "/enc/mp?uploadId=" + id);
  EXPECT_TRUE(r.Has("<Size>70000</Size>")) << r.body;
  r = Send("POST", "/enc/mp?uploadId=" + id, xml + "</CompleteMultipartUpload>");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "AES256");
  const std::string whole = parts[0] + parts[1] + parts[2];
  r = Send("GET", "/enc/mp");
  EXPECT_EQ(r.body, whole);
  r = Send("GET", "/enc/mp?partNumber=2");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, parts[1]);
  EXPECT_EQ(r.Header("content-range"), "bytes 70000-135535/135546");
  for (auto [first, last] : std::vector<std::pair<std::size_t, std::size_t>>{
           {69990, 70010}, {0, 135545}, {65530, 135540}, {135536, 135545}}) {
    r = Send(
        "GET", "/enc/mp", "",
        {.headers = {{"range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}}});
    EXPECT_EQ(r.body, whole.substr(first, last - first + 1)) << first << "-" << last;
  }
  r = Send("HEAD", "/enc/mp?partNumber=3");
  EXPECT_EQ(r.length, 10u);
  // Copies between modes.
  http::Headers copy = SseC(kKeyA);
  copy.emplace_back("x-amz-copy-source", "/enc/mp");
  r = Send("PUT", "/enc/c", "", {copy});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Send("GET", "/enc/c", "", {SseC(kKeyA)}).body, whole);
  http::Headers back = SseC(kKeyA, "x-amz-copy-source-server-side-encryption-");
  back.emplace_back("x-amz-copy-source", "/enc/c");
  r = Send("PUT", "/enc/plain", "", {back});
  ASSERT_EQ(r.status, 200) << r.body;
  r = Send("GET", "/enc/plain");
  EXPECT_EQ(r.body, whole);
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "<absent>");
  r = Send("PUT", "/enc/x", "", {.headers = {{"x-amz-copy-source", "/enc/c"}}});
  EXPECT_EQ(r.status, 400) << r.body;

  // A FULL_OBJECT CRC of an encrypted upload is the plaintext's (combined with the parts'
  // plaintext sizes, not their stored ones). The memory layer keeps no multipart checksums.
  if (GetParam() != Backend::kServerPools) {
    return;
  }
  r = Send("POST", "/enc/crc?uploads", "",
           {.headers = {{"x-amz-server-side-encryption", "AES256"},
                        {"x-amz-checksum-algorithm", "CRC64NVME"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  start = r.body.find("<UploadId>");
  id = r.body.substr(start + 10, r.body.find("</UploadId>") - start - 10);
  xml = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    r = Send("PUT", "/enc/crc?partNumber=" + n + "&uploadId=" + id, parts[i]);
    ASSERT_EQ(r.status, 200) << r.body;
    xml += "<Part><PartNumber>" + n + "</PartNumber><ETag>" + r.Header("etag") + "</ETag></Part>";
  }
  r = Send("POST", "/enc/crc?uploadId=" + id, xml + "</CompleteMultipartUpload>");
  ASSERT_EQ(r.status, 200) << r.body;
  auto crc = NewChecksumHasher(ChecksumAlgorithm::kCrc64Nvme);
  crc->Update(whole);
  r = Send("HEAD", "/enc/crc", "", {.headers = {{"x-amz-checksum-mode", "ENABLED"}}});
  EXPECT_EQ(r.Header("x-amz-checksum-crc64nvme"), Base64Encode(crc->Finish()));
}

TEST_P(S3ApiTest, BucketDefaultEncryptionApplies) {
  MakeBucket("def");
  ASSERT_EQ(Send("PUT", "/def?encryption", std::string(kSseS3Xml)).status, 200);
  Response r = Send("PUT", "/def/k", "defaulted");
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "AES256");
  auto stored = Stored("def", "k");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->find("defaulted"), std::string::npos);
  EXPECT_EQ(Send("GET", "/def/k").body, "defaulted");
  // The request's own choice wins.
  r = Send("PUT", "/def/c", "own", {SseC(kKeyA)});
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "<absent>");
  EXPECT_EQ(Send("GET", "/def/c", "", {SseC(kKeyA)}).body, "own");
  ASSERT_EQ(Send("PUT", "/def?encryption",
                 "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                 "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>other</KMSMasterKeyID>"
                 "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")
                .status,
            200);
  r = Send("POST", "/def/mp?uploads");
  EXPECT_EQ(r.Header("x-amz-server-side-encryption"), "aws:kms");
  EXPECT_EQ(r.Header("x-amz-server-side-encryption-aws-kms-key-id"), "other");
  // Auto encryption: every new object is SSE-S3 unless it asks otherwise.
  EXPECT_EQ(Send("DELETE", "/def?encryption").status, 204);
  EXPECT_EQ(Send("PUT", "/def/p", "plain").Header("x-amz-server-side-encryption"), "<absent>");
  opts_.auto_encryption = true;
  api_ = std::make_unique<S3Api>(opts_, *layer_, creds_);
  EXPECT_EQ(Send("PUT", "/def/a", "auto").Header("x-amz-server-side-encryption"), "AES256");
  EXPECT_EQ(Send("GET", "/def/a").body, "auto");
}

TEST(StaticCredentials, OnlyTheRootKey) {
  StaticCredentialProvider creds("root", "secret");
  EXPECT_EQ(creds.SecretKey("root"), "secret");
  EXPECT_FALSE(creds.SecretKey("Root"));
  EXPECT_FALSE(creds.SecretKey(""));
}

}  // namespace s3_api_test_internal
}  // namespace cairn::s3
