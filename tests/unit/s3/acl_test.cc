#include "s3/acl.h"

#include <gtest/gtest.h>

namespace cairn::s3::acl {
namespace acl_test_internal {

const std::string kOwner(64, 'a');
const std::string kOther(64, 'b');

// Knows the two ids above, and "bob" as kOther's user name.
Result<std::string> Resolve(std::string_view id) {
  if (id == kOwner || id == kOther) {
    return std::string(id);
  }
  if (id == "bob") {
    return kOther;
  }
  return Status(Errc::kInvalidArgumentS3, "Invalid id");
}

TEST(Acl, CannedAcls) {
  auto a = Canned("public-read", kOwner, kOwner);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->owner, kOwner);
  EXPECT_TRUE(Permits(*a, "", Permission::kRead));
  EXPECT_FALSE(Permits(*a, "", Permission::kWrite));
  EXPECT_TRUE(Permits(*a, kOwner, Permission::kFullControl));
  EXPECT_TRUE(IsPublic(*a));

  auto rw = Canned("public-read-write", kOwner, kOwner);
  ASSERT_TRUE(rw.ok());
  EXPECT_TRUE(Permits(*rw, "", Permission::kWrite));
  EXPECT_FALSE(Permits(*rw, "", Permission::kReadAcp));

  auto auth = Canned("authenticated-read", kOwner, kOwner);
  ASSERT_TRUE(auth.ok());
  EXPECT_FALSE(Permits(*auth, "", Permission::kRead));
  EXPECT_TRUE(Permits(*auth, kOther, Permission::kRead));

  // The bucket owner's canned ACLs name the bucket owner only when it is another.
  auto bofc = Canned("bucket-owner-full-control", kOther, kOwner);
  ASSERT_TRUE(bofc.ok());
  EXPECT_TRUE(Permits(*bofc, kOwner, Permission::kWriteAcp));
  auto same = Canned("bucket-owner-full-control", kOwner, kOwner);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(IsPrivate(*same));
  auto bor = Canned("bucket-owner-read", kOther, kOwner);
  ASSERT_TRUE(bor.ok());
  EXPECT_TRUE(Permits(*bor, kOwner, Permission::kRead));
  EXPECT_FALSE(Permits(*bor, kOwner, Permission::kWrite));

