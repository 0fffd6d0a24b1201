// POST Object policies: parsing, checking the form against them, and the form's signatures.
#include "auth/post_policy.h"

#include <gtest/gtest.h>

namespace cairn::auth {
namespace {

using std::chrono::system_clock;

constexpr const char* kAccess = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
// {"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"}]}, and its signatures as
// Python's hmac module computes them (SigV4 for 20151229/us-east-1, SigV2).
constexpr const char* kPolicy =
    "eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMFoiLCJjb25kaXRpb25zIjpbeyJidWNrZXQiOiJiIn1dfQ"
    "==";
constexpr const char* kV4Signature =
    "66b1278d66a49830289e5a40f963416fa08104449b3647a619448bc2b16e3753";
constexpr const char* kV2Signature = "LAl1Yg+MO/WAUV0X8iQqagBt7vk=";

system_clock::time_point At(int y, int mon, int d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return time_point_cast<system_clock::duration>(
      sys_days{year{y} / month{static_cast<unsigned>(mon)} / day{static_cast<unsigned>(d)}} +
      hours{h} + minutes{mi} + seconds{s});
}

PostPolicy MustParse(std::string_view json) {
  auto p = ParsePostPolicy(json);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : PostPolicy{};
}

TEST(ParsePostPolicy, ReadsExpirationAndConditions) {
  PostPolicy p = MustParse(R"({"expiration": "2026-12-06T17:30:00.500Z",
    "conditions": [{"bucket": "photos"}, ["starts-with", "$Key", "user/"],
                   ["EQ", "$x-amz-meta-tag", "v"], ["content-length-range", 10, "2048"],
                   {"$Content-Type": "image/png"}]})");
  EXPECT_EQ(p.expiration, At(2026, 12, 6, 17, 30, 0) + std::chrono::milliseconds(500));
  ASSERT_EQ(p.conditions.size(), 4u);
  EXPECT_EQ(p.conditions[0].field, "bucket");
  EXPECT_EQ(p.conditions[0].op, PostPolicyCondition::Op::kEq);
  EXPECT_EQ(p.conditions[0].value, "photos");
  EXPECT_EQ(p.conditions[1].field, "key");
  EXPECT_EQ(p.conditions[1].op, PostPolicyCondition::Op::kStartsWith);
  EXPECT_EQ(p.conditions[1].value, "user/");
  EXPECT_EQ(p.conditions[2].field, "x-amz-meta-tag");
  EXPECT_EQ(p.conditions[2].op, PostPolicyCondition::Op::kEq);
  EXPECT_EQ(p.conditions[3].field, "content-type");
  ASSERT_TRUE(p.length_range);
  EXPECT_EQ(p.length_range->first, 10);
  EXPECT_EQ(p.length_range->second, 2048);
  EXPECT_EQ(MustParse(R"({"expiration":"2026-01-01T00:00:00Z","conditions":[]})").expiration,
            At(2026, 1, 1));
}

TEST(ParsePostPolicy, RefusesMalformedPolicies) {
  for (std::string_view bad : {
           "not json",
           "[]",
           R"({"conditions": []})",
           R"({"expiration": "2026-12-06", "conditions": []})",
           R"({"expiration": "2026-13-06T00:00:00Z", "conditions": []})",
           R"({"expiration": "2026-12-06T00:00:00+01:00", "conditions": []})",
           R"({"expiration": 5, "conditions": []})",
           R"({"expiration": "2026-12-06T00:00:00Z"})",
           R"({"expiration": "2026-12-06T00:00:00Z", "conditions": {}})",
           R"({"expiration": "2026-12-06T00:00:00Z", "conditions": [["eq", "$key"]]})",
           R"({"expiration": "2026-12-06T00:00:00Z", "conditions": [["like", "$key", "a"]]})",
           R"({"expiration": "2026-12-06T00:00:00Z", "conditions": [["eq", "key", "a"]]})",
           R"({"expiration": "2026-12-06T00:00:00Z", "conditions": [["eq", "$key", 5]]})",
           R"({"expiration": "2026-12-06T00:00:00Z", "conditions": [{"key": 5}]})",
           R"({"expiration": "2026-12-06T00:00:00Z", "conditions": ["key"]})",
           R"({"expiration": "2026-12-06T00:00:00Z",
               "conditions": [["content-length-range", 10, 5]]})",
           R"({"expiration": "2026-12-06T00:00:00Z",
               "conditions": [["content-length-range", "a", 5]]})",
       }) {
    auto p = ParsePostPolicy(bad);
    EXPECT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.code(), Errc::kInvalidPolicyDocument) << bad;
  }
}

