// The identity store over a memory-drive cluster: users, groups, policies, service accounts
// and STS credentials; Check's errors; Authorize's evaluation (Deny over Allow, session
// policies, bucket policies, the root); two stores over one cluster (two nodes) seeing each
// other's changes through ReloadItem and ReloadAll; secrets sealed at rest.
#include "iam/iam.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "object/object_util.h"
#include "object/system_store.h"
#include "unit/object/object_fixture.h"

namespace cairn::iam {
namespace {

using object::test::Backend;
using object::test::Cluster;
using object::test::Layout;
using testing::SyncWait;

constexpr std::string_view kRootKey = "rootkey";
constexpr std::string_view kRootSecret = "rootsecret123";

std::string ReadOnly(std::string_view bucket) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],)"
         R"("Resource":["arn:aws:s3:::)" +
         std::string(bucket) + R"(/*"]}]})";
}

class IamTest : public ::testing::Test {
 protected:
  IamTest() : cluster_(Layout{1, 1, 4, 2}, Backend::kMemory) {
    iam_ = Open();
    changed_.clear();
  }

  std::unique_ptr<Iam> Open(std::string_view root_secret = kRootSecret) {
    Iam::Options opts;
    opts.root_access_key = std::string(kRootKey);
    opts.root_secret_key = std::string(root_secret);
    opts.changed = [this](const RequestContext&, std::string item) -> Task<void> {
      changed_.push_back(std::move(item));
      co_return;
    };
    opts.now = [this] { return now_; };
    auto iam = std::make_unique<Iam>(std::move(opts));
    Status attached = SyncWait(iam->Attach(ctx_, *cluster_.layer));
    EXPECT_TRUE(attached.ok()) << attached.ToString();
    return iam;
  }

  bool Allowed(const Iam& iam, std::string_view ak, std::string_view action,
               std::string_view resource, const policy::Policy* bucket_policy = nullptr) {
    IdentityPtr id = iam.Find(ak);
    policy::ConditionValues c;
    AddIdentityConditions(id.get(), c);
    AccessRequest r;
    r.identity = id.get();
    r.action = action;
    r.resource = resource;
    r.bucket_policy = bucket_policy;
    r.conditions = &c;
    return Authorize(r);
  }

  Cluster cluster_;
  RequestContext& ctx_ = cluster_.ctx;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
  std::vector<std::string> changed_;
  std::unique_ptr<Iam> iam_;
};

TEST_F(IamTest, RootIsKnownBeforeAndAfterAttachAndAllowedEverything) {
  Iam::Options opts;
  opts.root_access_key = std::string(kRootKey);
  opts.root_secret_key = std::string(kRootSecret);
  Iam detached(std::move(opts));
  EXPECT_EQ(detached.SecretKey(kRootKey), std::string(kRootSecret));
  EXPECT_EQ(detached.SecretKey("someone"), std::nullopt);
  auto root = iam_->Check(kRootKey, "");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ((*root)->kind, IdentityKind::kRoot);
  EXPECT_TRUE(Allowed(*iam_, kRootKey, "s3:DeleteBucket", "arn:aws:s3:::b"));
  // A bucket policy that denies everyone does not lock root out.
  auto deny = policy::Policy::Parse(
      R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]})",
      policy::Kind::kResource);
  ASSERT_TRUE(deny.ok()) << deny.status().ToString();
  EXPECT_TRUE(Allowed(*iam_, kRootKey, "s3:GetObject", "arn:aws:s3:::b/k", &*deny));
  EXPECT_EQ(SyncWait(iam_->AddUser(ctx_, kRootKey, "secret12345", true)).code(),
            Errc::kInvalidArgument);
}

