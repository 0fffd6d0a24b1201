// AdminApi through a FakeExchange: routing, parameter parsing, JSON rendering of every
// endpoint, errors, and authentication (SigV4 with the root key; 403 without or with a bad
// signature), over a FakeHealAdmin.
#include "admin/admin_api.h"

#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "admin/prometheus_token.h"
#include "kms/kms.h"
#include "testing/sync_wait.h"
#include "unit/admin/fake_heal_admin.h"
#include "unit/s3/fake_exchange.h"

namespace cairn::admin {
namespace admin_api_test_internal {

using Json = nlohmann::json;
using cairn::testing::SyncWait;

constexpr std::string_view kAccess = "rootuser";
constexpr std::string_view kSecret = "rootsecret123";

// A fixed clock: 2024-05-01T12:00:00Z.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));
constexpr std::int64_t kNowNs = 1714564800LL * 1'000'000'000;

// A KMS of named keys in a map, whose data keys are "sealed" as "<key>|<context>|<plaintext>".
class FakeKms final : public kms::Kms {
 public:
  const std::string& default_key() const override { return default_; }

  Task<Result<kms::DataKey>> GenerateKey(const RequestContext&, std::string_view key_id,
                                         const kms::Context& context) override {
    auto it = keys_.find(std::string(key_id));
    if (it == keys_.end()) {
      co_return Status(Errc::kKmsKeyNotFound, std::string(key_id));
    }
    if (!it->second.enabled) {
      co_return Status(Errc::kKmsKeyDisabled, std::string(key_id));
    }
    kms::DataKey dk;
    dk.key_id = std::string(key_id);
    dk.plaintext.fill(std::byte{7});
    dk.sealed = std::string(key_id) + "|" + kms::CanonicalContext(context);
    co_return dk;
  }

  Task<Result<crypto::Key>> Decrypt(const RequestContext&, std::string_view key_id,
                                    std::string_view sealed, const kms::Context& context) override {
    if (sealed != std::string(key_id) + "|" + kms::CanonicalContext(context)) {
      co_return Status(Errc::kKmsInternal, "wrong key");
    }
    crypto::Key k;
    k.fill(std::byte{7});
    co_return k;
  }

  Task<Status> CreateKey(const RequestContext&, std::string_view key_id) override {
    if (key_id.find('/') != std::string_view::npos) {
      co_return Status(Errc::kInvalidArgument, "bad name");
    }
    if (keys_.contains(std::string(key_id))) {
      co_return Status(Errc::kKmsKeyExists, std::string(key_id));
    }
    keys_[std::string(key_id)] = kms::KeyInfo{std::string(key_id), true, kNowNs, false};
    co_return Status::Ok();
  }

  Task<Result<std::vector<kms::KeyInfo>>> ListKeys(const RequestContext&,
                                                   std::string_view pattern) override {
    last_pattern_ = std::string(pattern);
    std::vector<kms::KeyInfo> out;
    for (const auto& [name, info] : keys_) {
      out.push_back(info);
    }
    co_return out;
  }

  Task<Result<kms::KeyInfo>> KeyStatus(const RequestContext&, std::string_view key_id) override {
    auto it = keys_.find(std::string(key_id));
    if (it == keys_.end()) {
      co_return Status(Errc::kKmsKeyNotFound, std::string(key_id));
    }
    co_return it->second;
  }

  Task<Status> SetKeyEnabled(const RequestContext&, std::string_view key_id,
                             bool enabled) override {
    auto it = keys_.find(std::string(key_id));
    if (it == keys_.end()) {
      co_return Status(Errc::kKmsKeyNotFound, std::string(key_id));
    }
    it->second.enabled = enabled;
    co_return Status::Ok();
  }

  std::string default_ = "master";
  std::map<std::string, kms::KeyInfo> keys_ = {{"master", {"master", true, 0, true}}};
  std::string last_pattern_;
};

class RootCredentials final : public auth::CredentialProvider {
 public:
  std::optional<std::string> SecretKey(std::string_view access_key) const override {
    if (access_key == kAccess) {
      return std::string(kSecret);
    }
    return std::nullopt;
  }
};

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() {
    AdminOptions opts;
    opts.version = "0.1.0";
    opts.region = "us-east-1";
    opts.deployment_id = [] { return std::string("dep-1"); };
    opts.heal = [this]() -> heal::HealAdmin* { return ready_ ? &heal_ : nullptr; };
    opts.kms = [this]() -> kms::Kms* { return with_kms_ ? &kms_ : nullptr; };
    opts.extra_metrics = [](std::string& out) { out += "extra_metric 1\n"; };
    opts.now = [] { return kNow; };
    api_ = std::make_unique<AdminApi>(std::move(opts), creds_);
  }

