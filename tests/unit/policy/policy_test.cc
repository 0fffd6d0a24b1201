#include "policy/policy.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cairn::policy {
namespace {

constexpr std::string_view kObject = "arn:aws:s3:::bucket/dir/key.txt";

// An identity policy of the given statements (the inside of the JSON array).
std::string Doc(std::string_view statements) {
  return std::string(R"({"Version": "2012-10-17", "Statement": [)") + std::string(statements) +
         "]}";
}

Policy MustParse(std::string_view json, Kind kind = Kind::kIdentity) {
  auto p = Policy::Parse(json, kind);
  EXPECT_TRUE(p.ok()) << p.status().ToString() << "\n" << json;
  return p.ok() ? std::move(*p) : Policy();
}

Status ParseError(std::string_view json, Kind kind = Kind::kIdentity) {
  auto p = Policy::Parse(json, kind);
  return p.ok() ? Status::Ok() : p.status();
}

Decision Eval(const Policy& p, std::string_view action, std::string_view resource,
              const ConditionValues* conditions = nullptr,
              std::span<const std::string> principals = {}) {
  return p.Evaluate(
      {.action = action, .resource = resource, .principals = principals, .conditions = conditions});
}

// Allow s3:GetObject on everything under `condition` (a Condition block's inside); what
// the request with `values` gets.
Decision WithCondition(std::string_view condition, const ConditionValues* values) {
  const Policy p = MustParse(Doc(std::string(R"({"Effect": "Allow", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::*", "Condition": {)") +
                                 std::string(condition) + "}}"));
  return Eval(p, "s3:GetObject", kObject, values);
}

// The decision for `condition` when key "k" holds `values` (none: the key is absent).
Decision ForKey(std::string_view condition, std::vector<std::string> values) {
  ConditionValues cv;
  for (std::string& v : values) {
    cv.Add("k", std::move(v));
  }
  return WithCondition(condition, &cv);
}

constexpr Decision kAllow = Decision::kAllow;
constexpr Decision kNone = Decision::kNone;
constexpr Decision kDeny = Decision::kDeny;

TEST(ConditionValues, KeysAreCaseInsensitive) {
  ConditionValues cv;
  cv.Set("aws:UserName", "alice");
  cv.Add("AWS:username", "bob");
  ASSERT_NE(cv.Find("aws:username"), nullptr);
  EXPECT_EQ(*cv.Find("AWS:USERNAME"), (std::vector<std::string>{"alice", "bob"}));
  cv.Set("Aws:Username", "carol");
  EXPECT_EQ(*cv.Find("aws:username"), (std::vector<std::string>{"carol"}));
  EXPECT_EQ(cv.Find("aws:userid"), nullptr);
}

TEST(Actions, ExactWildcardAndCaseInsensitive) {
  const Policy p = MustParse(Doc(R"({"Effect": "Allow", "Action": ["s3:Get*", "S3:PUTOBJECT",
      "s3:?eleteObject"], "Resource": "arn:aws:s3:::*"})"));
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject), kAllow);
  EXPECT_EQ(Eval(p, "s3:getobjectversion", kObject), kAllow);
  EXPECT_EQ(Eval(p, "s3:PutObject", kObject), kAllow);
  EXPECT_EQ(Eval(p, "s3:DeleteObject", kObject), kAllow);
  EXPECT_EQ(Eval(p, "s3:DeleteObjectVersion", kObject), kNone);
  EXPECT_EQ(Eval(p, "s3:ListBucket", "arn:aws:s3:::bucket"), kNone);
  EXPECT_EQ(Eval(p, "admin:Heal", ""), kNone);
}