TEST_F(IamTest, UsersStartWithoutAccessAndGetWhatPoliciesAllow) {
  ASSERT_TRUE(SyncWait(iam_->AddUser(ctx_, "alice", "alicesecret", true)).ok());
  EXPECT_EQ(changed_, std::vector<std::string>{"users/alice.json"});
  EXPECT_EQ(iam_->SecretKey("alice"), std::string("alicesecret"));
  EXPECT_FALSE(Allowed(*iam_, "alice", "s3:GetObject", "arn:aws:s3:::b/k"));
  ASSERT_TRUE(SyncWait(iam_->AddPolicy(ctx_, "read-b", ReadOnly("b"))).ok());
  ASSERT_TRUE(SyncWait(iam_->AttachPolicies(ctx_, "alice", false, {"read-b"})).ok());
  EXPECT_TRUE(Allowed(*iam_, "alice", "s3:GetObject", "arn:aws:s3:::b/k"));
  EXPECT_FALSE(Allowed(*iam_, "alice", "s3:GetObject", "arn:aws:s3:::c/k"));
  EXPECT_FALSE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::b/k"));
  // A builtin.
  ASSERT_TRUE(SyncWait(iam_->AttachPolicies(ctx_, "alice", false, {"readwrite"})).ok());
  EXPECT_TRUE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::c/k"));
  auto info = iam_->GetUser("alice");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->policies, (std::vector<std::string>{"read-b", "readwrite"}));
  // Detach; unknown policies and users.
  ASSERT_TRUE(SyncWait(iam_->DetachPolicies(ctx_, "alice", false, {"readwrite"})).ok());
  EXPECT_FALSE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::c/k"));
  EXPECT_EQ(SyncWait(iam_->AttachPolicies(ctx_, "alice", false, {"nope"})).code(),
            Errc::kIamNoSuchPolicy);
  EXPECT_EQ(SyncWait(iam_->AttachPolicies(ctx_, "bob", false, {"read-b"})).code(),
            Errc::kIamNoSuchUser);
  EXPECT_EQ(SyncWait(iam_->RemovePolicy(ctx_, "read-b")).code(), Errc::kIamPolicyInUse);
  EXPECT_EQ(SyncWait(iam_->RemovePolicy(ctx_, "readonly")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(iam_->AddPolicy(ctx_, "bad", "{")).code(), Errc::kMalformedPolicy);
}

TEST_F(IamTest, CheckRefusesUnknownDisabledAndTokenMismatches) {
  ASSERT_TRUE(SyncWait(iam_->AddUser(ctx_, "alice", "alicesecret", true)).ok());
  EXPECT_TRUE(iam_->Check("alice", "").ok());
  EXPECT_EQ(iam_->Check("nobody", "").code(), Errc::kInvalidAccessKeyId);
  EXPECT_EQ(iam_->Check("alice", "token").code(), Errc::kInvalidToken);
  ASSERT_TRUE(SyncWait(iam_->SetUserEnabled(ctx_, "alice", false)).ok());
  EXPECT_EQ(iam_->Check("alice", "").code(), Errc::kAccessKeyDisabled);
  EXPECT_EQ(iam_->SecretKey("alice"), std::string("alicesecret"));  // so the code is the right one
  EXPECT_EQ(SyncWait(iam_->SetUserEnabled(ctx_, "bob", false)).code(), Errc::kIamNoSuchUser);
  EXPECT_EQ(SyncWait(iam_->AddUser(ctx_, "x", "alicesecret", true)).code(),
            Errc::kInvalidArgument);  // too short
  EXPECT_EQ(SyncWait(iam_->AddUser(ctx_, "carol", "short", true)).code(), Errc::kInvalidArgument);
}

