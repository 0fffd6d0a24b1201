#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include "audit/entry.h"
#include "audit/file_target.h"
#include "audit/logger.h"
#include "audit/target.h"
#include "audit/webhook_target.h"
#include "http/server.h"
#include "testing/eventually.h"
#include "unit/http/test_client.h"

namespace cairn::audit {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using cairn::testing::Eventually;

Record MakeRecord(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

http::Headers RequestHeaders() {
  http::Headers h;
  h.emplace_back("host", "127.0.0.1:9000");
  h.emplace_back("user-agent", "aws-cli/2.0");
  h.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=AK/..., Signature=deadbeef");
  h.emplace_back("x-amz-date", "20261207T000000Z");
  h.emplace_back("x-amz-security-token", "session-secret");
  h.emplace_back("x-amz-server-side-encryption-customer-key", "c3NlLWMta2V5");
  h.emplace_back("x-amz-meta-color", "blue");
  h.emplace_back("x-custom", "one");
  h.emplace_back("x-custom", "two");
  h.emplace_back("x-other", "not logged");
  h.emplace_back("content-type", "text/plain");
  return h;
}

TEST(AuditEntry, RendersMinioFields) {
  const http::Headers request = RequestHeaders();
  http::Headers response;
  response.emplace_back("etag", "\"abc\"");
  response.emplace_back("x-amz-version-id", "v1");
  Entry e;
  e.time = std::chrono::system_clock::time_point(1'700'000'000'123'456'000ns);
  e.api_name = "GetObject";
  e.bucket = "photos";
  e.object = "a b.jpg";
  e.version_id = "v1";
  e.status_code = 404;
  e.error_code = "NoSuchKey";
  e.error_message = "The specified key does not exist.";
  e.request_id = "17B86CB0ED88EBE9";
  e.access_key = "AKIA";
  e.parent_user = "alice";
  e.remote_address = "10.0.0.7:51234";
  e.path = "/photos/a%20b.jpg";
  e.query = "versionId=v1&X-Amz-Signature=secret&X-Amz-Credential=AK%2F1";
  e.request_headers = &request;
  e.response_headers = &response;
  e.rx = 12;
  e.tx = 345;
  e.time_to_first_byte = 1500ns;
  e.time_to_response = 2500ns;
  const std::string line = RenderEntry(e, HeaderFilter({"x-custom", "content-*"}), "dep-1", "n1");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const Json j = Json::parse(line);
  EXPECT_EQ(j["version"], "1");
  EXPECT_EQ(j["deploymentid"], "dep-1");
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(j["event"], "");
  EXPECT_EQ(j["trigger"], "incoming");
  EXPECT_EQ(j["api"]["name"], "GetObject");
  EXPECT_EQ(j["api"]["bucket"], "photos");
  EXPECT_EQ(j["api"]["object"], "a b.jpg");
  EXPECT_EQ(j["api"]["versionId"], "v1");
  EXPECT_EQ(j["api"]["status"], "Not Found");
  EXPECT_EQ(j["api"]["statusCode"], 404);
  EXPECT_EQ(j["api"]["rx"], 12);
  EXPECT_EQ(j["api"]["tx"], 345);
  EXPECT_EQ(j["api"]["timeToFirstByte"], "1500ns");
  EXPECT_EQ(j["api"]["timeToFirstByteInNS"], "1500");
  EXPECT_EQ(j["api"]["timeToResponse"], "2500ns");
  EXPECT_EQ(j["remotehost"], "10.0.0.7");
  EXPECT_EQ(j["requestID"], "17B86CB0ED88EBE9");
  EXPECT_EQ(j["userAgent"], "aws-cli/2.0");
  EXPECT_EQ(j["requestPath"], "/photos/a b.jpg");
  EXPECT_EQ(j["requestHost"], "127.0.0.1:9000");
  EXPECT_EQ(j["requestNode"], "n1");
  EXPECT_EQ(j["requestQuery"]["versionId"], "v1");
  EXPECT_EQ(j["requestQuery"]["X-Amz-Credential"], "AK/1");
  EXPECT_FALSE(j["requestQuery"].contains("X-Amz-Signature"));
  EXPECT_EQ(j["requestHeader"]["X-Amz-Date"], "20261207T000000Z");
  EXPECT_EQ(j["requestHeader"]["X-Amz-Meta-Color"], "blue");
  EXPECT_EQ(j["requestHeader"]["X-Custom"], "one,two");
  EXPECT_EQ(j["requestHeader"]["Content-Type"], "text/plain");
  EXPECT_FALSE(j["requestHeader"].contains("X-Other"));
  EXPECT_FALSE(j["requestHeader"].contains("Authorization"));
  EXPECT_FALSE(j["requestHeader"].contains("X-Amz-Security-Token"));
  EXPECT_EQ(j["responseHeader"]["Etag"], "abc");
  EXPECT_EQ(j["responseHeader"]["X-Amz-Version-Id"], "v1");
  EXPECT_TRUE(j["tags"].is_object());
  EXPECT_EQ(j["accessKey"], "AKIA");
  EXPECT_EQ(j["parentUser"], "alice");
  EXPECT_EQ(j["error"], "The specified key does not exist.");
  EXPECT_EQ(j["errorCode"], "NoSuchKey");
  // No secret reaches the record in any field.
  for (const char* secret : {"deadbeef", "session-secret", "c3NlLWMta2V5", "secret&"}) {
    EXPECT_EQ(line.find(secret), std::string::npos) << secret;
  }
}

TEST(AuditEntry, SuccessHasNoErrorAndSecretsStayOutEvenWhenNamed) {
  const http::Headers request = RequestHeaders();
  Entry e;
  e.api_name = "PutObject";
  e.status_code = 200;
  e.request_headers = &request;
  const std::string line =
      RenderEntry(e, HeaderFilter({"authorization", "x-amz-security-token", "*"}), "", "");
  const Json j = Json::parse(line);
  EXPECT_EQ(j["api"]["status"], "OK");
  EXPECT_FALSE(j.contains("error"));
  EXPECT_FALSE(j.contains("errorCode"));
  EXPECT_FALSE(j.contains("deploymentid"));
  EXPECT_FALSE(j["api"].contains("timeToFirstByte"));
  EXPECT_EQ(j["requestHeader"]["X-Other"], "not logged");  // "*" names every header
  EXPECT_EQ(line.find("deadbeef"), std::string::npos);
  EXPECT_EQ(line.find("session-secret"), std::string::npos);
  EXPECT_EQ(line.find("c3NlLWMta2V5"), std::string::npos);
}

TEST(AuditEntry, Helpers) {
  EXPECT_EQ(CanonicalHeaderName("x-amz-meta-color"), "X-Amz-Meta-Color");
  EXPECT_EQ(CanonicalHeaderName("etag"), "Etag");
  EXPECT_EQ(FormatTime(std::chrono::system_clock::time_point(0ns)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(std::chrono::system_clock::time_point(1'000'000'001ns)),
            "1970-01-01T00:00:01.000000001Z");
  EXPECT_TRUE(IsSecretHeader("authorization"));
  EXPECT_FALSE(HeaderFilter().Keep("x-amz-security-token"));
  EXPECT_TRUE(HeaderFilter().Keep("x-amz-content-sha256"));
  EXPECT_FALSE(HeaderFilter().Keep("content-type"));
}

TEST(AuditWebhookUrl, Parses) {
  auto a = ParseWebhookUrl("http://127.0.0.1:8080/audit?x=1");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->https);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->target, "/audit?x=1");
  auto b = ParseWebhookUrl("https://logs.example.com");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->https);
  EXPECT_EQ(b->port, 443);
  EXPECT_EQ(b->target, "/");
  EXPECT_FALSE(ParseWebhookUrl("ftp://x").ok());
  EXPECT_FALSE(ParseWebhookUrl("http://host:99999/").ok());
}

// A target whose deliveries wait until the test opens the gate.
class GatedTarget final : public Target {
 public:
  explicit GatedTarget(DeliveryOptions o) : Target("gated", o) {}

  ~GatedTarget() override {
    Open();
    Stop(std::chrono::steady_clock::now() + 1s);
  }

  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

  std::vector<std::string> delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }

 protected:
  bool Deliver(std::span<const Record> batch) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return open_; });
    for (const Record& r : batch) {
      delivered_.push_back(*r);
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  std::vector<std::string> delivered_;
};