  struct Answer {
    int status = 0;
    std::string content_type;
    std::string body;
    Json json;
  };

  // Sends method path?query, signed with `secret` (empty: unsigned).
  Answer Send(std::string method, std::string path, std::string query = "",
              std::string_view secret = kSecret) {
    http::Request req;
    req.method = method;
    req.path = path;
    req.query = query;
    req.target = query.empty() ? path : path + "?" + query;
    req.headers.emplace_back("host", "127.0.0.1:9000");
    if (!secret.empty()) {
      auth::SignInput in;
      in.method = method;
      in.path = path;
      in.query = query;
      in.access_key = std::string(kAccess);
      in.secret_key = std::string(secret);
      in.now = kNow;
      auth::SignV4(in, req.headers);
    }
    s3::testing::FakeExchange ex(std::move(req), "");
    EXPECT_TRUE(AdminApi::Owns(ex.request().path));
    SyncWait(api_->Handle(ex));
    Answer a;
    a.status = ex.status();
    a.content_type = ex.Header("content-type").value_or("");
    a.body = ex.out();
    a.json = Json::parse(a.body, nullptr, false);
    return a;
  }

  static heal::HealProgress Running(std::string id) {
    heal::HealProgress p;
    p.id = std::move(id);
    p.kind = heal::HealSequenceKind::kAdmin;
    p.state = heal::HealSequenceState::kRunning;
    p.scope = {"photos", "2024/"};
    p.options.deep_scan = true;
    p.started_ns = kNowNs - 10'000'000'000;  // 10 s ago
    p.objects_scanned = 100;
    p.objects_healed = 7;
    p.objects_total = 300;
    p.bytes_healed = 3 << 20;
    p.last_bucket = "photos";
    p.last_key = "2024/a.jpg";
    return p;
  }

  RootCredentials creds_;
  testing::FakeHealAdmin heal_;
  bool ready_ = true;
  FakeKms kms_;
  bool with_kms_ = true;
  std::unique_ptr<AdminApi> api_;
};

TEST(AdminApiName, MinioNamesElseTheLastSegment) {
  EXPECT_EQ(AdminApiName("/minio/admin/v3/info"), "ServerInfo");
  EXPECT_EQ(AdminApiName("/minio/admin/v3/heal/start"), "Heal");
  EXPECT_EQ(AdminApiName("/minio/admin/v3/kms/key/create"), "KMSCreateKey");
  EXPECT_EQ(AdminApiName("/minio/admin/v3/add-user"), "AddUser");
  EXPECT_EQ(AdminApiName("/minio/admin/v3/idp/builtin/policy/attach/"), "Attach");
  EXPECT_EQ(AdminApiName("/minio/admin/v3/"), "Admin");
}

TEST_F(AdminApiTest, OwnsOnlyAdminAndMetricsPaths) {
  EXPECT_TRUE(AdminApi::Owns("/minio/admin/v3/info"));
  EXPECT_TRUE(AdminApi::Owns("/minio/v2/metrics/cluster"));
  EXPECT_FALSE(AdminApi::Owns("/minio/health/live"));
  EXPECT_FALSE(AdminApi::Owns("/bucket/minio/admin/v3/info"));
  EXPECT_FALSE(AdminApi::Owns("/minio"));
}

TEST_F(AdminApiTest, UnsignedRequestIsDenied) {
  Answer a = Send("GET", "/minio/admin/v3/info", "", "");
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.content_type, "application/json");
  EXPECT_EQ(a.json["Code"], "AccessDenied");
  EXPECT_FALSE(a.json["Message"].get<std::string>().empty());
}

TEST_F(AdminApiTest, WrongSignatureIsDenied) {
  Answer a = Send("GET", "/minio/admin/v3/info", "", "not-the-secret");
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.json["Code"], "SignatureDoesNotMatch");
  Answer m = Send("GET", "/minio/v2/metrics/cluster", "", "not-the-secret");
  EXPECT_EQ(m.status, 403);
}