TEST_F(IamTest, GroupsGivePoliciesToEnabledMembers) {
  ASSERT_TRUE(SyncWait(iam_->AddUser(ctx_, "alice", "alicesecret", true)).ok());
  EXPECT_EQ(SyncWait(iam_->UpdateGroupMembers(ctx_, "devs", {"nobody"}, false)).code(),
            Errc::kIamNoSuchUser);
  ASSERT_TRUE(SyncWait(iam_->UpdateGroupMembers(ctx_, "devs", {"alice"}, false)).ok());
  ASSERT_TRUE(SyncWait(iam_->AttachPolicies(ctx_, "devs", true, {"readwrite"})).ok());
  EXPECT_TRUE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::b/k"));
  EXPECT_EQ(iam_->GetUser("alice")->groups, std::vector<std::string>{"devs"});
  ASSERT_TRUE(SyncWait(iam_->SetGroupEnabled(ctx_, "devs", false)).ok());
  EXPECT_FALSE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::b/k"));
  ASSERT_TRUE(SyncWait(iam_->SetGroupEnabled(ctx_, "devs", true)).ok());
  EXPECT_EQ(SyncWait(iam_->UpdateGroupMembers(ctx_, "devs", {}, true)).code(),
            Errc::kIamGroupNotEmpty);
  ASSERT_TRUE(SyncWait(iam_->UpdateGroupMembers(ctx_, "devs", {"alice"}, true)).ok());
  EXPECT_FALSE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::b/k"));
  ASSERT_TRUE(SyncWait(iam_->UpdateGroupMembers(ctx_, "devs", {}, true)).ok());
  EXPECT_EQ(iam_->ListGroups(), std::vector<std::string>{});
}

TEST_F(IamTest, ServiceAccountsInheritTheParentAndSessionPoliciesNarrow) {
  ASSERT_TRUE(SyncWait(iam_->AddUser(ctx_, "alice", "alicesecret", true)).ok());
  ASSERT_TRUE(SyncWait(iam_->AttachPolicies(ctx_, "alice", false, {"readwrite"})).ok());
  NewServiceAccount plain;
  plain.parent_user = "alice";
  auto creds = SyncWait(iam_->AddServiceAccount(ctx_, plain));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->access_key.size(), 20u);
  EXPECT_EQ(creds->secret_key.size(), 40u);
  EXPECT_TRUE(Allowed(*iam_, creds->access_key, "s3:PutObject", "arn:aws:s3:::b/k"));
  EXPECT_EQ(iam_->Find(creds->access_key)->parent_user, "alice");

  NewServiceAccount narrow;
  narrow.parent_user = "alice";
  narrow.access_key = "alice-reader";
  narrow.secret_key = "readersecret";
  narrow.session_policy = ReadOnly("b");
  ASSERT_TRUE(SyncWait(iam_->AddServiceAccount(ctx_, narrow)).ok());
  EXPECT_TRUE(Allowed(*iam_, "alice-reader", "s3:GetObject", "arn:aws:s3:::b/k"));
  EXPECT_FALSE(Allowed(*iam_, "alice-reader", "s3:PutObject", "arn:aws:s3:::b/k"));
  EXPECT_EQ(SyncWait(iam_->AddServiceAccount(ctx_, narrow)).code(), Errc::kIamKeyExists);

  // Root's service accounts have the root's power (narrowed the same way).
  NewServiceAccount of_root;
  of_root.parent_user = std::string(kRootKey);
  of_root.session_policy = ReadOnly("b");
  auto root_svc = SyncWait(iam_->AddServiceAccount(ctx_, of_root));
  ASSERT_TRUE(root_svc.ok());
  EXPECT_TRUE(Allowed(*iam_, root_svc->access_key, "s3:GetObject", "arn:aws:s3:::b/k"));
  EXPECT_FALSE(Allowed(*iam_, root_svc->access_key, "s3:GetObject", "arn:aws:s3:::c/k"));

  ServiceAccountUpdate off;
  off.enabled = false;
  ASSERT_TRUE(SyncWait(iam_->UpdateServiceAccount(ctx_, "alice-reader", off)).ok());
  EXPECT_EQ(iam_->Check("alice-reader", "").code(), Errc::kAccessKeyDisabled);
  EXPECT_EQ(iam_->ListServiceAccounts("alice").size(), 2u);

  // A disabled parent disables its keys; a removed one removes them.
  ASSERT_TRUE(SyncWait(iam_->SetUserEnabled(ctx_, "alice", false)).ok());
  EXPECT_EQ(iam_->Check(creds->access_key, "").code(), Errc::kAccessKeyDisabled);
  ASSERT_TRUE(SyncWait(iam_->RemoveUser(ctx_, "alice")).ok());
  EXPECT_EQ(iam_->Check(creds->access_key, "").code(), Errc::kInvalidAccessKeyId);
  EXPECT_TRUE(iam_->ListServiceAccounts("alice").empty());
}