class CheckPostPolicyTest : public ::testing::Test {
 protected:
  Status Check(const FormFields& fields, std::string_view bucket = "photos") {
    return CheckPostPolicy(policy_, fields, bucket, At(2026, 12, 6, 12));
  }

  PostPolicy policy_ = MustParse(R"({"expiration": "2026-12-06T17:00:00Z",
    "conditions": [{"bucket": "photos"}, ["starts-with", "$key", "user/"],
                   ["starts-with", "$Content-Type", "image/"], {"x-amz-meta-tag": "blue"},
                   {"x-amz-credential": "cred"}]})");
};

TEST_F(CheckPostPolicyTest, AcceptsAFormThatMeetsEveryCondition) {
  EXPECT_TRUE(Check({{"key", "user/a.png"},
                     {"content-type", "image/png"},
                     {"x-amz-meta-tag", "blue"},
                     {"x-amz-credential", "cred"},
                     {"policy", "..."},
                     {"x-amz-signature", "..."},
                     {"x-ignore-me", "anything"}})
                  .ok());
}

TEST_F(CheckPostPolicyTest, ChecksEachContentTypeOfAList) {
  FormFields fields = {{"key", "user/a"},
                       {"content-type", "image/png, image/jpeg"},
                       {"x-amz-meta-tag", "blue"},
                       {"x-amz-credential", "cred"}};
  EXPECT_TRUE(Check(fields).ok());
  fields[1].second = "image/png, text/plain";
  EXPECT_EQ(Check(fields).code(), Errc::kPostPolicyDenied);
}

TEST_F(CheckPostPolicyTest, RefusesWhatThePolicyDoesNotAllow) {
  const FormFields good = {{"key", "user/a"},
                           {"content-type", "image/png"},
                           {"x-amz-meta-tag", "blue"},
                           {"x-amz-credential", "cred"}};
  // Expired.
  Status st = CheckPostPolicy(policy_, good, "photos", At(2026, 12, 6, 17));
  EXPECT_EQ(st.code(), Errc::kPostPolicyDenied);
  EXPECT_EQ(st.message(), "Invalid according to Policy: Policy expired.");
  // Another bucket.
  st = Check(good, "other");
  EXPECT_EQ(st.code(), Errc::kPostPolicyDenied);
  EXPECT_EQ(st.message(),
            R"(Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "photos"])");
  // A key outside the prefix, a value that differs, a missing field.
  FormFields f = good;
  f[0].second = "admin/a";
  EXPECT_EQ(Check(f).code(), Errc::kPostPolicyDenied);
  f = good;
  f[2].second = "red";
  EXPECT_EQ(Check(f).code(), Errc::kPostPolicyDenied);
  f = good;
  f.erase(f.begin() + 2);
  EXPECT_EQ(Check(f).code(), Errc::kPostPolicyDenied);
  // A field no condition names.
  f = good;
  f.emplace_back("x-amz-meta-extra", "1");
  f.emplace_back("cache-control", "no-cache");
  st = Check(f);
  EXPECT_EQ(st.code(), Errc::kPostPolicyDenied);
  EXPECT_EQ(st.message(),
            "Invalid according to Policy: Extra input fields: x-amz-meta-extra, cache-control");
  // A field twice.
  f = good;
  f.emplace_back("key", "user/b");
  EXPECT_EQ(Check(f).code(), Errc::kPostPolicyDenied);
}

