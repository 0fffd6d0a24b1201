// The STS API's wire format: routing of POST / forms, the service each operation needs, the
// form's parameters and their bounds, and the documents STS answers.
#include "s3/sts.h"

#include <gtest/gtest.h>

#include "s3/router.h"

namespace cairn::s3 {
namespace sts_test_internal {

using namespace std::chrono_literals;

http::Request FormPost(std::string target, std::string content_type) {
  http::Request r;
  r.method = "POST";
  r.target = target;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.headers.emplace_back("host", "localhost:9000");
  if (!content_type.empty()) {
    r.headers.emplace_back("content-type", std::move(content_type));
  }
  return r;
}

Op RouteOf(const http::Request& r) {
  auto route = ParseRoute(r, {});
  EXPECT_TRUE(route.ok()) << route.status().ToString();
  return route.ok() ? route->op : Op::kNotImplemented;
}

TEST(StsRouting, FormPostToTheRootIsSts) {
  EXPECT_EQ(RouteOf(FormPost("/", "application/x-www-form-urlencoded")), Op::kStsAction);
  EXPECT_EQ(RouteOf(FormPost("/", "application/x-www-form-urlencoded; charset=utf-8")),
            Op::kStsAction);
  EXPECT_EQ(RouteOf(FormPost("/", "Application/X-WWW-Form-Urlencoded")), Op::kStsAction);
  // A query, another content type, or a bucket: not STS.
  EXPECT_NE(RouteOf(FormPost("/?Action=AssumeRole", "application/x-www-form-urlencoded")),
            Op::kStsAction);
  EXPECT_NE(RouteOf(FormPost("/", "text/plain")), Op::kStsAction);
  EXPECT_NE(RouteOf(FormPost("/", "")), Op::kStsAction);
  EXPECT_NE(RouteOf(FormPost("/bucket", "application/x-www-form-urlencoded")), Op::kStsAction);
  EXPECT_EQ(OpName(Op::kStsAction), "STS");
}

TEST(StsRouting, RequiredService) {
  EXPECT_EQ(RequiredService(Op::kStsAction), "sts");
  EXPECT_EQ(RequiredService(Op::kGetObject), "s3");
  EXPECT_EQ(RequiredService(Op::kListBuckets), "s3");
  EXPECT_EQ(RequiredService(Op::kNotImplemented), "s3");
}

template <class T>
const sts::StsError& ErrorOf(const sts::StsResult<T>& r) {
  static const sts::StsError kNone;
  const auto* e = std::get_if<sts::StsError>(&r);
  EXPECT_NE(e, nullptr);
  return e != nullptr ? *e : kNone;
}

QueryParams Form(std::string_view body) {
  auto f = sts::ParseForm(body);
  EXPECT_TRUE(std::holds_alternative<QueryParams>(f));
  return std::holds_alternative<QueryParams>(f) ? std::get<QueryParams>(f) : QueryParams();
}

TEST(StsForm, ParsesTheForm) {
  QueryParams f = Form(
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Axxx%3Axxx&RoleSessionName=s+1&"
      "DurationSeconds=900");
  EXPECT_EQ(f.Get("Action"), "AssumeRole");
  EXPECT_EQ(f.Get("RoleArn"), "arn:xxx:xxx");
  EXPECT_EQ(f.Get("RoleSessionName"), "s 1");
  EXPECT_FALSE(sts::CheckVersion(f).has_value());
  EXPECT_EQ(ErrorOf(sts::ParseForm("Action=%zz")).code, "InvalidParameterValue");
  auto missing = sts::CheckVersion(Form("Action=AssumeRole"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->code, "MissingParameter");
  EXPECT_TRUE(sts::CheckVersion(Form("Action=AssumeRole&Version=2010-01-01")).has_value());
}

TEST(StsForm, DurationBounds) {
  auto d = [](std::string_view body) { return sts::ParseDuration(Form(body), 3600s); };
  EXPECT_EQ(std::get<std::chrono::seconds>(d("")), 3600s);
  EXPECT_EQ(std::get<std::chrono::seconds>(d("DurationSeconds=900")), 900s);
  EXPECT_EQ(std::get<std::chrono::seconds>(d("DurationSeconds=43200")), 43200s);
  for (const char* bad : {"DurationSeconds=899", "DurationSeconds=43201",
                          "DurationSeconds=", "DurationSeconds=1h", "DurationSeconds=-900"}) {
    const auto r = d(bad);
    EXPECT_EQ(ErrorOf(r).code, "InvalidParameterValue") << bad;
    EXPECT_EQ(ErrorOf(r).http_status, 400) << bad;
  }
}

TEST(StsForm, SessionPolicy) {
  EXPECT_EQ(std::get<std::string>(sts::SessionPolicy(Form("Action=AssumeRole"))), "");
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],)"
      R"("Resource":["arn:aws:s3:::b/*"]}]})";
  const std::string body = "Policy=" + UriEncode(policy, false);
  EXPECT_EQ(std::get<std::string>(sts::SessionPolicy(Form(body))), policy);
  EXPECT_EQ(ErrorOf(sts::SessionPolicy(Form("Policy=%7Bnot"))).code, "MalformedPolicyDocument");
  const std::string large = "Policy=" + std::string(2049, 'x');
  EXPECT_EQ(ErrorOf(sts::SessionPolicy(Form(large))).code, "InvalidParameterValue");
}

TEST(StsRender, Response) {
  sts::Issued issued;
  issued.access_key = "AK";
  issued.secret_key = "S<K";
  issued.session_token = "T";
  issued.expires_ns = std::int64_t{1700000000} * 1000000000;
  issued.assumed_role_arn = "arn:aws:sts:::assumed-role/u/s";
  issued.assumed_role_id = "AK:s";
  const std::string xml = sts::RenderResponse("AssumeRole", issued, "RID");
  EXPECT_NE(xml.find("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                     "<AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts:::assumed-role/u/s"
                     "</Arn><AssumedRoleId>AK:s</AssumedRoleId></AssumedRoleUser><Credentials>"
                     "<AccessKeyId>AK</AccessKeyId><SecretAccessKey>S&lt;K</SecretAccessKey>"
                     "<SessionToken>T</SessionToken><Expiration>2023-11-14T22:13:20.000Z"
                     "</Expiration></Credentials></AssumeRoleResult><ResponseMetadata>"
                     "<RequestId>RID</RequestId></ResponseMetadata></AssumeRoleResponse>"),
            std::string::npos)
      << xml;
  issued.subject = "alice";
  const std::string web = sts::RenderResponse("AssumeRoleWithWebIdentity", issued, "RID");
  EXPECT_NE(web.find("<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>alice"
                     "</SubjectFromWebIdentityToken><AssumedRoleUser>"),
            std::string::npos)
      << web;
}

TEST(StsRender, Error) {
  EXPECT_EQ(sts::RenderStsError("InvalidIdentityToken", "bad <token>", "RID"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse "
            "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
            "<Code>InvalidIdentityToken</Code><Message>bad &lt;token&gt;</Message></Error>"
            "<RequestId>RID</RequestId></ErrorResponse>");
  EXPECT_NE(sts::RenderStsError("InternalError", "x", "RID", 500).find("<Type>Receiver</Type>"),
            std::string::npos);
}

}  // namespace sts_test_internal
}  // namespace cairn::s3