TEST_F(IamTest, TemporaryCredentialsNeedTheirTokenAndExpire) {
  ASSERT_TRUE(SyncWait(iam_->AddUser(ctx_, "alice", "alicesecret", true)).ok());
  ASSERT_TRUE(SyncWait(iam_->AttachPolicies(ctx_, "alice", false, {"readwrite"})).ok());
  TemporaryRequest req;
  req.parent_user = "alice";
  req.duration = std::chrono::minutes(15);
  req.session_policy = ReadOnly("b");
  auto creds = SyncWait(iam_->AddTemporary(ctx_, req));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(iam_->Check(creds->access_key, "").code(), Errc::kInvalidToken);
  EXPECT_EQ(iam_->Check(creds->access_key, "wrong").code(), Errc::kInvalidToken);
  ASSERT_TRUE(iam_->Check(creds->access_key, creds->session_token).ok());
  EXPECT_TRUE(Allowed(*iam_, creds->access_key, "s3:GetObject", "arn:aws:s3:::b/k"));
  EXPECT_FALSE(Allowed(*iam_, creds->access_key, "s3:PutObject", "arn:aws:s3:::b/k"));
  now_ += std::chrono::minutes(16);
  EXPECT_EQ(iam_->Check(creds->access_key, creds->session_token).code(), Errc::kExpiredToken);
  // A reload drops expired credentials and their records.
  ASSERT_TRUE(SyncWait(iam_->ReloadAll(ctx_)).ok());
  EXPECT_EQ(iam_->Find(creds->access_key), nullptr);
}