  EXPECT_TRUE(IsPrivate(*Canned("private", kOwner, kOwner)));
  EXPECT_EQ(Canned("everyone", kOwner, kOwner).status().code(), Errc::kInvalidArgumentS3);
}

TEST(Acl, OwnerKeepsAclAccess) {
  Acl a{kOwner, {}};  // no grants at all
  EXPECT_TRUE(Permits(a, kOwner, Permission::kReadAcp));
  EXPECT_TRUE(Permits(a, kOwner, Permission::kWriteAcp));
  EXPECT_FALSE(Permits(a, kOwner, Permission::kRead));
  EXPECT_FALSE(Permits(a, "", Permission::kReadAcp));
}

TEST(Acl, GrantHeaders) {
  auto g = ParseGrantHeader(Permission::kRead,
                            "id=\"bob\", uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
                            Resolve);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ(g->size(), 2u);
  EXPECT_EQ((*g)[0], (Grant{GranteeType::kUser, kOther, Permission::kRead}));
  EXPECT_EQ((*g)[1].type, GranteeType::kAllUsers);
  // Unquoted values, and blanks.
  auto u = ParseGrantHeader(Permission::kWrite, " id = " + kOwner, Resolve);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ((*u)[0].id, kOwner);

  EXPECT_EQ(ParseGrantHeader(Permission::kRead, "id=\"nobody\"", Resolve).status().code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(ParseGrantHeader(Permission::kRead, "emailAddress=\"a@b.c\"", Resolve).status().code(),
            Errc::kUnresolvableGrantByEmail);
  EXPECT_EQ(
      ParseGrantHeader(Permission::kRead, "uri=\"http://example.com/x\"", Resolve).status().code(),
      Errc::kInvalidArgumentS3);
  for (std::string_view bad : {"", "id", "id=\"open", "name=x", "id=\"bob\" x"}) {
    EXPECT_FALSE(ParseGrantHeader(Permission::kRead, bad, Resolve).ok()) << bad;
  }
}

TEST(Acl, XmlRoundTrip) {
  Acl a = Private(kOwner);
  a.grants.push_back(Grant{GranteeType::kUser, kOther, Permission::kReadAcp});
  a.grants.push_back(Grant{GranteeType::kAuthenticatedUsers, "", Permission::kRead});
  const std::string xml = RenderXml(
      a, [](std::string_view id) { return id == kOther ? std::string("bob") : std::string(); });
  EXPECT_NE(xml.find("<DisplayName>bob</DisplayName>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("xsi:type=\"Group\""), std::string::npos) << xml;
  auto back = ParseXml(xml, kOwner, Resolve);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, a);
  // Without xsi:type the child element says what the grantee is; no Owner is fine.
  auto plain = ParseXml(
      "<AccessControlPolicy><AccessControlList><Grant><Grantee><URI>"
      "http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ"
      "</Permission></Grant></AccessControlList></AccessControlPolicy>",
      kOwner, Resolve);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(Permits(*plain, "", Permission::kRead));
}

TEST(Acl, XmlErrors) {
  EXPECT_EQ(ParseXml("<nope/>", kOwner, Resolve).status().code(), Errc::kMalformedAcl);
  EXPECT_EQ(ParseXml("<AccessControlPolicy>", kOwner, Resolve).status().code(),
            Errc::kMalformedAcl);
  EXPECT_EQ(ParseXml("<AccessControlPolicy/>", kOwner, Resolve).status().code(),
            Errc::kMalformedAcl);
  EXPECT_EQ(ParseXml("<AccessControlPolicy><Owner><ID>" + kOther +
                         "</ID></Owner><AccessControlList/></AccessControlPolicy>",
                     kOwner, Resolve)
                .status()
                .code(),
            Errc::kAccessDenied);
  EXPECT_EQ(ParseXml("<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>" + kOther +
                         "</ID></Grantee><Permission>EVERYTHING</Permission></Grant>"
                         "</AccessControlList></AccessControlPolicy>",
                     kOwner, Resolve)
                .status()
                .code(),
            Errc::kMalformedAcl);
  EXPECT_EQ(ParseXml("<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>nobody</ID>"
                     "</Grantee><Permission>READ</Permission></Grant></AccessControlList>"
                     "</AccessControlPolicy>",
                     kOwner, Resolve)
                .status()
                .code(),
            Errc::kInvalidArgumentS3);
}

TEST(Acl, StoredForm) {
  Acl a = Private(kOther);
  a.grants.push_back(Grant{GranteeType::kAllUsers, "", Permission::kWrite});
  a.grants.push_back(Grant{GranteeType::kLogDelivery, "", Permission::kReadAcp});
  EXPECT_EQ(Decode(Encode(a), kOwner), a);
  // Nothing stored, or something unreadable: the default owner's private ACL.
  EXPECT_EQ(Decode("", kOwner), Private(kOwner));
  EXPECT_EQ(Decode("{not json", kOwner), Private(kOwner));
  EXPECT_EQ(Decode("[1]", kOwner), Private(kOwner));
}

TEST(Acl, Ownership) {
  EXPECT_EQ(StoredOwnership(""), Ownership::kBucketOwnerEnforced);
  EXPECT_EQ(StoredOwnership(kOwnershipDeleted), Ownership::kObjectWriter);
  EXPECT_EQ(StoredOwnership("BucketOwnerPreferred"), Ownership::kBucketOwnerPreferred);
  auto o = ParseOwnershipControls(RenderOwnershipControls(Ownership::kObjectWriter));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o, Ownership::kObjectWriter);
  EXPECT_FALSE(ParseOwnershipControls("<OwnershipControls/>").ok());
  EXPECT_FALSE(ParseOwnershipControls("<OwnershipControls><Rule><ObjectOwnership>Mine"
                                      "</ObjectOwnership></Rule></OwnershipControls>")
                   .ok());
}

}  // namespace acl_test_internal
}  // namespace cairn::s3::acl