TEST(Actions, RequestActionsOutsideTheTable) {
  // A known request action is looked up in the action table; any other (a newer S3
  // action, a very long name) is matched against the patterns themselves.
  const Policy p = MustParse(Doc(R"(
      {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"},
      {"Effect": "Deny", "NotAction": "s3:Get*", "Resource": "arn:aws:s3:::secret/*"})"));
  EXPECT_EQ(Eval(p, "S3:GETOBJECT", kObject), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetSomethingNew", kObject), kAllow);
  EXPECT_EQ(Eval(p, "S3:GetSomethingNew", "arn:aws:s3:::secret/x"), kAllow);
  EXPECT_EQ(Eval(p, "s3:PutSomethingNew", "arn:aws:s3:::secret/x"), kDeny);
  const std::string long_action = "S3:" + std::string(300, 'X');
  EXPECT_EQ(Eval(p, long_action, kObject), kAllow);
  EXPECT_EQ(Eval(p, long_action, "arn:aws:s3:::secret/x"), kDeny);
  // kms: actions ignore resources (policy.h), so the NotAction Deny covers them anywhere.
  EXPECT_EQ(Eval(p, "kms:CreateKey", ""), kDeny);
  EXPECT_EQ(Eval(p, "", kObject), kNone);
}

TEST(Actions, StarMatchesEveryAction) {
  const Policy p =
      MustParse(Doc(R"({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*"})"));
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject), kAllow);
  EXPECT_EQ(Eval(p, "admin:Heal", ""), kAllow);
}

TEST(Actions, IsKnownAction) {
  EXPECT_TRUE(IsKnownAction("s3:GetObject"));
  EXPECT_TRUE(IsKnownAction("S3:getobject"));
  EXPECT_TRUE(IsKnownAction("s3:ListBucketMultipartUploads"));
  EXPECT_TRUE(IsKnownAction("s3:PutBucketPublicAccessBlock"));
  EXPECT_TRUE(IsKnownAction("s3:ListenBucketNotification"));
  EXPECT_TRUE(IsKnownAction("admin:ServerInfo"));
  EXPECT_TRUE(IsKnownAction("admin:AttachUserOrGroupPolicy"));
  EXPECT_TRUE(IsKnownAction("kms:CreateKey"));
  EXPECT_TRUE(IsKnownAction("sts:AssumeRoleWithWebIdentity"));
  EXPECT_TRUE(IsKnownAction("s3:*"));
  EXPECT_TRUE(IsKnownAction("s3:Get*Tagging"));
  EXPECT_TRUE(IsKnownAction("*"));
  EXPECT_FALSE(IsKnownAction("s3:GetObjects"));
  EXPECT_FALSE(IsKnownAction("s3:Frobnicate*"));
  EXPECT_FALSE(IsKnownAction("ec2:RunInstances"));
  EXPECT_FALSE(IsKnownAction("GetObject"));
  EXPECT_FALSE(IsKnownAction(""));
}

TEST(Conditions, KeysTheyReadAreListed) {
  const Policy p = MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:*",
      "Resource": "arn:aws:s3:::b/${aws:username}/*",
      "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    "StringLike": {"s3:prefix": "${aws:userid}/*"}}})"));
  const std::vector<std::string> want = {"aws:sourceip", "aws:userid", "aws:username", "s3:prefix"};
  EXPECT_EQ(std::vector<std::string>(p.condition_keys().begin(), p.condition_keys().end()), want);
  const Policy plain =
      MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"})"));
  EXPECT_TRUE(plain.condition_keys().empty());
  EXPECT_TRUE(Policy().condition_keys().empty());
}

TEST(Resources, StarIsEveryResource) {
  const Policy p =
      MustParse(Doc(R"({"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:GetObject"],
          "Resource": "*"})"));
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject), kAllow);
  EXPECT_EQ(Eval(p, "s3:ListAllMyBuckets", "arn:aws:s3:::*"), kAllow);
  EXPECT_EQ(Eval(p, "s3:PutObject", kObject), kNone);
}

TEST(Resources, WildcardsAndCase) {
  const Policy p = MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:*",
      "Resource": ["arn:aws:s3:::bucket/*", "arn:aws:s3:::logs-201?"]})"));
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject), kAllow);  // `*` crosses '/'
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::bucket/"), kAllow);
  EXPECT_EQ(Eval(p, "s3:ListBucket", "arn:aws:s3:::bucket"), kNone);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::Bucket/dir/key.txt"), kNone);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::bucket2/a"), kNone);
  EXPECT_EQ(Eval(p, "s3:ListBucket", "arn:aws:s3:::logs-2019"), kAllow);
  EXPECT_EQ(Eval(p, "s3:ListBucket", "arn:aws:s3:::logs-20199"), kNone);
  EXPECT_EQ(Eval(p, "s3:ListBucket", "arn:aws:s3:::logs-201"), kNone);
}

TEST(Resources, StarInsideAndSeveralStars) {
  const Policy p = MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b*/*/x*y"})"));
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::bucket/a/b/xzzy"), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::b//xy"), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::bucket/a/xyz"), kNone);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::bucket/xy"), kNone);
}

TEST(Resources, ListAllMyBucketsHasNoResource) {
  const Policy all = MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
      "Resource": "arn:aws:s3:::*"})"));
  EXPECT_EQ(Eval(all, "s3:ListAllMyBuckets", ""), kAllow);
  const Policy one = MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
      "Resource": "arn:aws:s3:::bucket"})"));
  EXPECT_EQ(Eval(one, "s3:ListAllMyBuckets", ""), kNone);
}

TEST(Resources, AdminStatementsMayOmitResource) {
  const Policy none = MustParse(Doc(R"({"Effect": "Allow", "Action": ["admin:*", "kms:*"]})"));
  EXPECT_EQ(Eval(none, "admin:Heal", ""), kAllow);
  EXPECT_EQ(Eval(none, "kms:CreateKey", ""), kAllow);
  EXPECT_EQ(Eval(none, "s3:GetObject", kObject), kNone);
  const Policy minio = MustParse(Doc(R"({"Effect": "Allow", "Action": "admin:ServerInfo",
      "Resource": "arn:minio:admin:::*"})"));
  EXPECT_EQ(Eval(minio, "admin:ServerInfo", ""), kAllow);
  const Policy star =
      MustParse(Doc(R"({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})"));
  EXPECT_EQ(Eval(star, "sts:AssumeRole", ""), kAllow);
  // Admin actions match whatever Resource the statement names.
  const Policy bucket = MustParse(Doc(R"({"Effect": "Allow", "Action": "admin:*",
      "Resource": "arn:aws:s3:::only-this"})"));
  EXPECT_EQ(Eval(bucket, "admin:Heal", ""), kAllow);
}

TEST(Variables, UsernameInResource) {
  const Policy p = MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:*",
      "Resource": "arn:aws:s3:::home/${aws:username}/*"})"));
  ConditionValues alice;
  alice.Set("aws:username", "alice");
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::home/alice/notes", &alice), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::home/bob/notes", &alice), kNone);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::home/alice", &alice), kNone);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::home/alice/notes"), kNone);  // no values
  ConditionValues nobody;
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::home//notes", &nobody), kNone);
  ConditionValues two;
  two.Add("aws:username", "alice");
  two.Add("aws:username", "bob");
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::home/alice/notes", &two), kNone);
}