// A fixed credential store for the signature tests.
class Creds final : public CredentialProvider {
 public:
  std::optional<std::string> SecretKey(std::string_view access_key) const override {
    if (access_key == kAccess) {
      return std::string(kSecret);
    }
    return std::nullopt;
  }
};

FormFields V4Form() {
  return {{"key", "a"},
          {"x-amz-algorithm", "AWS4-HMAC-SHA256"},
          {"x-amz-credential", std::string(kAccess) + "/20151229/us-east-1/s3/aws4_request"},
          {"x-amz-date", "20151229T000000Z"},
          {"policy", kPolicy},
          {"x-amz-signature", kV4Signature}};
}

void Set(FormFields& fields, std::string_view name, std::string value) {
  for (auto& [k, v] : fields) {
    if (k == name) {
      v = std::move(value);
    }
  }
}

TEST(PostSignature, SignsLikeAws) {
  EXPECT_EQ(SignPostPolicyV4(kPolicy, kSecret, "20151229", "us-east-1"), kV4Signature);
  EXPECT_EQ(SignPostPolicyV2(kPolicy, kSecret), kV2Signature);
}

TEST(PostSignature, VerifiesV4) {
  Creds creds;
  auto ok = VerifyPostSignature(V4Form(), creds);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_FALSE(ok->anonymous);
  EXPECT_EQ(ok->version, 4);
  EXPECT_EQ(ok->access_key, kAccess);

  FormFields f = V4Form();
  Set(f, "x-amz-signature", std::string(64, '0'));
  EXPECT_EQ(VerifyPostSignature(f, creds).code(), Errc::kSignatureDoesNotMatch);
  f = V4Form();
  Set(f, "policy", std::string(kPolicy) + "x");
  EXPECT_EQ(VerifyPostSignature(f, creds).code(), Errc::kSignatureDoesNotMatch);
  f = V4Form();
  Set(f, "x-amz-credential", "NOBODY/20151229/us-east-1/s3/aws4_request");
  EXPECT_EQ(VerifyPostSignature(f, creds).code(), Errc::kInvalidAccessKeyId);
  f = V4Form();
  Set(f, "x-amz-credential", "broken");
  EXPECT_EQ(VerifyPostSignature(f, creds).code(), Errc::kAuthorizationQueryParametersError);
  f = V4Form();
  Set(f, "x-amz-algorithm", "AWS4-ECDSA-P256-SHA256");
  EXPECT_EQ(VerifyPostSignature(f, creds).code(), Errc::kUnsupportedSignature);
  f = V4Form();
  Set(f, "x-amz-date", "yesterday");
  EXPECT_EQ(VerifyPostSignature(f, creds).code(), Errc::kMalformedDate);
  f = V4Form();
  f.erase(f.begin() + 4);  // no policy
  EXPECT_EQ(VerifyPostSignature(f, creds).code(), Errc::kInvalidArgumentS3);
}

TEST(PostSignature, VerifiesV2AndAnonymous) {
  Creds creds;
  FormFields f = {
      {"key", "a"}, {"awsaccesskeyid", kAccess}, {"policy", kPolicy}, {"signature", kV2Signature}};
  auto ok = VerifyPostSignature(f, creds);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->version, 2);
  EXPECT_EQ(ok->access_key, kAccess);
  Set(f, "signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  EXPECT_EQ(VerifyPostSignature(f, creds).code(), Errc::kSignatureDoesNotMatch);

  auto anonymous = VerifyPostSignature({{"key", "a"}, {"policy", kPolicy}}, creds);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_TRUE(anonymous->anonymous);
}

}  // namespace
}  // namespace cairn::auth