TEST(AuditTarget, FullQueueDropsAndCounts) {
  DeliveryOptions o;
  o.queue_size = 3;
  GatedTarget target(o);
  target.Start();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    target.Offer(MakeRecord(std::to_string(i)));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);  // never waited for the target
  TargetStats s = target.stats();
  EXPECT_EQ(s.dropped, 7u);
  EXPECT_EQ(s.queued, 3u);
  target.Open();
  ASSERT_TRUE(Eventually([&] { return target.stats().sent == 3; }));
  EXPECT_EQ(target.delivered(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(target.stats().queued, 0u);
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(AuditFileTarget, AppendsLinesAndRotatesBySize) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("cairn-audit-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "audit.log";
  {
    FileTargetOptions o;
    o.path = path.string();
    o.max_size = 100;
    o.keep = 2;
    o.delivery.batch_size = 4;
    o.delivery.flush_interval = 0ms;
    FileTarget target(o);
    target.Start();
    // 30 records of 29 bytes + newline: 3 a file, so 10 files' worth; 3 are kept.
    for (int i = 0; i < 30; ++i) {
      target.Offer(MakeRecord(fmt::format("{{\"n\":{:02},\"pad\":\"xxxxxxxxxxxx\"}}", i)));
    }
    ASSERT_TRUE(Eventually([&] { return target.stats().sent == 30; }));
    EXPECT_EQ(target.stats().failed, 0u);
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(dir / "audit.log.1"));
  EXPECT_TRUE(std::filesystem::exists(dir / "audit.log.2"));
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.log.3"));
  // Newest last: the current file holds records 27-29, .1 24-26, .2 21-23; each line parses.
  EXPECT_EQ(ReadFile(path).substr(0, 7), "{\"n\":27");
  EXPECT_EQ(ReadFile(dir / "audit.log.1").substr(0, 7), "{\"n\":24");
  EXPECT_EQ(ReadFile(dir / "audit.log.2").substr(0, 7), "{\"n\":21");
  for (const char* name : {"audit.log", "audit.log.1", "audit.log.2"}) {
    const std::string text = ReadFile(dir / name);
    EXPECT_LE(text.size(), 100u) << name;
    std::size_t lines = 0;
    for (std::size_t pos = 0; pos < text.size();) {
      const std::size_t nl = text.find('\n', pos);
      ASSERT_NE(nl, std::string::npos);
      EXPECT_TRUE(Json::accept(text.substr(pos, nl - pos)));
      pos = nl + 1;
      ++lines;
    }
    EXPECT_EQ(lines, 3u) << name;
  }
  std::filesystem::remove_all(dir);
}

// A webhook receiver: an http::Server that keeps every POST it gets.
class Receiver {
 public:
  explicit Receiver(std::uint16_t port = 0, std::string cert = "", std::string key = "") {
    http::ServerOptions o;
    o.address = "127.0.0.1:" + std::to_string(port);
    o.tls_cert_file = std::move(cert);
    o.tls_key_file = std::move(key);
    o.threads = 1;
    o.shutdown_grace = 200ms;
    server_ = std::make_unique<http::Server>(o, [this](http::Exchange& ex) { return Serve(ex); });
    ok_ = server_->Start().ok();
  }

  bool ok() const { return ok_; }

  std::uint16_t port() const { return server_->port(); }

  struct Post {
    std::string target;
    std::string authorization;
    std::string content_type;
    std::string body;
  };

  std::vector<Post> posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }

 private:
  Task<void> Serve(http::Exchange& ex) {
    Post p;
    p.target = ex.request().target;
    const std::string* auth = ex.request().Header("authorization");
    p.authorization = auth != nullptr ? *auth : "";
    const std::string* type = ex.request().Header("content-type");
    p.content_type = type != nullptr ? *type : "";
    std::vector<std::byte> buf(4096);
    for (;;) {
      auto n = co_await ex.body().Read(buf);
      if (!n.ok() || *n == 0) {
        break;
      }
      p.body.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      posts_.push_back(std::move(p));
    }
    (void)co_await ex.Respond(200, http::Headers(), "");
  }

  std::mutex mu_;
  std::vector<Post> posts_;
  std::unique_ptr<http::Server> server_;
  bool ok_ = false;
};

// A port with nothing listening on it (bound, then closed).
std::uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(AuditWebhookTarget, PostsBatchesAsJsonLinesWithTheToken) {
  Receiver receiver;
  ASSERT_TRUE(receiver.ok());
  WebhookTargetOptions o;
  o.id = "webhook:test";
  o.endpoint = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/audit";
  o.auth_token = "Bearer s3cr3t";
  o.delivery.batch_size = 3;
  auto target = WebhookTarget::Create(o);
  ASSERT_TRUE(target.ok());
  (*target)->Start();
  for (int i = 0; i < 6; ++i) {
    (*target)->Offer(MakeRecord(fmt::format("{{\"n\":{}}}", i)));
  }
  ASSERT_TRUE(Eventually([&] { return (*target)->stats().sent == 6; }));
  const auto posts = receiver.posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].target, "/audit");
  EXPECT_EQ(posts[0].authorization, "Bearer s3cr3t");
  EXPECT_EQ(posts[0].content_type, "application/json");
  EXPECT_EQ(posts[0].body, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ(posts[1].body, "{\"n\":3}\n{\"n\":4}\n{\"n\":5}\n");
}

