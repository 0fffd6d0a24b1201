// The IAM endpoints of AdminApi and the authorization of admin requests, through a
// FakeExchange against a real iam::Iam over a MemoryObjectLayer: each endpoint's answer and
// errors, MinIO's JSON shapes, and who may call what (root, a user allowed by an admin
// policy, a user without one, self-service on its own user and service accounts, an
// explicit Deny, service accounts, disabled keys, no IAM yet, metrics bearer tokens).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"
#include "admin/prometheus_token.h"
#include "common/checksum.h"
#include "common/text.h"
#include "iam/iam.h"
#include "testing/sync_wait.h"
#include "unit/admin/fake_heal_admin.h"
#include "unit/s3/fake_exchange.h"
#include "unit/s3/memory_object_layer.h"

namespace cairn::admin {
namespace admin_iam_test_internal {

using Json = nlohmann::json;
using cairn::testing::SyncWait;

constexpr std::string_view kRoot = "rootuser";
constexpr std::string_view kRootSecret = "rootsecret123";
// 2024-05-01T12:00:00Z for signatures and the store's clock.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));

constexpr std::string_view kListUsersPolicy = R"({"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["admin:ListUsers", "admin:GetUser"], "Resource": ["arn:aws:s3:::*"]}]})";
constexpr std::string_view kDenySelfService = R"({"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny", "Action": ["admin:CreateServiceAccount"], "Resource": ["arn:aws:s3:::*"]}]})";
constexpr std::string_view kReadOnlyBucket = R"({"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::photos/*"]}]})";

class AdminIamTest : public ::testing::Test {
 protected:
  AdminIamTest() : iam_(IamOptions()) {
    RequestContext ctx = RequestContext::Background("test");
    Status attached = SyncWait(iam_.Attach(ctx, layer_));
    EXPECT_TRUE(attached.ok()) << attached.ToString();
    MakeApi();
  }

  static iam::Iam::Options IamOptions() {
    iam::Iam::Options o;
    o.root_access_key = std::string(kRoot);
    o.root_secret_key = std::string(kRootSecret);
    o.now = [] { return kNow; };
    return o;
  }

  void MakeApi() {
    AdminOptions opts;
    opts.heal = [this]() -> heal::HealAdmin* { return &heal_; };
    opts.iam = [this]() -> iam::Iam* { return with_iam_ ? &iam_ : nullptr; };
    opts.root_access_key = root_key_;
    opts.now = [] { return kNow; };
    api_ = std::make_unique<AdminApi>(std::move(opts), iam_);
  }

  struct Answer {
    int status = 0;
    std::string body;
    Json json;
  };

  struct Key {
    std::string access;
    std::string secret;
    std::string token;  // STS credentials' session token (x-amz-security-token)
  };

  // `method` /minio/admin/v3/`op`?`query` with `body`, signed by `key` (its SHA-256 signed).
  Answer Call(const Key& key, std::string method, std::string op, std::string query = "",
              std::string body = "", std::string signed_body = "-") {
    http::Request req;
    req.method = method;
    req.path = "/minio/admin/v3/" + op;
    req.query = query;
    req.target = query.empty() ? req.path : req.path + "?" + query;
    req.remote_address = "10.1.2.3:5555";
    req.headers.emplace_back("host", "127.0.0.1:9000");
    if (!key.token.empty()) {
      req.headers.emplace_back("x-amz-security-token", key.token);
    }
    auth::SignInput in;
    in.method = method;
    in.path = req.path;
    in.query = query;
    in.access_key = key.access;
    in.secret_key = key.secret;
    in.now = kNow;
    in.payload_sha256_hex = HexEncode(Sha256(signed_body == "-" ? body : signed_body));
    auth::SignV4(in, req.headers);
    s3::testing::FakeExchange ex(std::move(req), std::move(body));
    SyncWait(api_->Handle(ex));
    Answer a;
    a.status = ex.status();
    a.body = ex.out();
    a.json = Json::parse(a.body, nullptr, false);
    return a;
  }

  Answer Root(std::string method, std::string op, std::string query = "", std::string body = "") {
    return Call(root_, std::move(method), std::move(op), std::move(query), std::move(body));
  }

  // Adds a user with `policies` attached; its key.
  Key User(const std::string& name, std::vector<std::string> policies = {}) {
    const Key key{name, name + "-secret"};
    EXPECT_EQ(Root("PUT", "add-user", "accessKey=" + name,
                   Json{{"secretKey", key.secret}, {"status", "enabled"}}.dump())
                  .status,
              200);
    if (!policies.empty()) {
      Answer a = Root("POST", "idp/builtin/policy/attach", "",
                      Json{{"policies", policies}, {"user", name}}.dump());
      EXPECT_EQ(a.status, 200) << a.body;
    }
    return key;
  }

  void AddPolicy(const std::string& name, std::string_view doc) {
    Answer a = Root("PUT", "add-canned-policy", "name=" + name, std::string(doc));
    ASSERT_EQ(a.status, 200) << a.body;
  }

  static void ExpectError(const Answer& a, int status, std::string_view code) {
    EXPECT_EQ(a.status, status) << a.body;
    EXPECT_EQ(a.json.value("Code", ""), code) << a.body;
  }

  s3::testing::MemoryObjectLayer layer_;
  iam::Iam iam_;
  testing::FakeHealAdmin heal_;
  bool with_iam_ = true;
  std::string root_key_;
  std::unique_ptr<AdminApi> api_;
  const Key root_{std::string(kRoot), std::string(kRootSecret)};
};

TEST_F(AdminIamTest, UsersAddListInfoStatusRemove) {
  User("alice");
  Answer list = Root("GET", "list-users");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json["alice"]["status"], "enabled");
  EXPECT_FALSE(list.json.contains(std::string(kRoot)));

  Answer info = Root("GET", "user-info", "accessKey=alice");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json["status"], "enabled");
  EXPECT_FALSE(info.json.contains("secretKey"));

  EXPECT_EQ(Root("PUT", "set-user-status", "accessKey=alice&status=disabled").status, 200);
  EXPECT_EQ(Root("GET", "user-info", "accessKey=alice").json["status"], "disabled");
  EXPECT_EQ(Root("PUT", "set-user-status", "accessKey=alice&status=enabled").status, 200);

  EXPECT_EQ(Root("DELETE", "remove-user", "accessKey=alice").status, 200);
  ExpectError(Root("GET", "user-info", "accessKey=alice"), 404, "XMinioAdminNoSuchUser");
  ExpectError(Root("DELETE", "remove-user", "accessKey=alice"), 404, "XMinioAdminNoSuchUser");
}

TEST_F(AdminIamTest, UserErrors) {
  ExpectError(Root("PUT", "add-user", "", R"({"secretKey": "long-enough"})"), 400,
              "InvalidArgument");
  ExpectError(Root("PUT", "add-user", "accessKey=bob", R"({"secretKey": "short"})"), 400,
              "InvalidArgument");
  ExpectError(Root("PUT", "add-user", "accessKey=bob", R"({"secretKey": 12345678})"), 400,
              "InvalidArgument");
  // madmin's encrypted body, or anything else that is not JSON.
  Answer a = Root("PUT", "add-user", "accessKey=bob", std::string("\x00\x01sio", 5));
  ExpectError(a, 400, "XMinioAdminConfigBadJSON");
  EXPECT_NE(a.json.value("Message", "").find("send JSON"), std::string::npos) << a.body;
  ExpectError(
      Root("PUT", "add-user", "accessKey=" + std::string(kRoot), R"({"secretKey": "long-enough"})"),
      400, "InvalidArgument");
  User("bob");
  ExpectError(Root("PUT", "set-user-status", "accessKey=bob&status=maybe"), 400, "InvalidArgument");
  ExpectError(Root("PUT", "set-user-status", "accessKey=nobody&status=enabled"), 404,
              "XMinioAdminNoSuchUser");
  ExpectError(Root("GET", "add-user", "accessKey=bob"), 405, "MethodNotAllowed");
  ExpectError(Root("GET", "no-such-thing"), 404, "NotFound");
}

TEST_F(AdminIamTest, BodyMustMatchItsSignedHash) {
  Answer a = Call(root_, "PUT", "add-user", "accessKey=carol", R"({"secretKey": "carol-secret"})",
                  R"({"secretKey": "other-secret"})");
  ExpectError(a, 400, "XAmzContentSHA256Mismatch");
  ExpectError(Root("GET", "user-info", "accessKey=carol"), 404, "XMinioAdminNoSuchUser");
}

TEST_F(AdminIamTest, CannedPolicies) {
  AddPolicy("photos-read", kReadOnlyBucket);
  Answer list = Root("GET", "list-canned-policies");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json["photos-read"]["Statement"][0]["Action"][0], "s3:GetObject");
  EXPECT_TRUE(list.json.contains("readwrite"));
  EXPECT_TRUE(list.json.contains("diagnostics"));

  Answer v2 = Root("GET", "info-canned-policy", "name=photos-read&v=2");
  ASSERT_EQ(v2.status, 200) << v2.body;
  EXPECT_EQ(v2.json["PolicyName"], "photos-read");
  EXPECT_EQ(v2.json["Policy"]["Version"], "2012-10-17");
  EXPECT_EQ(v2.json["CreateDate"], "2024-05-01T12:00:00Z");
  Answer v1 = Root("GET", "info-canned-policy", "name=photos-read");
  EXPECT_EQ(v1.json["Statement"][0]["Effect"], "Allow") << v1.body;
  ExpectError(Root("GET", "info-canned-policy", "name=photos-read&v=9"), 400, "InvalidArgument");
  ExpectError(Root("GET", "info-canned-policy", "name=nope&v=2"), 404, "XMinioAdminNoSuchPolicy");

  ExpectError(Root("PUT", "add-canned-policy", "name=bad", "{"), 400, "XMinioMalformedIAMPolicy");
  ExpectError(Root("PUT", "add-canned-policy", "name=bad",
                   R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                       "Action": ["s3:NoSuchThing"], "Resource": ["arn:aws:s3:::*"]}]})"),
              400, "XMinioMalformedIAMPolicy");
  ExpectError(Root("PUT", "add-canned-policy", "name=empty"), 400, "InvalidArgument");

  User("alice", {"photos-read"});
  EXPECT_EQ(Root("GET", "user-info", "accessKey=alice").json["policyName"], "photos-read");
  ExpectError(Root("DELETE", "remove-canned-policy", "name=photos-read"), 400,
              "XMinioAdminPolicyInUse");
  Answer detached = Root("POST", "idp/builtin/policy/detach", "",
                         R"({"policies": ["photos-read"], "user": "alice"})");
  ASSERT_EQ(detached.status, 200) << detached.body;
  EXPECT_EQ(detached.json["policiesDetached"], Json::array({"photos-read"}));
  EXPECT_FALSE(Root("GET", "user-info", "accessKey=alice").json.contains("policyName"));
  EXPECT_EQ(Root("DELETE", "remove-canned-policy", "name=photos-read").status, 200);
  ExpectError(Root("DELETE", "remove-canned-policy", "name=photos-read"), 404,
              "XMinioAdminNoSuchPolicy");
}

TEST_F(AdminIamTest, AttachDetachAndSetPolicies) {
  User("alice");
  Answer a = Root("POST", "idp/builtin/policy/attach", "",
                  R"({"policies": ["readonly", "diagnostics"], "user": "alice"})");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["policiesAttached"], Json::array({"readonly", "diagnostics"}));
  EXPECT_EQ(Root("GET", "user-info", "accessKey=alice").json["policyName"], "readonly,diagnostics");
  ExpectError(
      Root("POST", "idp/builtin/policy/attach", "", R"({"policies": ["nope"], "user": "alice"})"),
      404, "XMinioAdminNoSuchPolicy");
  ExpectError(Root("POST", "idp/builtin/policy/attach", "",
                   R"({"policies": ["readonly"], "user": "nobody"})"),
              404, "XMinioAdminNoSuchUser");
  ExpectError(Root("POST", "idp/builtin/policy/attach", "",
                   R"({"policies": ["readonly"], "group": "nogroup"})"),
              404, "XMinioAdminNoSuchGroup");
  ExpectError(Root("POST", "idp/builtin/policy/attach", "",
                   R"({"policies": ["readonly"], "user": "alice", "group": "g"})"),
              400, "InvalidArgument");
  ExpectError(Root("POST", "idp/builtin/policy/attach", "", R"({"user": "alice"})"), 400,
              "InvalidArgument");
  EXPECT_EQ(Root("PUT", "set-user-or-group-policy",
                 "policyName=readwrite&userOrGroup=alice&isGroup=false")
                .status,
            200);
  EXPECT_EQ(Root("GET", "user-info", "accessKey=alice").json["policyName"], "readwrite");
  ExpectError(Root("PUT", "set-user-or-group-policy",
                   "policyName=readwrite&userOrGroup=alice&isGroup=maybe"),
              400, "InvalidArgument");
}

TEST_F(AdminIamTest, Groups) {
  User("alice");
  User("bob");
  EXPECT_EQ(Root("PUT", "update-group-members", "",
                 R"({"group": "devs", "members": ["alice", "bob"], "isRemove": false})")
                .status,
            200);
  EXPECT_EQ(Root("GET", "groups").json, Json::array({"devs"}));
  EXPECT_EQ(Root("GET", "user-info", "accessKey=alice").json["memberOf"], Json::array({"devs"}));
  ASSERT_EQ(Root("POST", "idp/builtin/policy/attach", "",
                 R"({"policies": ["readonly"], "group": "devs"})")
                .status,
            200);
  Answer g = Root("GET", "group", "group=devs");
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(g.json["name"], "devs");
  EXPECT_EQ(g.json["status"], "enabled");
  EXPECT_EQ(g.json["members"], Json::array({"alice", "bob"}));
  EXPECT_EQ(g.json["policy"], "readonly");

  EXPECT_EQ(Root("PUT", "set-group-status", "group=devs&status=disabled").status, 200);
  EXPECT_EQ(Root("GET", "group", "group=devs").json["status"], "disabled");
  ExpectError(Root("PUT", "set-group-status", "group=nope&status=enabled"), 404,
              "XMinioAdminNoSuchGroup");
  ExpectError(Root("GET", "group", "group=nope"), 404, "XMinioAdminNoSuchGroup");
  ExpectError(Root("PUT", "update-group-members", "",
                   R"({"group": "devs", "members": ["nobody"], "isRemove": false})"),
              404, "XMinioAdminNoSuchUser");
  ExpectError(Root("PUT", "update-group-members", "", R"({"group": "devs", "isRemove": true})"),
              400, "XMinioAdminGroupNotEmpty");
  EXPECT_EQ(Root("PUT", "update-group-members", "",
                 R"({"group": "devs", "members": ["alice", "bob"], "isRemove": true})")
                .status,
            200);
  EXPECT_EQ(
      Root("PUT", "update-group-members", "", R"({"group": "devs", "isRemove": true})").status,
      200);
  EXPECT_EQ(Root("GET", "groups").json, Json::array());
  ExpectError(Root("PUT", "update-group-members", "", R"({"members": ["alice"]})"), 400,
              "InvalidArgument");
}

TEST_F(AdminIamTest, ServiceAccountsOfAUser) {
  User("alice", {"readwrite"});
  Answer added = Root("PUT", "add-service-account", "",
                      Json{{"targetUser", "alice"},
                           {"accessKey", "alice-app-key"},
                           {"secretKey", "alice-app-secret"},
                           {"name", "app"},
                           {"description", "the app"},
                           {"policy", Json::parse(kReadOnlyBucket)},
                           {"expiration", "2030-01-01T00:00:00Z"}}
                          .dump());
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.json["credentials"]["accessKey"], "alice-app-key");
  EXPECT_EQ(added.json["credentials"]["secretKey"], "alice-app-secret");
  EXPECT_EQ(added.json["credentials"]["expiration"], "2030-01-01T00:00:00Z");
  Answer generated = Root("PUT", "add-service-account", "", R"({"targetUser": "alice"})");
  ASSERT_EQ(generated.status, 200) << generated.body;
  const std::string generated_key = generated.json["credentials"]["accessKey"];
  EXPECT_EQ(generated_key.size(), 20u);
  EXPECT_FALSE(generated.json["credentials"].contains("expiration"));

  Answer list = Root("GET", "list-service-accounts", "user=alice");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["accounts"].size(), 2u);
  Answer info = Root("GET", "info-service-account", "accessKey=alice-app-key");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json["parentUser"], "alice");
  EXPECT_EQ(info.json["accountStatus"], "on");
  EXPECT_EQ(info.json["impliedPolicy"], false);
  EXPECT_EQ(info.json["name"], "app");
  EXPECT_EQ(info.json["expiration"], "2030-01-01T00:00:00Z");
  EXPECT_NE(info.json["policy"].get<std::string>().find("photos"), std::string::npos);
  Answer implied = Root("GET", "info-service-account", "accessKey=" + generated_key);
  EXPECT_EQ(implied.json["impliedPolicy"], true);
  EXPECT_NE(implied.json["policy"].get<std::string>().find("s3:*"), std::string::npos)
      << implied.body;

  Answer edited = Root("POST", "update-service-account", "accessKey=alice-app-key",
                       R"({"newStatus": "off", "newName": "app2", "newPolicy": {}})");
  EXPECT_EQ(edited.status, 204) << edited.body;
  EXPECT_EQ(edited.body, "");
  info = Root("GET", "info-service-account", "accessKey=alice-app-key");
  EXPECT_EQ(info.json["accountStatus"], "off");
  EXPECT_EQ(info.json["name"], "app2");
  EXPECT_EQ(info.json["impliedPolicy"], true);

  EXPECT_EQ(Root("DELETE", "delete-service-account", "accessKey=alice-app-key").status, 204);
  ExpectError(Root("GET", "info-service-account", "accessKey=alice-app-key"), 404,
              "XMinioAdminNoSuchServiceAccount");
  ExpectError(Root("DELETE", "delete-service-account", "accessKey=alice-app-key"), 404,
              "XMinioAdminNoSuchServiceAccount");

  // Without targetUser (or user=) the caller's own: here the root's.
  ASSERT_EQ(Root("PUT", "add-service-account", "", "{}").status, 200);
  Answer roots = Root("GET", "list-service-accounts");
  ASSERT_EQ(roots.json["accounts"].size(), 1u) << roots.body;
  EXPECT_EQ(roots.json["accounts"][0]["parentUser"], kRoot);
}

TEST_F(AdminIamTest, ServiceAccountErrors) {
  User("alice");
  ExpectError(Root("PUT", "add-service-account", "", R"({"targetUser": "nobody"})"), 404,
              "XMinioAdminNoSuchUser");
  ExpectError(
      Root("PUT", "add-service-account", "", R"({"targetUser": "alice", "accessKey": "alice"})"),
      409, "XMinioAdminServiceAccountExists");
  ExpectError(Root("PUT", "add-service-account", "",
                   R"({"targetUser": "alice", "expiration": "2020-01-01T00:00:00Z"})"),
              400, "InvalidArgument");
  ExpectError(Root("PUT", "add-service-account", "",
                   R"({"targetUser": "alice", "expiration": "next tuesday"})"),
              400, "InvalidArgument");
  ExpectError(Root("PUT", "add-service-account", "",
                   R"({"targetUser": "alice", "policy": {"Statement": "nope"}})"),
              400, "XMinioMalformedIAMPolicy");
  ExpectError(Root("POST", "update-service-account", "accessKey=nope", R"({"newStatus": "off"})"),
              404, "XMinioAdminNoSuchServiceAccount");
  ExpectError(Root("GET", "info-service-account"), 400, "InvalidArgument");
}

TEST_F(AdminIamTest, AUserNeedsAnAdminPolicy) {
  const Key bob = User("bob");
  ExpectError(Call(bob, "GET", "info"), 403, "AccessDenied");
  ExpectError(Call(bob, "GET", "list-users"), 403, "AccessDenied");
  ExpectError(Call(bob, "PUT", "add-user", "accessKey=eve", R"({"secretKey": "eve-secret"})"), 403,
              "AccessDenied");
  ExpectError(Call(bob, "POST", "heal/start"), 403, "AccessDenied");
  EXPECT_EQ(heal_.starts, 0);

  ASSERT_EQ(Root("POST", "idp/builtin/policy/attach", "",
                 R"({"policies": ["diagnostics"], "user": "bob"})")
                .status,
            200);
  Answer info = Call(bob, "GET", "info");
  EXPECT_EQ(info.status, 200) << info.body;
  ExpectError(Call(bob, "GET", "list-users"), 403, "AccessDenied");

  AddPolicy("user-reader", kListUsersPolicy);
  ASSERT_EQ(Root("POST", "idp/builtin/policy/attach", "",
                 R"({"policies": ["user-reader"], "user": "bob"})")
                .status,
            200);
  EXPECT_EQ(Call(bob, "GET", "list-users").status, 200);
  EXPECT_EQ(Call(bob, "GET", "user-info", "accessKey=bob").status, 200);
  ExpectError(Call(bob, "DELETE", "remove-user", "accessKey=bob"), 403, "AccessDenied");

  // consoleAdmin allows every admin action.
  const Key admin = User("admin2", {"consoleAdmin"});
  EXPECT_EQ(
      Call(admin, "PUT", "add-user", "accessKey=eve", R"({"secretKey": "eve-secret"})").status,
      200);
  EXPECT_EQ(Call(admin, "POST", "heal/start").status, 200);
  ExpectError(Call(admin, "DELETE", "remove-user", "accessKey=admin2"), 400, "InvalidArgument");
  ExpectError(Call(admin, "PUT", "set-user-status", "accessKey=admin2&status=disabled"), 400,
              "InvalidArgument");
}

TEST_F(AdminIamTest, AUserManagesItselfAndItsServiceAccounts) {
  const Key bob = User("bob");
  User("alice");
  EXPECT_EQ(Call(bob, "GET", "user-info", "accessKey=bob").status, 200);
  ExpectError(Call(bob, "GET", "user-info", "accessKey=alice"), 403, "AccessDenied");
  // Its own secret, not its status or policies.
  EXPECT_EQ(
      Call(bob, "PUT", "add-user", "accessKey=bob", R"({"secretKey": "bob-new-secret"})").status,
      200);
  const Key bob2{"bob", "bob-new-secret"};
  ExpectError(Call(bob, "GET", "user-info", "accessKey=bob"), 403, "SignatureDoesNotMatch");
  ExpectError(Call(bob2, "PUT", "add-user", "accessKey=bob",
                   R"({"secretKey": "bob-new-secret", "policy": "consoleAdmin"})"),
              403, "AccessDenied");

  Answer added = Call(bob2, "PUT", "add-service-account", "", R"({"name": "mine"})");
  ASSERT_EQ(added.status, 200) << added.body;
  const std::string sa = added.json["credentials"]["accessKey"];
  Answer list = Call(bob2, "GET", "list-service-accounts");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["accounts"].size(), 1u);
  EXPECT_EQ(list.json["accounts"][0]["parentUser"], "bob");
  EXPECT_EQ(Call(bob2, "GET", "info-service-account", "accessKey=" + sa).status, 200);
  EXPECT_EQ(Call(bob2, "POST", "update-service-account", "accessKey=" + sa,
                 R"({"newDescription": "still mine"})")
                .status,
            204);
  ExpectError(Call(bob2, "GET", "list-service-accounts", "user=alice"), 403, "AccessDenied");
  ExpectError(Call(bob2, "PUT", "add-service-account", "", R"({"targetUser": "alice"})"), 403,
              "AccessDenied");
  Answer alices = Root("PUT", "add-service-account", "", R"({"targetUser": "alice"})");
  const std::string alice_sa = alices.json["credentials"]["accessKey"];
  ExpectError(Call(bob2, "GET", "info-service-account", "accessKey=" + alice_sa), 404,
              "XMinioAdminNoSuchServiceAccount");
  ExpectError(Call(bob2, "DELETE", "delete-service-account", "accessKey=" + alice_sa), 404,
              "XMinioAdminNoSuchServiceAccount");
  EXPECT_EQ(Call(bob2, "DELETE", "delete-service-account", "accessKey=" + sa).status, 204);

  // An explicit Deny takes self-service away.
  AddPolicy("no-keys", kDenySelfService);
  ASSERT_EQ(
      Root("POST", "idp/builtin/policy/attach", "", R"({"policies": ["no-keys"], "user": "bob"})")
          .status,
      200);
  ExpectError(Call(bob2, "PUT", "add-service-account", "", "{}"), 403, "AccessDenied");
}

TEST_F(AdminIamTest, ServiceAccountsActWithTheirParentsPolicies) {
  User("carol", {"diagnostics"});
  Answer added = Root("PUT", "add-service-account", "",
                      R"({"targetUser": "carol", "accessKey": "carol-svc",
                          "secretKey": "carol-svc-secret"})");
  ASSERT_EQ(added.status, 200) << added.body;
  const Key svc{"carol-svc", "carol-svc-secret"};
  EXPECT_EQ(Call(svc, "GET", "info").status, 200);
  ExpectError(Call(svc, "GET", "list-users"), 403, "AccessDenied");
  // Derived credentials get no self-service: they could shed their session policy.
  ExpectError(Call(svc, "PUT", "add-service-account", "", "{}"), 403, "AccessDenied");
  ExpectError(Call(svc, "PUT", "add-user", "accessKey=carol", R"({"secretKey": "new-secret1"})"),
              403, "AccessDenied");
  // A session policy narrows it.
  ASSERT_EQ(Root("POST", "update-service-account", "accessKey=carol-svc",
                 Json{{"newPolicy", Json::parse(kReadOnlyBucket)}}.dump())
                .status,
            204);
  ExpectError(Call(svc, "GET", "info"), 403, "AccessDenied");
  // Disabled, it cannot sign in at all.
  ASSERT_EQ(Root("POST", "update-service-account", "accessKey=carol-svc",
                 R"({"newStatus": "off", "newPolicy": {}})")
                .status,
            204);
  ExpectError(Call(svc, "GET", "info"), 403, "InvalidAccessKeyId");
}

TEST_F(AdminIamTest, TemporaryCredentialsNeedTheirSessionToken) {
  User("gina", {"diagnostics"});
  iam::TemporaryRequest req;
  req.parent_user = "gina";
  req.duration = std::chrono::hours(1);
  RequestContext ctx = RequestContext::Background("test");
  Result<iam::Credentials> sts = SyncWait(iam_.AddTemporary(ctx, req));
  ASSERT_TRUE(sts.ok()) << sts.status().ToString();
  Key key{sts->access_key, sts->secret_key, sts->session_token};
  EXPECT_EQ(Call(key, "GET", "info").status, 200);
  ExpectError(Call(key, "GET", "list-users"), 403, "AccessDenied");
  // Derived credentials: no self-service.
  ExpectError(Call(key, "GET", "list-service-accounts"), 403, "AccessDenied");
  key.token = "wrong";
  ExpectError(Call(key, "GET", "info"), 400, "InvalidToken");
  key.token.clear();
  ExpectError(Call(key, "GET", "info"), 400, "InvalidToken");
}

TEST_F(AdminIamTest, DisabledAndUnknownKeys) {
  const Key dave = User("dave", {"diagnostics"});
  EXPECT_EQ(Call(dave, "GET", "info").status, 200);
  ASSERT_EQ(Root("PUT", "set-user-status", "accessKey=dave&status=disabled").status, 200);
  ExpectError(Call(dave, "GET", "info"), 403, "InvalidAccessKeyId");
  ExpectError(Call(Key{"nobody", "nobody-secret"}, "GET", "info"), 403, "InvalidAccessKeyId");
}

TEST_F(AdminIamTest, WithoutIamOnlyTheRootIsAccepted) {
  const Key erin = User("erin", {"consoleAdmin"});
  with_iam_ = false;
  root_key_ = std::string(kRoot);
  MakeApi();
  EXPECT_EQ(Root("GET", "info").status, 200);
  ExpectError(Call(erin, "GET", "info"), 403, "AccessDenied");
  ExpectError(Root("GET", "list-users"), 503, "XMinioServerNotInitialized");
}

TEST_F(AdminIamTest, MetricsNeedPrometheusAction) {
  const Key frank = User("frank");
  auto scrape = [this](const Key& key) {
    http::Request req;
    req.method = "GET";
    req.path = "/minio/v2/metrics/cluster";
    req.target = req.path;
    req.headers.emplace_back(
        "authorization",
        "Bearer " + MakePrometheusToken(key.access, key.secret, kNow + std::chrono::hours(1)));
    s3::testing::FakeExchange ex(std::move(req), "");
    SyncWait(api_->Handle(ex));
    return ex.status();
  };
  EXPECT_EQ(scrape(root_), 200);
  EXPECT_EQ(scrape(frank), 403);
  ASSERT_EQ(Root("POST", "idp/builtin/policy/attach", "",
                 R"({"policies": ["diagnostics"], "user": "frank"})")
                .status,
            200);
  EXPECT_EQ(scrape(frank), 200);
}

}  // namespace admin_iam_test_internal
}  // namespace cairn::admin
