// The IAM query API's wire format: the form, ARNs, inline policy names, paging, the response
// envelope and IAM's error document.
#include "s3/iam_query.h"

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace iam_query_test_internal {

TEST(IamQuery, ParsesTheForm) {
  auto form = ParseIamForm("Action=CreateUser&Version=2010-05-08&UserName=al%2Bice&Path=%2F");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->Get("Action"), "CreateUser");
  EXPECT_EQ(form->Get("UserName"), "al+ice");
  EXPECT_EQ(*RequiredParam(*form, "UserName"), "al+ice");
  EXPECT_EQ(RequiredParam(*form, "GroupName").code(), Errc::kInvalidArgument);
  EXPECT_EQ(ParseIamForm("UserName=x").code(), Errc::kInvalidArgument);
  EXPECT_EQ(ParseIamForm("Action=X&a=%zz").code(), Errc::kInvalidArgument);
}

TEST(IamQuery, ArnsAndNames) {
  EXPECT_EQ(IamUserArn("alice"), "arn:aws:iam::000000000000:user/alice");
  EXPECT_EQ(IamGroupArn("devs"), "arn:aws:iam::000000000000:group/devs");
  EXPECT_EQ(IamPolicyArn("p"), "arn:aws:iam::000000000000:policy/p");
  EXPECT_EQ(*PolicyNameFromArn("arn:aws:iam::000000000000:policy/p"), "p");
  EXPECT_EQ(*PolicyNameFromArn("arn:aws:iam::aws:policy/team/readonly"), "readonly");
  EXPECT_EQ(PolicyNameFromArn("arn:aws:iam::000000000000:user/p").code(), Errc::kInvalidArgument);
  EXPECT_EQ(PolicyNameFromArn("p").code(), Errc::kInvalidArgument);
  EXPECT_EQ(PolicyNameFromArn("arn:aws:iam::1:policy/").code(), Errc::kInvalidArgument);
  const std::string id = IamEntityId("AIDA", "alice");
  EXPECT_EQ(id.size(), 21u);
  EXPECT_EQ(id, IamEntityId("AIDA", "alice"));
  EXPECT_NE(id, IamEntityId("AIDA", "bob"));
}

TEST(IamQuery, InlinePolicyNames) {
  EXPECT_EQ(InlinePolicyName("alice", false, "s3"), "alice.inline.s3");
  EXPECT_EQ(InlinePolicyName("devs", true, "s3"), "devs.group-inline.s3");
  EXPECT_EQ(InlinePolicyOf("alice.inline.s3", "alice", false), "s3");
  EXPECT_EQ(InlinePolicyOf("alice.inline.s3", "alice", true), std::nullopt);
  EXPECT_EQ(InlinePolicyOf("alice.inline.", "alice", false), std::nullopt);
  EXPECT_EQ(InlinePolicyOf("bob.inline.s3", "alice", false), std::nullopt);
  EXPECT_EQ(InlinePolicyOf("devs.group-inline.x", "devs", true), "x");
  EXPECT_TRUE(IsInlinePolicyName("a.inline.b"));
  EXPECT_TRUE(IsInlinePolicyName("a.group-inline.b"));
  EXPECT_FALSE(IsInlinePolicyName("readwrite"));
}

TEST(IamQuery, Paging) {
  auto form = [](std::string body) { return *ParseIamForm("Action=ListUsers&" + body); };
  auto all = PageOf(form(""), 3);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->begin, 0u);
  EXPECT_EQ(all->end, 3u);
  EXPECT_FALSE(all->truncated);
  auto first = PageOf(form("MaxItems=2"), 3);
  EXPECT_EQ(first->end, 2u);
  EXPECT_TRUE(first->truncated);
  auto next = PageOf(form("MaxItems=2&Marker=2"), 3);
  EXPECT_EQ(next->begin, 2u);
  EXPECT_EQ(next->end, 3u);
  EXPECT_FALSE(next->truncated);
  EXPECT_EQ(PageOf(form("MaxItems=0"), 3).code(), Errc::kInvalidArgument);
  EXPECT_EQ(PageOf(form("Marker=4"), 3).code(), Errc::kInvalidArgument);
  EXPECT_EQ(PageOf(form("Marker=x"), 3).code(), Errc::kInvalidArgument);

  IamXml xml;
  xml.Open("Users").Element("member", "a<b").Close().Paging(*first);
  EXPECT_EQ(xml.str(),
            "<Users><member>a&lt;b</member></Users><IsTruncated>true</IsTruncated>"
            "<Marker>2</Marker>");
}

TEST(IamQuery, ResponseEnvelope) {
  IamXml result;
  result.Open("User").Element("UserName", "alice").Close();
  EXPECT_EQ(IamResponse("CreateUser", result.str(), "RID"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<CreateUserResult><User><UserName>alice</UserName></User></CreateUserResult>"
            "<ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata>"
            "</CreateUserResponse>");
  const std::string empty = IamResponse("DeleteUser", "", "RID");
  EXPECT_EQ(empty.find("DeleteUserResult"), std::string::npos);
  EXPECT_NE(empty.find("<DeleteUserResponse xmlns="), std::string::npos);
}

TEST(IamQuery, Errors) {
  auto e = RenderIamError(Status(Errc::kIamNoSuchUser, "bob"), "RID");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.message, "The user with name bob cannot be found.");
  EXPECT_EQ(e.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
            "<Type>Sender</Type><Code>NoSuchEntity</Code>"
            "<Message>The user with name bob cannot be found.</Message></Error>"
            "<RequestId>RID</RequestId></ErrorResponse>");

  struct Case {
    Errc errc;
    int status;
    std::string_view code;
  };

  for (const Case& c : {Case{Errc::kIamKeyExists, 409, "EntityAlreadyExists"},
                        Case{Errc::kIamPolicyInUse, 409, "DeleteConflict"},
                        Case{Errc::kIamGroupNotEmpty, 409, "DeleteConflict"},
                        Case{Errc::kMalformedPolicy, 400, "MalformedPolicyDocument"},
                        Case{Errc::kInvalidArgument, 400, "ValidationError"},
                        Case{Errc::kNotFound, 400, "InvalidAction"},
                        Case{Errc::kEntityTooLarge, 409, "LimitExceeded"},
                        Case{Errc::kAccessDenied, 403, "AccessDenied"},
                        Case{Errc::kInvalidAccessKeyId, 403, "InvalidClientTokenId"},
                        Case{Errc::kSignatureDoesNotMatch, 403, "SignatureDoesNotMatch"},
                        Case{Errc::kNotImplemented, 501, "NotImplemented"}}) {
    auto r = RenderIamError(Status(c.errc, "has a message"), "RID");
    EXPECT_EQ(r.http_status, c.status) << c.code;
    EXPECT_EQ(r.code, c.code);
  }
  EXPECT_NE(RenderIamError(Status(Errc::kInternal), "R").body.find("<Type>Receiver</Type>"),
            std::string::npos);
}

TEST(IamQuery, Dates) {
  EXPECT_EQ(IamDate(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(IamDate(1'700'000'000'123'000'000), "2023-11-14T22:13:20Z");
}

}  // namespace iam_query_test_internal
}  // namespace cairn::s3