TEST_F(AdminApiTest, UnknownAccessKeyIsDenied) {
  http::Request req;
  req.method = "GET";
  req.path = "/minio/admin/v3/info";
  req.target = req.path;
  auth::SignInput in;
  in.method = "GET";
  in.path = req.path;
  in.access_key = "someoneelse";
  in.secret_key = std::string(kSecret);
  in.now = kNow;
  in.host = "127.0.0.1:9000";
  auth::SignV4(in, req.headers);
  s3::testing::FakeExchange ex(std::move(req), "");
  SyncWait(api_->Handle(ex));
  EXPECT_EQ(ex.status(), 403);
  EXPECT_EQ(Json::parse(ex.out())["Code"], "InvalidAccessKeyId");
}

TEST_F(AdminApiTest, HealStartPassesScopeAndOptions) {
  Answer a = Send("POST", "/minio/admin/v3/heal/start",
                  "bucket=photos&prefix=2024%2F&deep=true&remove=1&dry-run=true");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json, Json({{"id", "seq-1"}}));
  EXPECT_EQ(heal_.starts, 1);
  EXPECT_EQ(heal_.last_scope.bucket, "photos");
  EXPECT_EQ(heal_.last_scope.prefix, "2024/");
  EXPECT_TRUE(heal_.last_options.deep_scan);
  EXPECT_TRUE(heal_.last_options.remove_dangling);
  EXPECT_TRUE(heal_.last_options.dry_run);
}

TEST_F(AdminApiTest, HealStartWithoutParametersHealsTheCluster) {
  Answer a = Send("POST", "/minio/admin/v3/heal/start");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(heal_.last_scope.bucket, "");
  EXPECT_EQ(heal_.last_scope.prefix, "");
  EXPECT_FALSE(heal_.last_options.deep_scan);
  EXPECT_FALSE(heal_.last_options.remove_dangling);
  EXPECT_FALSE(heal_.last_options.dry_run);
}

TEST_F(AdminApiTest, HealStartRejectsBadParameters) {
  Answer a = Send("POST", "/minio/admin/v3/heal/start", "bucket=b&deep=maybe");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.json["Code"], "InvalidArgument");
  Answer b = Send("POST", "/minio/admin/v3/heal/start", "prefix=p");
  EXPECT_EQ(b.status, 400);
  EXPECT_EQ(heal_.starts, 0);
}

TEST_F(AdminApiTest, HealStartMapsLayerErrors) {
  heal_.start_error = Status(Errc::kNoSuchBucket, "no bucket nope");
  Answer a = Send("POST", "/minio/admin/v3/heal/start", "bucket=nope");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.json["Code"], "NoSuchBucket");
  heal_.start_error = Status(Errc::kNotImplemented, "healing is not available");
  Answer b = Send("POST", "/minio/admin/v3/heal/start");
  EXPECT_EQ(b.status, 501);
  EXPECT_EQ(b.json["Code"], "NotImplemented");
}