TEST(Variables, KeyIsCaseInsensitiveAndValueIsLiteral) {
  const Policy p = MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/${AWS:UserId}"})"));
  ConditionValues star;
  star.Set("aws:userid", "*");
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::b/*", &star), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::b/anything", &star), kNone);
}

TEST(Variables, Escapes) {
  const Policy p = MustParse(Doc(R"({"Effect": "Allow", "Action": "s3:GetObject",
      "Resource": ["arn:aws:s3:::b/${*}", "arn:aws:s3:::c/${?}x", "arn:aws:s3:::d/${$}*"]})"));
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::b/*"), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::b/x"), kNone);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::c/?x"), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::c/ax"), kNone);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::d/$money"), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::d/money"), kNone);
}

TEST(Variables, InConditionValues) {
  ConditionValues cv;
  cv.Set("aws:username", "alice");
  cv.Set("s3:prefix", "alice/photos");
  EXPECT_EQ(WithCondition(R"("StringLike": {"s3:prefix": "${aws:username}/*"})", &cv), kAllow);
  cv.Set("s3:prefix", "bob/photos");
  EXPECT_EQ(WithCondition(R"("StringLike": {"s3:prefix": "${aws:username}/*"})", &cv), kNone);
  cv.Set("s3:prefix", "alice");
  EXPECT_EQ(WithCondition(R"("StringEquals": {"s3:prefix": "${aws:username}"})", &cv), kAllow);
}

TEST(Conditions, StringEquals) {
  const std::string_view c = R"("StringEquals": {"k": ["a", "b"]})";
  EXPECT_EQ(ForKey(c, {"a"}), kAllow);
  EXPECT_EQ(ForKey(c, {"b"}), kAllow);
  EXPECT_EQ(ForKey(c, {"A"}), kNone);
  EXPECT_EQ(ForKey(c, {"c"}), kNone);
  EXPECT_EQ(ForKey(c, {}), kNone);
  EXPECT_EQ(WithCondition(c, nullptr), kNone);
  // `*` is literal for StringEquals.
  EXPECT_EQ(ForKey(R"("StringEquals": {"k": "a*"})", {"abc"}), kNone);
  EXPECT_EQ(ForKey(R"("StringEquals": {"k": "a*"})", {"a*"}), kAllow);
}

TEST(Conditions, StringNotEquals) {
  const std::string_view c = R"("StringNotEquals": {"k": ["a", "b"]})";
  EXPECT_EQ(ForKey(c, {"a"}), kNone);
  EXPECT_EQ(ForKey(c, {"c"}), kAllow);
  EXPECT_EQ(ForKey(c, {}), kAllow);  // absent: negated operators hold
  EXPECT_EQ(ForKey(c, {"c", "a"}), kNone);
}

TEST(Conditions, StringIgnoreCase) {
  EXPECT_EQ(ForKey(R"("StringEqualsIgnoreCase": {"k": "Hello"})", {"hELLO"}), kAllow);
  EXPECT_EQ(ForKey(R"("StringEqualsIgnoreCase": {"k": "Hello"})", {"hell"}), kNone);
  EXPECT_EQ(ForKey(R"("StringEqualsIgnoreCase": {"k": "Hello"})", {}), kNone);
  EXPECT_EQ(ForKey(R"("StringNotEqualsIgnoreCase": {"k": "Hello"})", {"HELLO"}), kNone);
  EXPECT_EQ(ForKey(R"("StringNotEqualsIgnoreCase": {"k": "Hello"})", {"bye"}), kAllow);
  EXPECT_EQ(ForKey(R"("StringNotEqualsIgnoreCase": {"k": "Hello"})", {}), kAllow);
}

TEST(Variables, InIgnoreCaseValues) {
  ConditionValues cv;
  cv.Set("aws:username", "Alice");
  cv.Set("k", "ALICE");
  EXPECT_EQ(WithCondition(R"("StringEqualsIgnoreCase": {"k": "${aws:username}"})", &cv), kAllow);
  EXPECT_EQ(WithCondition(R"("StringEquals": {"k": "${aws:username}"})", &cv), kNone);
  EXPECT_EQ(WithCondition(R"("StringNotEquals": {"k": "${aws:userid}"})", &cv), kAllow);
}

TEST(Conditions, StringLike) {
  const std::string_view like = R"("StringLike": {"k": ["photos/*", "doc?.txt"]})";
  EXPECT_EQ(ForKey(like, {"photos/2026/a.jpg"}), kAllow);
  EXPECT_EQ(ForKey(like, {"doc1.txt"}), kAllow);
  EXPECT_EQ(ForKey(like, {"doc12.txt"}), kNone);
  EXPECT_EQ(ForKey(like, {"Photos/a"}), kNone);
  EXPECT_EQ(ForKey(like, {}), kNone);
  const std::string_view not_like = R"("StringNotLike": {"k": "photos/*"})";
  EXPECT_EQ(ForKey(not_like, {"photos/a"}), kNone);
  EXPECT_EQ(ForKey(not_like, {"music/a"}), kAllow);
  EXPECT_EQ(ForKey(not_like, {}), kAllow);
}

TEST(Conditions, Numeric) {
  struct Case {
    std::string_view op;
    Decision less, equal, greater, absent;
  };

  for (const Case& c : {Case{"NumericEquals", kNone, kAllow, kNone, kNone},
                        Case{"NumericNotEquals", kAllow, kNone, kAllow, kAllow},
                        Case{"NumericLessThan", kAllow, kNone, kNone, kNone},
                        Case{"NumericLessThanEquals", kAllow, kAllow, kNone, kNone},
                        Case{"NumericGreaterThan", kNone, kNone, kAllow, kNone},
                        Case{"NumericGreaterThanEquals", kNone, kAllow, kAllow, kNone}}) {
    const std::string cond = "\"" + std::string(c.op) + R"(": {"k": "10"})";
    EXPECT_EQ(ForKey(cond, {"5"}), c.less) << c.op;
    EXPECT_EQ(ForKey(cond, {"10.0"}), c.equal) << c.op;
    EXPECT_EQ(ForKey(cond, {"15"}), c.greater) << c.op;
    EXPECT_EQ(ForKey(cond, {}), c.absent) << c.op;
  }
  // JSON numbers are taken as their text; a request value that is not a number never
  // equals one.
  EXPECT_EQ(ForKey(R"("NumericLessThan": {"k": 100})", {"99.5"}), kAllow);
  EXPECT_EQ(ForKey(R"("NumericEquals": {"k": 1})", {"one"}), kNone);
}

TEST(Conditions, Date) {
  struct Case {
    std::string_view op;
    Decision earlier, same, later, absent;
  };

  for (const Case& c : {Case{"DateEquals", kNone, kAllow, kNone, kNone},
                        Case{"DateNotEquals", kAllow, kNone, kAllow, kAllow},
                        Case{"DateLessThan", kAllow, kNone, kNone, kNone},
                        Case{"DateLessThanEquals", kAllow, kAllow, kNone, kNone},
                        Case{"DateGreaterThan", kNone, kNone, kAllow, kNone},
                        Case{"DateGreaterThanEquals", kNone, kAllow, kAllow, kNone}}) {
    const std::string cond = "\"" + std::string(c.op) + R"(": {"k": "2026-01-02T03:04:05Z"})";
    EXPECT_EQ(ForKey(cond, {"2026-01-02T03:04:04.5Z"}), c.earlier) << c.op;
    EXPECT_EQ(ForKey(cond, {"2026-01-02T05:04:05+02:00"}), c.same) << c.op;
    EXPECT_EQ(ForKey(cond, {"1767323045"}), c.same) << c.op;  // epoch seconds
    EXPECT_EQ(ForKey(cond, {"1767323044.9"}), c.earlier) << c.op;
    EXPECT_EQ(ForKey(cond, {"2026-01-02T03:04:05.000Z"}), c.same) << c.op;
    EXPECT_EQ(ForKey(cond, {"2026-01-03"}), c.later) << c.op;
    EXPECT_EQ(ForKey(cond, {}), c.absent) << c.op;
  }
  EXPECT_EQ(
      ForKey(R"("DateGreaterThan": {"k": "2026-01-01T00:00:00-0130"})", {"2026-01-01T01:29:59Z"}),
      kNone);
  EXPECT_EQ(ForKey(R"("DateGreaterThan": {"k": 1767225600})", {"2026-01-01T00:00:01Z"}), kAllow);
}

TEST(Conditions, Bool) {
  EXPECT_EQ(ForKey(R"("Bool": {"k": "true"})", {"true"}), kAllow);
  EXPECT_EQ(ForKey(R"("Bool": {"k": "true"})", {"TRUE"}), kAllow);
  EXPECT_EQ(ForKey(R"("Bool": {"k": true})", {"false"}), kNone);
  EXPECT_EQ(ForKey(R"("Bool": {"k": false})", {"false"}), kAllow);
  EXPECT_EQ(ForKey(R"("Bool": {"k": "true"})", {}), kNone);
  EXPECT_EQ(ForKey(R"("Bool": {"k": "true"})", {"yes"}), kNone);
}

TEST(Conditions, IpAddress) {
  const std::string_view c = R"("IpAddress": {"k": ["10.1.0.0/16", "192.168.1.7",
      "2001:db8::/32"]})";
  EXPECT_EQ(ForKey(c, {"10.1.200.3"}), kAllow);
  EXPECT_EQ(ForKey(c, {"10.2.0.1"}), kNone);
  EXPECT_EQ(ForKey(c, {"192.168.1.7"}), kAllow);
  EXPECT_EQ(ForKey(c, {"192.168.1.8"}), kNone);
  EXPECT_EQ(ForKey(c, {"2001:db8:1::5"}), kAllow);
  EXPECT_EQ(ForKey(c, {"2001:db9::5"}), kNone);
  EXPECT_EQ(ForKey(c, {"not an address"}), kNone);
  EXPECT_EQ(ForKey(c, {}), kNone);
  EXPECT_EQ(ForKey(R"("IpAddress": {"k": "10.128.0.0/9"})", {"10.200.0.1"}), kAllow);
  EXPECT_EQ(ForKey(R"("IpAddress": {"k": "10.128.0.0/9"})", {"10.100.0.1"}), kNone);
  EXPECT_EQ(ForKey(R"("IpAddress": {"k": "0.0.0.0/0"})", {"8.8.8.8"}), kAllow);
  EXPECT_EQ(ForKey(R"("IpAddress": {"k": "::1"})", {"::1"}), kAllow);
  const std::string_view n = R"("NotIpAddress": {"k": "10.0.0.0/8"})";
  EXPECT_EQ(ForKey(n, {"10.9.9.9"}), kNone);
  EXPECT_EQ(ForKey(n, {"11.0.0.1"}), kAllow);
  EXPECT_EQ(ForKey(n, {}), kAllow);
}

TEST(Conditions, Null) {
  EXPECT_EQ(ForKey(R"("Null": {"k": "true"})", {}), kAllow);
  EXPECT_EQ(ForKey(R"("Null": {"k": "true"})", {"x"}), kNone);
  EXPECT_EQ(ForKey(R"("Null": {"k": "false"})", {"x"}), kAllow);
  EXPECT_EQ(ForKey(R"("Null": {"k": false})", {}), kNone);
  EXPECT_EQ(WithCondition(R"("Null": {"k": "true"})", nullptr), kAllow);
}

TEST(Conditions, BinaryEquals) {
  EXPECT_EQ(ForKey(R"("BinaryEquals": {"k": "QmluYXJ5VmFsdWU="})", {"QmluYXJ5VmFsdWU="}), kAllow);
  EXPECT_EQ(ForKey(R"("BinaryEquals": {"k": "QmluYXJ5VmFsdWU="})", {"QmluYXJ5"}), kNone);
  EXPECT_EQ(ForKey(R"("BinaryEquals": {"k": "QmluYXJ5VmFsdWU="})", {}), kNone);
}

TEST(Conditions, Arn) {
  for (std::string_view op : {"ArnEquals", "ArnLike"}) {
    const std::string c = "\"" + std::string(op) + R"(": {"k": "arn:aws:iam::*:user/a*"})";
    EXPECT_EQ(ForKey(c, {"arn:aws:iam::123456789012:user/alice"}), kAllow) << op;
    EXPECT_EQ(ForKey(c, {"arn:aws:iam::123456789012:role/alice"}), kNone) << op;
    // `*` stays within its component.
    EXPECT_EQ(ForKey(c, {"arn:aws:iam:x:1:user/a"}), kNone) << op;
    EXPECT_EQ(ForKey(c, {"not-an-arn"}), kNone) << op;
    EXPECT_EQ(ForKey(c, {}), kNone) << op;
  }
  for (std::string_view op : {"ArnNotEquals", "ArnNotLike"}) {
    const std::string c = "\"" + std::string(op) + R"(": {"k": "arn:aws:s3:::bucket/*"})";
    EXPECT_EQ(ForKey(c, {"arn:aws:s3:::bucket/x"}), kNone) << op;
    EXPECT_EQ(ForKey(c, {"arn:aws:s3:::other/x"}), kAllow) << op;
    EXPECT_EQ(ForKey(c, {}), kAllow) << op;
  }
}

TEST(Conditions, IfExists) {
  const std::string_view c = R"("StringEqualsIfExists": {"k": "a"})";
  EXPECT_EQ(ForKey(c, {}), kAllow);
  EXPECT_EQ(ForKey(c, {"a"}), kAllow);
  EXPECT_EQ(ForKey(c, {"b"}), kNone);
  EXPECT_EQ(ForKey(R"("NumericLessThanIfExists": {"k": "3"})", {}), kAllow);
  EXPECT_EQ(ForKey(R"("NumericLessThanIfExists": {"k": "3"})", {"4"}), kNone);
  EXPECT_EQ(ForKey(R"("IpAddressIfExists": {"k": "10.0.0.0/8"})", {}), kAllow);
  EXPECT_EQ(ForKey(R"("IpAddressIfExists": {"k": "10.0.0.0/8"})", {"11.0.0.0"}), kNone);
  EXPECT_EQ(ForKey(R"("StringNotLikeIfExists": {"k": "a*"})", {"abc"}), kNone);
  EXPECT_EQ(ForKey(R"("DateLessThanIfExists": {"k": "2020-01-01"})", {}), kAllow);
  EXPECT_EQ(ForKey(R"("BoolIfExists": {"k": "true"})", {"false"}), kNone);
  EXPECT_EQ(ForKey(R"("ArnLikeIfExists": {"k": "arn:*:*:*:*:*"})", {}), kAllow);
}

TEST(Conditions, ForAnyValue) {
  const std::string_view c = R"("ForAnyValue:StringEquals": {"k": ["a", "b"]})";
  EXPECT_EQ(ForKey(c, {"x", "b"}), kAllow);
  EXPECT_EQ(ForKey(c, {"x", "y"}), kNone);
  EXPECT_EQ(ForKey(c, {}), kNone);
  const std::string_view n = R"("ForAnyValue:StringNotEquals": {"k": ["a", "b"]})";
  EXPECT_EQ(ForKey(n, {"a", "x"}), kAllow);  // x is not among them
  EXPECT_EQ(ForKey(n, {"a", "b"}), kNone);
  EXPECT_EQ(ForKey(n, {}), kNone);
}

TEST(Conditions, ForAllValues) {
  const std::string_view c = R"("ForAllValues:StringLike": {"k": ["a*", "b*"]})";
  EXPECT_EQ(ForKey(c, {"a1", "b2"}), kAllow);
  EXPECT_EQ(ForKey(c, {"a1", "c"}), kNone);
  EXPECT_EQ(ForKey(c, {}), kAllow);  // absent: vacuously true
  const std::string_view n = R"("ForAllValues:StringNotEquals": {"k": ["a", "b"]})";
  EXPECT_EQ(ForKey(n, {"x", "y"}), kAllow);
  EXPECT_EQ(ForKey(n, {"x", "a"}), kNone);
  EXPECT_EQ(ForKey(n, {}), kAllow);
  EXPECT_EQ(ForKey(R"("ForAllValues:NumericLessThan": {"k": 10})", {"1", "9"}), kAllow);
  EXPECT_EQ(ForKey(R"("ForAllValues:NumericLessThan": {"k": 10})", {"1", "10"}), kNone);
}

TEST(Conditions, PlainOperatorOnSeveralValuesMatchesAny) {
  EXPECT_EQ(ForKey(R"("StringEquals": {"k": "a"})", {"x", "a"}), kAllow);
  EXPECT_EQ(ForKey(R"("StringNotEquals": {"k": "a"})", {"x", "a"}), kNone);
}

TEST(Conditions, KeysAndOperatorsAreAndValuesAreOr) {
  ConditionValues cv;
  cv.Set("aws:SourceIp", "10.0.0.1");
  cv.Set("s3:prefix", "home/");
  cv.Set("aws:SecureTransport", "true");
  const std::string_view both = R"("StringEquals": {"s3:prefix": ["x/", "home/"],
      "AWS:securetransport": "true"}, "IpAddress": {"aws:sourceip": "10.0.0.0/8"})";
  EXPECT_EQ(WithCondition(both, &cv), kAllow);
  cv.Set("aws:securetransport", "false");
  EXPECT_EQ(WithCondition(both, &cv), kNone);
  cv.Set("aws:securetransport", "true");
  cv.Set("aws:sourceip", "11.0.0.1");
  EXPECT_EQ(WithCondition(both, &cv), kNone);
}

TEST(Effects, DenyBeatsAllowInOnePolicy) {
  const Policy p = MustParse(Doc(R"(
      {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"},
      {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::bucket/*"})"));
  EXPECT_EQ(Eval(p, "s3:DeleteObject", kObject), kDeny);
  EXPECT_EQ(Eval(p, "s3:DeleteObject", "arn:aws:s3:::other/x"), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject), kAllow);
}

TEST(Effects, DenyBeatsAllowAcrossPolicies) {
  const Policy allow = MustParse(
      Doc(R"({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"})"));
  const Policy deny = MustParse(
      Doc(R"({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"})"));
  const Request get{.action = "s3:GetObject", .resource = kObject, .principals = {}};
  const Request other{.action = "s3:GetObject", .resource = "arn:aws:s3:::b2/k", .principals = {}};
  const Request put{.action = "s3:PutObject", .resource = "arn:aws:s3:::b2/k", .principals = {}};
  const std::vector<const Policy*> both{&allow, nullptr, &deny};
  EXPECT_EQ(Evaluate(both, get), kDeny);
  EXPECT_EQ(Evaluate(both, other), kAllow);
  EXPECT_EQ(Evaluate(both, put), kNone);
  const std::vector<const Policy*> reversed{&deny, &allow};
  EXPECT_EQ(Evaluate(reversed, get), kDeny);
  EXPECT_EQ(Evaluate(std::vector<const Policy*>{}, get), kNone);
  EXPECT_EQ(Policy().Evaluate(get), kNone);
}

TEST(Effects, NotAction) {
  const Policy p = MustParse(Doc(R"({"Effect": "Allow", "NotAction": ["s3:Delete*"],
      "Resource": "arn:aws:s3:::*"})"));
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject), kAllow);
  EXPECT_EQ(Eval(p, "s3:DeleteObject", kObject), kNone);
}

TEST(Effects, NotResource) {
  const Policy p = MustParse(Doc(R"(
      {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"},
      {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::bucket/*"]})"));
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject), kAllow);
  EXPECT_EQ(Eval(p, "s3:GetObject", "arn:aws:s3:::secret/x"), kDeny);
}

TEST(Principals, Forms) {
  const std::vector<std::string> alice{"arn:aws:iam:::user/alice", "alice", "AKIAALICE"};
  const std::vector<std::string> bob{"arn:aws:iam:::user/bob", "bob"};
  const std::vector<std::string> anonymous;
  const auto bucket_policy = [](std::string_view principal) {
    return MustParse(
        Doc(std::string(R"({"Effect": "Allow", "Principal": )") + std::string(principal) +
            R"(, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"})"),
        Kind::kResource);
  };
  for (std::string_view everyone : {R"("*")", R"({"AWS": "*"})", R"({"AWS": ["x", "*"]})"}) {
    const Policy p = bucket_policy(everyone);
    EXPECT_EQ(Eval(p, "s3:GetObject", kObject, nullptr, anonymous), kAllow) << everyone;
    EXPECT_EQ(Eval(p, "s3:GetObject", kObject, nullptr, bob), kAllow) << everyone;
  }
  for (std::string_view just_alice :
       {R"({"AWS": "arn:aws:iam:::user/alice"})", R"({"AWS": ["carol", "alice"]})",
        R"({"CanonicalUser": "AKIAALICE"})"}) {
    const Policy p = bucket_policy(just_alice);
    EXPECT_EQ(Eval(p, "s3:GetObject", kObject, nullptr, alice), kAllow) << just_alice;
    EXPECT_EQ(Eval(p, "s3:GetObject", kObject, nullptr, bob), kNone) << just_alice;
    EXPECT_EQ(Eval(p, "s3:GetObject", kObject, nullptr, anonymous), kNone) << just_alice;
  }
}

TEST(Principals, NotPrincipal) {
  const Policy p = MustParse(Doc(R"(
      {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::*"},
      {"Effect": "Deny", "NotPrincipal": {"AWS": "alice"}, "Action": "s3:DeleteObject",
       "Resource": "arn:aws:s3:::*"})"),
                             Kind::kResource);
  const std::vector<std::string> alice{"alice"};
  const std::vector<std::string> bob{"bob"};
  EXPECT_EQ(Eval(p, "s3:DeleteObject", kObject, nullptr, alice), kAllow);
  EXPECT_EQ(Eval(p, "s3:DeleteObject", kObject, nullptr, bob), kDeny);
  EXPECT_EQ(Eval(p, "s3:DeleteObject", kObject, nullptr, {}), kDeny);
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject, nullptr, bob), kAllow);
}

TEST(Parse, StatementObjectVersionsAndAccessors) {
  const std::string text =
      R"({"Id": "x", "Statement": {"Sid": "one", "Effect": "Allow", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::*"}})";
  const Policy p = MustParse(text);
  EXPECT_EQ(p.text(), text);
  EXPECT_EQ(p.statement_count(), 1u);
  EXPECT_EQ(Eval(p, "s3:GetObject", kObject), kAllow);
  const Policy old = MustParse(R"({"Version": "2008-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"},
      {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::*"}]})");
  EXPECT_EQ(old.statement_count(), 2u);
  EXPECT_EQ(Policy().statement_count(), 0u);
  EXPECT_EQ(Policy().text(), "");
}

TEST(Parse, Errors) {
  const std::string ok_tail = R"("Action": "s3:GetObject", "Resource": "arn:aws:s3:::*")";

  struct Case {
    std::string json;
    std::string_view message;  // a part of it
    Kind kind = Kind::kIdentity;
  };

  const std::vector<Case> cases = {
      {"", "valid JSON"},
      {"not json", "valid JSON"},
      {"[]", "valid JSON"},
      {R"({"Statement": [)", "valid JSON"},
      {"\"string\"", "valid JSON"},
      {R"({"Statement": [[[[[[[[1]]]]]]]]})", "valid JSON"},
      {"{" + std::string(20 * 1024, ' ') + "}", "size"},
      {R"({"Version": "2012-10-17"})", "Missing required field Statement"},
      {R"({"Statement": []})", "Missing required field Statement"},
      {R"({"Statement": [1]})", "invalid statement"},
      {R"({"Version": "2020-01-01", "Statement": []})", "version"},
      {R"({"Version": 1, "Statement": []})", "version"},
      {R"({"Id": 1, "Statement": []})", "Id"},
      {R"({"Extra": 1, "Statement": []})", "Unknown field Extra"},
      {Doc(R"({"Effect": "Allow", "Foo": 1, )" + ok_tail + "}"), "Unknown field Foo"},
      {Doc(R"({"Effect": "allow", )" + ok_tail + "}"), "Invalid effect"},
      {Doc(R"({"Effect": 1, )" + ok_tail + "}"), "Invalid effect"},
      {Doc("{" + ok_tail + "}"), "Missing required field Effect"},
      {Doc(R"({"Sid": 1, "Effect": "Allow", )" + ok_tail + "}"), "Sid"},
      {Doc(R"({"Sid": "a", "Effect": "Allow", )" + ok_tail + R"(}, {"Sid": "a",
          "Effect": "Deny", )" +
           ok_tail + "}"),
       "unique"},
      {Doc(R"({"Effect": "Allow", "Resource": "arn:aws:s3:::*"})"),
       "Missing required field Action"},
      {Doc(R"({"Effect": "Allow", "NotAction": "s3:PutObject", )" + ok_tail + "}"),
       "both Action and NotAction"},
      {Doc(R"({"Effect": "Allow", "Action": "s3:Frobnicate", "Resource": "*"})"), "invalid action"},
      {Doc(R"({"Effect": "Allow", "Action": [], "Resource": "arn:aws:s3:::*"})"), "invalid action"},
      {Doc(R"({"Effect": "Allow", "Action": [1], "Resource": "arn:aws:s3:::*"})"),
       "invalid action"},
      {Doc(R"({"Effect": "Allow", "Action": "s3:GetObject"})"), "Missing required field Resource"},
      {Doc(R"({"Effect": "Allow", "NotAction": "admin:Heal"})"), "Missing required field Resource"},
      {Doc(R"({"Effect": "Allow", "NotResource": "arn:aws:s3:::x", )" + ok_tail + "}"),
       "both Resource and NotResource"},
      {Doc(R"({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "bucket/*"})"),
       "Policy has invalid resource"},
      {Doc(R"({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:iam::x"})"),
       "Policy has invalid resource"},
      {Doc(R"({"Effect": "Allow", "Action": "s3:GetObject", "Resource": {}})"),
       "Policy has invalid resource"},
      {Doc(R"({"Effect": "Allow", "Principal": "*", )" + ok_tail + "}"),
       "prohibited field Principal"},
      {Doc(R"({"Effect": "Allow", "NotPrincipal": "*", )" + ok_tail + "}"),
       "prohibited field Principal"},
      {Doc(R"({"Effect": "Allow", )" + ok_tail + "}"), "Missing required field Principal",
       Kind::kResource},
      {Doc(R"({"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", )" + ok_tail + "}"),
       "both Principal and NotPrincipal", Kind::kResource},
      {Doc(R"({"Effect": "Allow", "Principal": "alice", )" + ok_tail + "}"), "Invalid principal",
       Kind::kResource},
      {Doc(R"({"Effect": "Allow", "Principal": {"Service": "s3"}, )" + ok_tail + "}"),
       "Invalid principal", Kind::kResource},
      {Doc(R"({"Effect": "Allow", "Principal": {}, )" + ok_tail + "}"), "Invalid principal",
       Kind::kResource},
      {Doc(R"({"Effect": "Allow", "Condition": [], )" + ok_tail + "}"), "condition block"},
      {Doc(R"({"Effect": "Allow", "Condition": {"StringEquals": "x"}, )" + ok_tail + "}"),
       "condition block"},
      {Doc(R"({"Effect": "Allow", "Condition": {"StringEquals": {"k": {}}}, )" + ok_tail + "}"),
       "Invalid Condition value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"StringEquals": {"k": []}}, )" + ok_tail + "}"),
       "Invalid Condition value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"StringMatches": {"k": "v"}}, )" + ok_tail + "}"),
       "Invalid Condition operator StringMatches"},
      {Doc(R"({"Effect": "Allow", "Condition": {"ForSomeValues:StringEquals": {"k": "v"}},
           )" +
           ok_tail + "}"),
       "Invalid Condition operator"},
      {Doc(R"({"Effect": "Allow", "Condition": {"NumericEquals": {"k": "ten"}}, )" + ok_tail + "}"),
       "Invalid value ten"},
      {Doc(R"({"Effect": "Allow", "Condition": {"DateEquals": {"k": "2026-13-01"}}, )" + ok_tail +
           "}"),
       "Invalid value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"DateEquals": {"k": "yesterday"}}, )" + ok_tail +
           "}"),
       "Invalid value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"Bool": {"k": "yes"}}, )" + ok_tail + "}"),
       "Invalid value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"Null": {"k": 1}}, )" + ok_tail + "}"),
       "Invalid value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"IpAddress": {"k": "10.0.0.0/33"}}, )" + ok_tail +
           "}"),
       "Invalid value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"IpAddress": {"k": "10.0.0"}}, )" + ok_tail + "}"),
       "Invalid value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"NotIpAddress": {"k": "::1/129"}}, )" + ok_tail +
           "}"),
       "Invalid value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"BinaryEquals": {"k": "abc"}}, )" + ok_tail + "}"),
       "Invalid value"},
      {Doc(R"({"Effect": "Allow", "Condition": {"ArnLike": {"k": "arn:aws:s3"}}, )" + ok_tail +
           "}"),
       "Invalid value"},
  };
  for (const Case& c : cases) {
    const Status s = ParseError(c.json, c.kind);
    EXPECT_EQ(s.code(), Errc::kMalformedPolicy) << c.json;
    EXPECT_NE(s.message().find(c.message), std::string::npos)
        << c.json << "\ngot: " << s.message() << "\nwanted: " << c.message;
  }
}

TEST(Parse, SizeLimit) {
  const std::string base = Doc(R"({"Effect": "Allow", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::*"})");
  const std::string at_limit = base + std::string(20 * 1024 - base.size(), ' ');
  EXPECT_TRUE(Policy::Parse(at_limit, Kind::kIdentity).ok());
  const auto too_big = Policy::Parse(at_limit + " ", Kind::kIdentity);
  EXPECT_EQ(too_big.code(), Errc::kMalformedPolicy);
  EXPECT_NE(too_big.status().message().find("size"), std::string::npos);
  const std::string bucket = Doc(R"({"Effect": "Allow", "Principal": "*",
      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})");
  const std::string bucket_at_limit = bucket + std::string(20 * 1024 - bucket.size(), ' ');
  EXPECT_TRUE(Policy::Parse(bucket_at_limit, Kind::kResource).ok());
  const auto bucket_too_big = Policy::Parse(bucket_at_limit + " ", Kind::kResource);
  EXPECT_NE(bucket_too_big.status().message().find("size"), std::string::npos);
}

TEST(Builtins, ParseAndGrantWhatMinioGrants) {
  std::vector<std::string_view> names;
  for (const BuiltinPolicy& b : BuiltinPolicies()) {
    names.push_back(b.name);
  }
  EXPECT_EQ(names, (std::vector<std::string_view>{"readonly", "readwrite", "writeonly",
                                                  "diagnostics", "consoleAdmin"}));
  const auto builtin = [](std::string_view name) {
    for (const BuiltinPolicy& b : BuiltinPolicies()) {
      if (b.name == name) {
        return MustParse(b.document);
      }
    }
    ADD_FAILURE() << name;
    return Policy();
  };
  const Policy ro = builtin("readonly");
  EXPECT_EQ(Eval(ro, "s3:GetObject", kObject), kAllow);
  EXPECT_EQ(Eval(ro, "s3:GetBucketLocation", "arn:aws:s3:::bucket"), kAllow);
  EXPECT_EQ(Eval(ro, "s3:PutObject", kObject), kNone);
  EXPECT_EQ(Eval(ro, "s3:ListBucket", "arn:aws:s3:::bucket"), kNone);
  const Policy rw = builtin("readwrite");
  EXPECT_EQ(Eval(rw, "s3:PutObject", kObject), kAllow);
  EXPECT_EQ(Eval(rw, "s3:ListAllMyBuckets", ""), kAllow);
  EXPECT_EQ(Eval(rw, "admin:ServerInfo", ""), kNone);
  const Policy wo = builtin("writeonly");
  EXPECT_EQ(Eval(wo, "s3:PutObject", kObject), kAllow);
  EXPECT_EQ(Eval(wo, "s3:GetObject", kObject), kNone);
  const Policy diag = builtin("diagnostics");
  EXPECT_EQ(Eval(diag, "admin:ServerTrace", ""), kAllow);
  EXPECT_EQ(Eval(diag, "admin:OBDInfo", ""), kAllow);
  EXPECT_EQ(Eval(diag, "admin:Prometheus", ""), kAllow);
  EXPECT_EQ(Eval(diag, "admin:Heal", ""), kNone);
  EXPECT_EQ(Eval(diag, "s3:GetObject", kObject), kNone);
  const Policy admin = builtin("consoleAdmin");
  EXPECT_EQ(admin.statement_count(), 3u);
  EXPECT_EQ(Eval(admin, "admin:Heal", ""), kAllow);
  EXPECT_EQ(Eval(admin, "kms:CreateKey", ""), kAllow);
  EXPECT_EQ(Eval(admin, "s3:DeleteBucket", "arn:aws:s3:::bucket"), kAllow);
  EXPECT_EQ(Eval(admin, "sts:AssumeRole", ""), kNone);
}

TEST(BucketPolicy, ResourcesWithin) {
  const auto within = [](std::string_view resources) {
    const Policy p = MustParse(Doc(std::string(R"({"Effect": "Allow", "Principal": "*",
        "Action": "s3:*", "Resource": )") +
                                   std::string(resources) + "}"),
                               Kind::kResource);
    return p.ResourcesWithin("bucket");
  };
  EXPECT_TRUE(within(R"(["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"])"));
  EXPECT_TRUE(within(R"("arn:aws:s3:::bucket/a/b?c")"));
  EXPECT_FALSE(within(R"("arn:aws:s3:::bucket*")"));
  EXPECT_FALSE(within(R"("arn:aws:s3:::buck*")"));
  EXPECT_FALSE(within(R"("arn:aws:s3:::bucket2/*")"));
  EXPECT_FALSE(within(R"("arn:aws:s3:::*")"));
  EXPECT_FALSE(within(R"("*")"));
  EXPECT_FALSE(within(R"(["arn:aws:s3:::bucket/*", "arn:aws:s3:::other"])"));
  const Policy not_resource = MustParse(Doc(R"({"Effect": "Deny", "Principal": "*",
      "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*"})"),
                                        Kind::kResource);
  EXPECT_FALSE(not_resource.ResourcesWithin("bucket"));
  EXPECT_FALSE(Policy().ResourcesWithin("bucket"));
}

TEST(BucketPolicy, IsPublic) {
  const auto is_public = [](std::string_view statement) {
    return MustParse(Doc(statement), Kind::kResource).IsPublic();
  };
  EXPECT_TRUE(is_public(R"({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::bucket/*"})"));
  EXPECT_TRUE(is_public(R"({"Effect": "Allow", "Principal": {"AWS": ["*"]},
      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"})"));
  EXPECT_FALSE(is_public(R"({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::bucket/*"})"));
  EXPECT_FALSE(is_public(R"({"Effect": "Allow", "Principal": {"AWS": "alice"},
      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"})"));
  EXPECT_FALSE(is_public(R"({"Effect": "Allow", "NotPrincipal": "*",
      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"})"));
  EXPECT_FALSE(is_public(R"({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::bucket/*",
      "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})"));
  EXPECT_FALSE(Policy().IsPublic());
}

}  // namespace
}  // namespace cairn::policy
