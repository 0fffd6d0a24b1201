// The IAM side of `cairn admin` without a server: the readable output of the user, group,
// policy and service account commands, and the JSON shapes and field parsing they share with
// the server (RFC 3339 times, name lists, typed fields).
#include "admin/admin_iam_format.h"

#include <gtest/gtest.h>

#include "admin/admin_iam_json.h"

namespace cairn::admin {
namespace admin_iam_format_test_internal {

using Json = nlohmann::json;

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(AdminIamFormatTest, Users) {
  EXPECT_EQ(UsersText(Json::object()), "no users\n");
  const Json users = {{"alice", {{"status", "enabled"}, {"policyName", "readwrite,diagnostics"}}},
                      {"bob", {{"status", "disabled"}, {"memberOf", {"devs", "ops"}}}}};
  const std::string text = UsersText(users);
  EXPECT_NE(text.find("ACCESS KEY"), std::string::npos);
  EXPECT_NE(text.find("alice"), std::string::npos);
  EXPECT_NE(text.find("readwrite,diagnostics"), std::string::npos);
  EXPECT_NE(text.find("devs, ops"), std::string::npos);
  EXPECT_EQ(UserText("alice", users["alice"]),
            "access key: alice\nstatus: enabled\npolicies: readwrite,diagnostics\ngroups: -\n"
            "updated: -\n");
}

TEST(AdminIamFormatTest, GroupsAndPolicies) {
  EXPECT_EQ(GroupsText(Json::array()), "no groups\n");
  EXPECT_EQ(GroupsText(Json::array({"devs", "ops"})), "devs\nops\n");
  EXPECT_EQ(
      GroupText(Json{
          {"name", "devs"}, {"status", "enabled"}, {"members", {"alice"}}, {"policy", "readonly"}}),
      "group: devs\nstatus: enabled\nmembers: alice\npolicies: readonly\n");
  EXPECT_EQ(PoliciesText(Json{{"readonly", Json::object()}, {"mine", Json::object()}}),
            "mine\nreadonly\n");
  const std::string info = PolicyText(Json{{"PolicyName", "mine"},
                                           {"Policy", {{"Version", "2012-10-17"}}},
                                           {"CreateDate", "2024-05-01T12:00:00Z"}});
  EXPECT_EQ(info,
            "policy: mine\ncreated: 2024-05-01T12:00:00Z\n{\n  \"Version\": \"2012-10-17\"\n}\n");
  EXPECT_EQ(PolicyAssociationText(Json{{"policiesAttached", {"a", "b"}}}, "alice", ""),
            "Attached a, b to user `alice`.\n");
  EXPECT_EQ(PolicyAssociationText(Json{{"policiesDetached", {"a"}}}, "", "devs"),
            "Detached a from group `devs`.\n");
}

TEST(AdminIamFormatTest, ServiceAccounts) {
  EXPECT_EQ(CredentialsText(Json{{"credentials", {{"accessKey", "AK"}, {"secretKey", "SK"}}}}),
            "Access Key: AK\nSecret Key: SK\nExpiration: no expiry\n");
  EXPECT_EQ(ServiceAccountsText(Json{{"accounts", Json::array()}}), "no service accounts\n");
  const std::string list = ServiceAccountsText(Json{
      {"accounts",
       {{{"accessKey", "AK1"}, {"accountStatus", "on"}, {"expiration", "2030-01-01T00:00:00Z"}},
        {{"accessKey", "AK2"}, {"accountStatus", "off"}, {"name", "app"}}}}});
  EXPECT_NE(list.find("AK1"), std::string::npos);
  EXPECT_NE(list.find("2030-01-01T00:00:00Z"), std::string::npos);
  EXPECT_NE(list.find("never"), std::string::npos);
  EXPECT_NE(list.find("app"), std::string::npos);
  const std::string info =
      ServiceAccountText("AK1", Json{{"parentUser", "alice"},
                                     {"accountStatus", "on"},
                                     {"impliedPolicy", false},
                                     {"policy", R"({"Version":"2012-10-17"})"}});
  EXPECT_NE(info.find("parent user: alice"), std::string::npos);
  EXPECT_NE(info.find("policy: its own"), std::string::npos);
  EXPECT_NE(info.find("\"Version\": \"2012-10-17\""), std::string::npos) << info;
}

TEST(AdminIamFormatTest, Rfc3339) {
  EXPECT_EQ(ParseRfc3339("2024-05-01T12:00:00Z"), 1714564800 * kSecond);
  EXPECT_EQ(ParseRfc3339("2024-05-01T14:00:00+02:00"), 1714564800 * kSecond);
  EXPECT_EQ(ParseRfc3339("2024-05-01T12:00:00.25Z"), 1714564800 * kSecond + kSecond / 4);
  EXPECT_EQ(ParseRfc3339("0001-01-01T00:00:00Z"), 0);  // Go's zero time: no expiry
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_FALSE(ParseRfc3339("2024-05-01"));
  EXPECT_FALSE(ParseRfc3339("2024-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2024-05-01T12:00:00"));
  EXPECT_FALSE(ParseRfc3339("2024-05-01T12:00:00.Z"));
  EXPECT_FALSE(ParseRfc3339("next tuesday"));
}

TEST(AdminIamFormatTest, FieldsAndNames) {
  const Json j = {{"s", "x"},
                  {"n", 1},
                  {"l", {"a", "b"}},
                  {"bad", {"a", 1}},
                  {"p", {{"Version", "2012-10-17"}}},
                  {"ps", "{}"},
                  {"null", nullptr}};
  EXPECT_EQ(*StringField(j, "s"), "x");
  EXPECT_EQ(*StringField(j, "absent"), "");
  EXPECT_EQ(*StringField(j, "null"), "");
  EXPECT_EQ(StringField(j, "n").code(), Errc::kInvalidArgument);
  EXPECT_EQ(*StringListField(j, "l"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(StringListField(j, "bad").code(), Errc::kInvalidArgument);
  EXPECT_EQ(*PolicyField(j, "p"), R"({"Version":"2012-10-17"})");
  EXPECT_EQ(*PolicyField(j, "ps"), "{}");
  EXPECT_EQ(*PolicyField(j, "null"), "");
  EXPECT_EQ(PolicyField(j, "n").code(), Errc::kInvalidArgument);
  EXPECT_EQ(SplitNames(" a, b,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(JoinNames({"a", "b"}), "a,b");
  EXPECT_EQ(SplitNames(""), std::vector<std::string>{});
}

}  // namespace admin_iam_format_test_internal
}  // namespace cairn::admin