TEST(AuditWebhookTarget, OneRecordPerPostIsOneJsonObject) {
  Receiver receiver;
  ASSERT_TRUE(receiver.ok());
  WebhookTargetOptions o;
  o.id = "webhook";
  o.endpoint = "http://127.0.0.1:" + std::to_string(receiver.port());
  auto target = WebhookTarget::Create(o);
  ASSERT_TRUE(target.ok());
  (*target)->Start();
  (*target)->Offer(MakeRecord("{\"n\":1}"));
  ASSERT_TRUE(Eventually([&] { return (*target)->stats().sent == 1; }));
  ASSERT_EQ(receiver.posts().size(), 1u);
  EXPECT_EQ(receiver.posts()[0].body, "{\"n\":1}");
  EXPECT_EQ(receiver.posts()[0].target, "/");
  EXPECT_EQ(receiver.posts()[0].authorization, "");
}

TEST(AuditWebhookTarget, PostsOverHttpsCheckingTheCertificate) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("cairn-audit-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string();
  const std::string key = (dir / "key.pem").string();
  ASSERT_TRUE(http::testing::WriteSelfSignedCert(cert, key));
  Receiver receiver(0, cert, key);
  ASSERT_TRUE(receiver.ok());
  const std::string endpoint = "https://127.0.0.1:" + std::to_string(receiver.port()) + "/tls";
  WebhookTargetOptions trusted;
  trusted.id = "webhook:tls";
  trusted.endpoint = endpoint;
  trusted.tls_ca_file = cert;
  auto target = WebhookTarget::Create(trusted);
  ASSERT_TRUE(target.ok());
  (*target)->Start();
  (*target)->Offer(MakeRecord("{\"tls\":true}"));
  ASSERT_TRUE(Eventually([&] { return (*target)->stats().sent == 1; }));
  ASSERT_EQ(receiver.posts().size(), 1u);
  EXPECT_EQ(receiver.posts()[0].body, "{\"tls\":true}");
  EXPECT_EQ(receiver.posts()[0].target, "/tls");

  // A certificate the system's CAs do not vouch for is refused: nothing reaches the receiver.
  WebhookTargetOptions untrusted = trusted;
  untrusted.tls_ca_file.clear();
  untrusted.delivery.min_backoff = 10ms;
  auto refused = WebhookTarget::Create(untrusted);
  ASSERT_TRUE(refused.ok());
  (*refused)->Start();
  (*refused)->Offer(MakeRecord("{}"));
  ASSERT_TRUE(Eventually([&] { return (*refused)->stats().failed >= 1; }));
  EXPECT_EQ((*refused)->stats().sent, 0u);
  EXPECT_EQ(receiver.posts().size(), 1u);
  (*refused)->Stop(std::chrono::steady_clock::now() + 200ms);
  (*target)->Stop(std::chrono::steady_clock::now() + 200ms);
  std::filesystem::remove_all(dir);
}