TEST_F(AdminApiTest, HealStatusRendersTheSequence) {
  heal_.sequences["seq-9"] = Running("seq-9");
  Answer a = Send("GET", "/minio/admin/v3/heal/status", "id=seq-9");
  ASSERT_EQ(a.status, 200) << a.body;
  const Json& j = a.json;
  EXPECT_EQ(j["id"], "seq-9");
  EXPECT_EQ(j["kind"], "admin");
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["bucket"], "photos");
  EXPECT_EQ(j["prefix"], "2024/");
  EXPECT_EQ(j["drive"], "");
  EXPECT_EQ(j["deep"], true);
  EXPECT_EQ(j["remove"], false);
  EXPECT_EQ(j["dryRun"], false);
  EXPECT_EQ(j["startedAt"], "2024-05-01T11:59:50Z");
  EXPECT_EQ(j["endedAt"], "");
  EXPECT_EQ(j["objectsScanned"], 100);
  EXPECT_EQ(j["objectsHealed"], 7);
  EXPECT_EQ(j["objectsFailed"], 0);
  EXPECT_EQ(j["objectsDangling"], 0);
  EXPECT_EQ(j["bytesScanned"], 0);
  EXPECT_EQ(j["bytesHealed"], 3 << 20);
  EXPECT_EQ(j["objectsTotal"], 300);
  EXPECT_EQ(j["lastBucket"], "photos");
  EXPECT_EQ(j["lastKey"], "2024/a.jpg");
  EXPECT_EQ(j["error"], "");
  EXPECT_DOUBLE_EQ(j["elapsedSeconds"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(j["objectsPerSecond"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(j["secondsLeft"].get<double>(), 20.0);
  EXPECT_EQ(j.size(), 24u);
}

TEST_F(AdminApiTest, HealStatusOfAFinishedSequence) {
  heal::HealProgress p = Running("seq-2");
  p.state = heal::HealSequenceState::kDone;
  p.ended_ns = kNowNs - 5'000'000'000;  // ran 5 s, ended 5 s ago
  p.objects_total = 0;
  heal_.sequences["seq-2"] = p;
  Answer a = Send("GET", "/minio/admin/v3/heal/status", "id=seq-2");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["state"], "done");
  EXPECT_EQ(a.json["endedAt"], "2024-05-01T11:59:55Z");
  EXPECT_DOUBLE_EQ(a.json["elapsedSeconds"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(a.json["secondsLeft"].get<double>(), 0.0);
}

TEST_F(AdminApiTest, SecondsLeftIsNullWhenUnknown) {
  heal::HealProgress p = Running("seq-3");
  p.objects_total = 0;
  heal_.sequences["seq-3"] = p;
  Answer a = Send("GET", "/minio/admin/v3/heal/status", "id=seq-3");
  EXPECT_TRUE(a.json["secondsLeft"].is_null());
}

TEST_F(AdminApiTest, HealStatusErrors) {
  EXPECT_EQ(Send("GET", "/minio/admin/v3/heal/status", "id=nope").json["Code"], "NotFound");
  EXPECT_EQ(Send("GET", "/minio/admin/v3/heal/status", "id=nope").status, 404);
  EXPECT_EQ(Send("GET", "/minio/admin/v3/heal/status").status, 400);
}

TEST_F(AdminApiTest, HealListAndStop) {
  heal_.sequences["a"] = Running("a");
  heal_.sequences["b"] = Running("b");
  Answer list = Send("GET", "/minio/admin/v3/heal/list");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json["sequences"].size(), 2u);
  EXPECT_EQ(list.json["sequences"][0]["id"], "a");

  Answer stop = Send("POST", "/minio/admin/v3/heal/stop", "id=b");
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_EQ(stop.json, Json({{"id", "b"}, {"state", "stopped"}}));
  EXPECT_EQ(heal_.sequences["b"].state, heal::HealSequenceState::kStopped);
  EXPECT_EQ(Send("POST", "/minio/admin/v3/heal/stop", "id=zzz").status, 404);
}

TEST_F(AdminApiTest, EmptyListIsAnArray) {
  Answer list = Send("GET", "/minio/admin/v3/heal/list");
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.json["sequences"].is_array());
}

TEST_F(AdminApiTest, InfoListsDrivesCountersAndRunningSequences) {
  heal_.drives = {
      {"/d1", 0, 0, 0, heal::DriveState::kOk, 1000, 400, ""},
      {"/d2", 0, 0, 1, heal::DriveState::kHealing, 1000, 900, "h-1"},
      {"/d3", 0, 0, 2, heal::DriveState::kOffline, 0, 0, ""},
  };
  heal_.counters.mrf_pushed = 5;
  heal_.counters.objects_healed = 9;
  heal_.counters.orphans_removed = 4;
  heal_.counters.orphan_bytes_removed = 4096;
  heal_.counters.lifecycle_expired_objects = 5;
  heal_.counters.lifecycle_uploads_aborted = 6;
  heal_.sequences["run"] = Running("run");
  heal::HealProgress done = Running("done");
  done.state = heal::HealSequenceState::kDone;
  done.ended_ns = kNowNs;
  heal_.sequences["done"] = done;
  Answer a = Send("GET", "/minio/admin/v3/info");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["deploymentId"], "dep-1");
  EXPECT_EQ(a.json["version"], "0.1.0");
  EXPECT_EQ(a.json["region"], "us-east-1");
  EXPECT_TRUE(a.json["uptimeSeconds"].is_number());
  ASSERT_EQ(a.json["drives"].size(), 3u);
  EXPECT_EQ(a.json["drives"][1], Json({{"endpoint", "/d2"},
                                       {"pool", 0},
                                       {"set", 0},
                                       {"index", 1},
                                       {"state", "healing"},
                                       {"total", 1000},
                                       {"free", 900},
                                       {"healId", "h-1"},
                                       {"parity", 0}}));
  EXPECT_EQ(a.json["drives"][2]["state"], "offline");
  EXPECT_EQ(a.json["heal"]["mrfPushed"], 5);
  EXPECT_EQ(a.json["heal"]["objectsHealed"], 9);
  EXPECT_EQ(a.json["heal"]["orphansRemoved"], 4);
  EXPECT_EQ(a.json["heal"]["orphanBytesRemoved"], 4096);
  EXPECT_EQ(a.json["heal"]["lifecycleExpiredObjects"], 5);
  EXPECT_EQ(a.json["heal"]["lifecycleUploadsAborted"], 6);
  EXPECT_EQ(a.json["heal"].size(), 16u);
  ASSERT_EQ(a.json["sequences"].size(), 1u);
  EXPECT_EQ(a.json["sequences"][0]["id"], "run");
}

TEST_F(AdminApiTest, UnknownPathsAndMethods) {
  EXPECT_EQ(Send("GET", "/minio/admin/v3/nothing").status, 404);
  EXPECT_EQ(Send("GET", "/minio/admin/v2/info").status, 404);
  Answer a = Send("GET", "/minio/admin/v3/heal/start");
  EXPECT_EQ(a.status, 405);
  EXPECT_EQ(a.json["Code"], "MethodNotAllowed");
  EXPECT_EQ(Send("POST", "/minio/admin/v3/info").status, 405);
  EXPECT_EQ(Send("GET", "/minio/v2/metrics/bucket").status, 404);
  EXPECT_EQ(heal_.starts, 0);
}

TEST_F(AdminApiTest, NotReadyIs503) {
  ready_ = false;
  Answer a = Send("GET", "/minio/admin/v3/info");
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(a.json["Code"], "XMinioServerNotInitialized");
  // Authentication still comes first.
  EXPECT_EQ(Send("GET", "/minio/admin/v3/info", "", "").status, 403);
}

TEST_F(AdminApiTest, MetricsPages) {
  heal_.drives = {{"/d1", 0, 0, 0, heal::DriveState::kOk, 1000, 400, ""},
                  {"/d2", 0, 0, 1, heal::DriveState::kOffline, 0, 0, ""}};
  Answer c = Send("GET", "/minio/v2/metrics/cluster");
  ASSERT_EQ(c.status, 200);
  EXPECT_EQ(c.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(c.body.find("\nminio_cluster_drive_online_total 1\n"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("\nminio_cluster_drive_offline_total 1\n"), std::string::npos);
  EXPECT_NE(c.body.find("\nminio_cluster_drive_total 2\n"), std::string::npos);
  EXPECT_NE(c.body.find("\nextra_metric 1\n"), std::string::npos);
  Answer n = Send("GET", "/minio/v2/metrics/node");
  ASSERT_EQ(n.status, 200);
  EXPECT_NE(n.body.find("minio_node_drive_used_bytes{drive=\"/d1\"} 600\n"), std::string::npos)
      << n.body;
  EXPECT_NE(n.body.find("minio_node_process_uptime_seconds "), std::string::npos);
  EXPECT_EQ(Send("GET", "/minio/v2/metrics/node", "", "").status, 403);
}

TEST_F(AdminApiTest, PublicMetricsNeedNoSignatureButAdminStillDoes) {
  AdminOptions opts;
  opts.heal = [this]() -> heal::HealAdmin* { return &heal_; };
  opts.metrics_public = true;
  api_ = std::make_unique<AdminApi>(std::move(opts), creds_);
  EXPECT_EQ(Send("GET", "/minio/v2/metrics/cluster", "", "").status, 200);
  EXPECT_EQ(Send("GET", "/minio/admin/v3/info", "", "").status, 403);
}

TEST_F(AdminApiTest, MetricsTakeABearerToken) {
  auto send = [this](std::string authorization) {
    http::Request req;
    req.method = "GET";
    req.path = "/minio/v2/metrics/cluster";
    req.target = req.path;
    req.headers.emplace_back("authorization", std::move(authorization));
    s3::testing::FakeExchange ex(std::move(req), "");
    SyncWait(api_->Handle(ex));
    return ex.status();
  };
  const auto exp = kNow + std::chrono::hours(1);
  EXPECT_EQ(send("Bearer " + MakePrometheusToken(kAccess, kSecret, exp)), 200);
  EXPECT_EQ(send("Bearer " + MakePrometheusToken(kAccess, "wrong-secret", exp)), 403);
  EXPECT_EQ(send("Bearer " + MakePrometheusToken(kAccess, kSecret, kNow)), 403);  // expired
  EXPECT_EQ(send("Bearer garbage"), 403);
}

TEST_F(AdminApiTest, KmsKeys) {
  Answer a = Send("GET", "/minio/admin/v3/kms/status");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["default-key-id"], "master");
  EXPECT_EQ(a.json["name"], "builtin");

  a = Send("POST", "/minio/admin/v3/kms/key/create", "key-id=app");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["key-id"], "app");
  a = Send("POST", "/minio/admin/v3/kms/key/create", "key-id=app");
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.json["Code"], "KMS.AlreadyExistsException");
  EXPECT_EQ(Send("POST", "/minio/admin/v3/kms/key/create", "key-id=a%2Fb").status, 400);
  EXPECT_EQ(Send("POST", "/minio/admin/v3/kms/key/create").status, 400);  // no key-id
  EXPECT_EQ(Send("GET", "/minio/admin/v3/kms/key/create", "key-id=x").status, 405);

  a = Send("GET", "/minio/admin/v3/kms/key/list", "pattern=ap%2A");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(kms_.last_pattern_, "ap*");
  ASSERT_TRUE(a.json.is_array());
  ASSERT_EQ(a.json.size(), 2u);
  EXPECT_EQ(a.json[0]["name"], "app");
  EXPECT_EQ(a.json[0]["createdAt"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(a.json[1]["default"], true);

  a = Send("GET", "/minio/admin/v3/kms/key/status", "key-id=app");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["key-id"], "app");
  EXPECT_EQ(a.json["encryption-error"], "");
  EXPECT_EQ(a.json["decryption-error"], "");
  a = Send("GET", "/minio/admin/v3/kms/key/status");  // the default key
  EXPECT_EQ(a.json["key-id"], "master");
  a = Send("GET", "/minio/admin/v3/kms/key/status", "key-id=nope");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.json["Code"], "KMS.NotFoundException");

  a = Send("POST", "/minio/admin/v3/kms/key/disable", "key-id=app");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_FALSE(kms_.keys_["app"].enabled);
  a = Send("GET", "/minio/admin/v3/kms/key/status", "key-id=app");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.json["enabled"], false);
  EXPECT_NE(a.json["encryption-error"].get<std::string>().find("kKmsKeyDisabled"),
            std::string::npos);
  EXPECT_EQ(Send("POST", "/minio/admin/v3/kms/key/enable", "key-id=app").status, 200);
  EXPECT_TRUE(kms_.keys_["app"].enabled);
  EXPECT_EQ(Send("POST", "/minio/admin/v3/kms/key/enable", "key-id=nope").status, 404);
}