TEST_F(IamTest, BucketPoliciesGrantAndDenyByPrincipal) {
  ASSERT_TRUE(SyncWait(iam_->AddUser(ctx_, "alice", "alicesecret", true)).ok());
  auto grant = policy::Policy::Parse(
      R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/alice"]},)"
      R"("Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})",
      policy::Kind::kResource);
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  EXPECT_TRUE(Allowed(*iam_, "alice", "s3:GetObject", "arn:aws:s3:::b/k", &*grant));
  EXPECT_FALSE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::b/k", &*grant));
  // Anonymous requests: only Principal "*".
  AccessRequest anon;
  anon.action = "s3:GetObject";
  anon.resource = "arn:aws:s3:::b/k";
  anon.bucket_policy = &*grant;
  EXPECT_FALSE(Authorize(anon));
  auto open = policy::Policy::Parse(
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",)"
      R"("Resource":"arn:aws:s3:::b/*"}]})",
      policy::Kind::kResource);
  ASSERT_TRUE(open.ok());
  anon.bucket_policy = &*open;
  EXPECT_TRUE(Authorize(anon));
  // An identity Allow does not beat a bucket policy Deny.
  ASSERT_TRUE(SyncWait(iam_->AttachPolicies(ctx_, "alice", false, {"readwrite"})).ok());
  auto deny = policy::Policy::Parse(
      R"({"Statement":[{"Effect":"Deny","Principal":{"AWS":"alice"},"Action":"s3:PutObject",)"
      R"("Resource":"arn:aws:s3:::b/*"}]})",
      policy::Kind::kResource);
  ASSERT_TRUE(deny.ok());
  EXPECT_FALSE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::b/k", &*deny));
  EXPECT_TRUE(Allowed(*iam_, "alice", "s3:PutObject", "arn:aws:s3:::c/k", &*deny));
}

// Adding no members makes an empty group (the IAM API's CreateGroup relies on it): stored like
// any group, seen by another node, given policies, removed while empty.
TEST_F(IamTest, AddingNoMembersMakesAnEmptyGroup) {
  const std::vector<std::string> none;
  EXPECT_EQ(iam_->GetGroup("empty").code(), Errc::kIamNoSuchGroup);
  ASSERT_TRUE(SyncWait(iam_->UpdateGroupMembers(ctx_, "empty", none, false)).ok());
  auto group = iam_->GetGroup("empty");
  ASSERT_TRUE(group.ok());
  EXPECT_TRUE(group->members.empty());
  const std::vector<std::string> readonly = {"readonly"};
  ASSERT_TRUE(SyncWait(iam_->AttachPolicies(ctx_, "empty", true, readonly)).ok());
  std::unique_ptr<Iam> other = Open();
  ASSERT_TRUE(SyncWait(other->ReloadAll(ctx_)).ok());
  auto seen = other->GetGroup("empty");
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen->members.empty());
  EXPECT_EQ(seen->policies, readonly);
  ASSERT_TRUE(SyncWait(iam_->UpdateGroupMembers(ctx_, "empty", none, true)).ok());
  EXPECT_EQ(iam_->GetGroup("empty").code(), Errc::kIamNoSuchGroup);
}

TEST_F(IamTest, AnotherNodeSeesChangesThroughReloads) {
  std::unique_ptr<Iam> other = Open();
  ASSERT_TRUE(SyncWait(iam_->AddUser(ctx_, "alice", "alicesecret", true)).ok());
  EXPECT_EQ(other->Find("alice"), nullptr);
  for (const auto& item : changed_) {
    ASSERT_TRUE(SyncWait(other->ReloadItem(ctx_, item)).ok());
  }
  ASSERT_NE(other->Find("alice"), nullptr);
  EXPECT_EQ(other->SecretKey("alice"), std::string("alicesecret"));
  // A change on the other node, then a write here that must not undo it (If-Match).
  ASSERT_TRUE(SyncWait(other->SetUserEnabled(ctx_, "alice", false)).ok());
  ASSERT_TRUE(SyncWait(iam_->AttachPolicies(ctx_, "alice", false, {"readonly"})).ok());
  ASSERT_TRUE(SyncWait(other->ReloadAll(ctx_)).ok());
  auto alice = other->GetUser("alice");
  ASSERT_TRUE(alice.ok());
  EXPECT_FALSE(alice->enabled);
  EXPECT_EQ(alice->policies, std::vector<std::string>{"readonly"});
  // Removal.
  ASSERT_TRUE(SyncWait(iam_->RemoveUser(ctx_, "alice")).ok());
  ASSERT_TRUE(SyncWait(other->ReloadItem(ctx_, "users/alice.json")).ok());
  EXPECT_EQ(other->Find("alice"), nullptr);
  EXPECT_EQ(SyncWait(other->ReloadItem(ctx_, "../x")).code(), Errc::kInvalidArgument);
}

TEST_F(IamTest, SecretsAreSealedUnderTheRootCredentials) {
  ASSERT_TRUE(SyncWait(iam_->AddUser(ctx_, "alice", "alicesecret", true)).ok());
  auto record = SyncWait(object::ReadSystemRecord(
      ctx_, *cluster_.layer, std::string(kIamPrefix) + "users/alice.json", 1 << 16));
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->data.find("alicesecret"), std::string::npos);
  // Another root secret cannot open it: the user is skipped, not served with a wrong secret.
  std::unique_ptr<Iam> other = Open("anothersecret");
  EXPECT_EQ(other->Find("alice"), nullptr);
}

}  // namespace
}  // namespace cairn::iam