TEST(AuditWebhookTarget, RetriesWithBackoffUntilTheEndpointComesUp) {
  const std::uint16_t port = ClosedPort();
  WebhookTargetOptions o;
  o.id = "webhook";
  o.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/";
  o.delivery.batch_size = 1;
  o.delivery.queue_size = 5;
  o.delivery.min_backoff = 20ms;
  o.delivery.max_backoff = 100ms;
  auto target = WebhookTarget::Create(o);
  ASSERT_TRUE(target.ok());
  (*target)->Start();
  for (int i = 0; i < 8; ++i) {
    (*target)->Offer(MakeRecord(fmt::format("{{\"n\":{}}}", i)));
  }
  ASSERT_TRUE(Eventually([&] { return (*target)->stats().failed >= 3; }));
  TargetStats s = (*target)->stats();
  EXPECT_EQ(s.sent, 0u);
  EXPECT_EQ(s.dropped, 3u);
  EXPECT_EQ(s.queued, 5u);
  Receiver receiver(port);
  ASSERT_TRUE(receiver.ok());
  ASSERT_TRUE(Eventually([&] { return (*target)->stats().sent == 5; }));
  EXPECT_EQ((*target)->stats().queued, 0u);
  const auto posts = receiver.posts();
  ASSERT_EQ(posts.size(), 5u);
  EXPECT_EQ(posts.front().body, "{\"n\":0}");
  EXPECT_EQ(posts.back().body, "{\"n\":4}");
}