TEST_F(AdminApiTest, KmsWithoutAKmsIs501) {
  with_kms_ = false;
  for (const char* op : {"kms/status", "kms/key/list", "kms/key/status"}) {
    Answer a = Send("GET", std::string("/minio/admin/v3/") + op);
    EXPECT_EQ(a.status, 501) << op;
    EXPECT_EQ(a.json["Code"], "NotImplemented");
  }
  EXPECT_EQ(Send("POST", "/minio/admin/v3/kms/key/create", "key-id=k").status, 501);
  EXPECT_EQ(Send("GET", "/minio/admin/v3/kms/status", "", "").status, 403);  // auth first
}

TEST(AdminErrorTest, Table) {
  EXPECT_EQ(ErrorFor(Errc::kInvalidArgument).status, 400);
  EXPECT_EQ(ErrorFor(Errc::kNotFound).status, 404);
  EXPECT_EQ(ErrorFor(Errc::kNoSuchBucket).code, "NoSuchBucket");
  EXPECT_EQ(ErrorFor(Errc::kAccessDenied).status, 403);
  EXPECT_EQ(ErrorFor(Errc::kSignatureDoesNotMatch).status, 403);
  EXPECT_EQ(ErrorFor(Errc::kRequestTimeTooSkewed).status, 403);
  EXPECT_EQ(ErrorFor(Errc::kServerNotInitialized).status, 503);
  EXPECT_EQ(ErrorFor(Errc::kNotImplemented).status, 501);
  EXPECT_EQ(ErrorFor(Errc::kInternal).status, 500);
  EXPECT_EQ(ErrorFor(Errc::kKmsNotConfigured).status, 501);
  EXPECT_EQ(ErrorFor(Errc::kKmsKeyExists).status, 409);
}

}  // namespace admin_api_test_internal
}  // namespace cairn::admin