TEST(AuditWebhookTarget, StopIsBoundedWhenTheEndpointNeverAnswers) {
  // A listening socket that never accepts: connects succeed, no response ever comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  WebhookTargetOptions o;
  o.id = "webhook";
  o.endpoint = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  o.request_timeout = 30s;
  auto target = WebhookTarget::Create(o);
  ASSERT_TRUE(target.ok());
  (*target)->Start();
  (*target)->Offer(MakeRecord("{}"));
  std::this_thread::sleep_for(50ms);  // let the POST start
  const auto start = std::chrono::steady_clock::now();
  (*target)->Stop(start + 200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ((*target)->stats().sent, 0u);
  ::close(fd);
}

TEST(AuditLogger, FansOutToEveryTargetAndRendersMetrics) {
  Receiver a;
  Receiver b;
  ASSERT_TRUE(a.ok() && b.ok());
  Logger logger(LoggerOptions{"node-1:9000", {}});
  for (Receiver* r : {&a, &b}) {
    WebhookTargetOptions o;
    o.id = r == &a ? "webhook:a" : "webhook:b";
    o.endpoint = "http://127.0.0.1:" + std::to_string(r->port());
    auto target = WebhookTarget::Create(o);
    ASSERT_TRUE(target.ok());
    logger.AddTarget(std::move(*target));
  }
  logger.SetDeploymentId("dep-9");
  const http::Headers request = RequestHeaders();
  Entry e;
  e.api_name = "ListBuckets";
  e.status_code = 200;
  e.request_headers = &request;
  const std::string id = logger.NewRequestId();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_NE(logger.NewRequestId(), id);
  e.request_id = id;
  logger.Log(e);
  ASSERT_TRUE(Eventually([&] { return a.posts().size() == 1 && b.posts().size() == 1; }));
  const Json j = Json::parse(a.posts()[0].body);
  EXPECT_EQ(j["deploymentid"], "dep-9");
  EXPECT_EQ(j["requestNode"], "node-1:9000");
  EXPECT_EQ(j["requestID"], id);
  EXPECT_EQ(a.posts()[0].body, b.posts()[0].body);
  std::string metrics;
  logger.AppendMetrics(metrics);
  EXPECT_NE(metrics.find("minio_audit_total_messages{target_id=\"webhook:a\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("minio_audit_failed_messages{target_id=\"webhook:b\"} 0\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("minio_audit_target_queue_length{target_id=\"webhook:a\"} 0\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("cairn_audit_dropped_messages{target_id=\"webhook:b\"} 0\n"),
            std::string::npos);
  logger.Stop();
  logger.Log(e);  // after Stop: dropped, no thread left to deliver it
  EXPECT_EQ(logger.Stats()[0].dropped, 1u);
}

}  // namespace
}  // namespace cairn::audit
