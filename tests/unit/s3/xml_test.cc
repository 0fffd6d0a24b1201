#include "s3/xml.h"

#include <gtest/gtest.h>

#include "fake_exchange.h"
#include "testing/sync_wait.h"

namespace cairn::s3 {
namespace xml_test_internal {

using cairn::testing::SyncWait;

TEST(XmlEscape, EscapesMarkupAndControls) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(XmlEscape(std::string("x\ry\x01z\n\t", 7)), "x&#xD;y&#x1;z\n\t");
  EXPECT_EQ(XmlEscape("plain/\xe2\x82\xac"), "plain/\xe2\x82\xac");
}

TEST(XmlWriter, NestsAndCloses) {
  XmlWriter w;
  w.Open("ListBucketResult").Element("Name", "b&b").Open("Contents").Element("Size", 42);
  w.Bool("IsTruncated", false);
  std::string doc = w.Finish();
  EXPECT_EQ(doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Name>b&amp;b</Name><Contents><Size>42</Size><IsTruncated>false</IsTruncated>"
            "</Contents></ListBucketResult>");
  XmlWriter plain;
  plain.Open("Error", false).Element("Code", "X");
  EXPECT_EQ(plain.Finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>X</Code></Error>");
}

TEST(ParseComplete, ReadsParts) {
  auto parts = ParseCompleteMultipartUpload(
      R"(<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
           <Part><PartNumber>1</PartNumber><ETag>"aa"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>
           <Part><ETag>&quot;bb&quot;</ETag><PartNumber> 2 </PartNumber></Part>
         </CompleteMultipartUpload>)");
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].number, 1);
  EXPECT_EQ((*parts)[0].etag, "\"aa\"");
  ASSERT_EQ((*parts)[0].checksums.size(), 1u);
  EXPECT_EQ((*parts)[0].checksums[0].first, "CRC32");
  EXPECT_EQ((*parts)[0].checksums[0].second, "AAAAAA==");
  EXPECT_EQ((*parts)[1].number, 2);
  EXPECT_EQ((*parts)[1].etag, "\"bb\"");
}

TEST(ParseComplete, RejectsMalformed) {
  for (std::string_view bad : {
           "",
           "not xml",
           "<CompleteMultipartUpload>",
           "<CompleteMultipartUpload></CompleteMultipartUpload>",
           "<Other><Part><PartNumber>1</PartNumber><ETag>a</ETag></Part></Other>",
           "<CompleteMultipartUpload><Part><ETag>a</ETag></Part></CompleteMultipartUpload>",
           "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>a</ETag></Part>"
           "</CompleteMultipartUpload>",
           "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part>"
           "</CompleteMultipartUpload>",
           "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>a</ETag></Part>",
       }) {
    EXPECT_EQ(ParseCompleteMultipartUpload(bad).code(), Errc::kMalformedXml) << bad;
  }
}

TEST(ParseComplete, BoundsPartCount) {
  std::string doc = "<CompleteMultipartUpload>";
  for (int i = 1; i <= 10001; ++i) {
    doc += "<Part><PartNumber>" + std::to_string(i) + "</PartNumber><ETag>e</ETag></Part>";
  }
  doc += "</CompleteMultipartUpload>";
  EXPECT_EQ(ParseCompleteMultipartUpload(doc).code(), Errc::kMalformedXml);
}

TEST(ParseDelete, QuietAndVerbose) {
  auto req = ParseDeleteObjects(
      "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object>"
      "<Object><Key>c</Key><VersionId>v1</VersionId></Object></Delete>");
  ASSERT_TRUE(req.ok());
  EXPECT_TRUE(req->quiet);
  ASSERT_EQ(req->objects.size(), 2u);
  EXPECT_EQ(req->objects[0].key, "a&b");
  EXPECT_EQ(req->objects[1].version_id, "v1");
  auto verbose = ParseDeleteObjects("<Delete><Object><Key>x</Key></Object></Delete>");
  ASSERT_TRUE(verbose.ok());
  EXPECT_FALSE(verbose->quiet);
}

TEST(ParseDelete, RejectsMalformedAndTooMany) {
  EXPECT_EQ(ParseDeleteObjects("<Delete></Delete>").code(), Errc::kMalformedXml);
  EXPECT_EQ(ParseDeleteObjects("<Delete><Object></Object></Delete>").code(), Errc::kMalformedXml);
  EXPECT_EQ(ParseDeleteObjects("<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object>"
                               "</Delete>")
                .code(),
            Errc::kMalformedXml);
  EXPECT_EQ(ParseDeleteObjects("<Delete><Object><Key>a</Key></Object>").code(),
            Errc::kMalformedXml);
  std::string doc = "<Delete>";
  for (int i = 0; i < 1000; ++i) {
    doc += "<Object><Key>k" + std::to_string(i) + "</Key></Object>";
  }
  EXPECT_TRUE(ParseDeleteObjects(doc + "</Delete>").ok());
  doc += "<Object><Key>one-too-many</Key></Object></Delete>";
  EXPECT_EQ(ParseDeleteObjects(doc).code(), Errc::kMalformedXml);
}

TEST(ParseCreateBucket, LocationConstraint) {
  EXPECT_EQ(*ParseCreateBucketConfiguration(""), "");
  EXPECT_EQ(*ParseCreateBucketConfiguration(" \n"), "");
  EXPECT_EQ(*ParseCreateBucketConfiguration(
                R"(<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
                "<LocationConstraint>eu-west-1</LocationConstraint>"
                "</CreateBucketConfiguration>"),
            "eu-west-1");
  EXPECT_EQ(*ParseCreateBucketConfiguration("<CreateBucketConfiguration/>"), "");
  EXPECT_EQ(ParseCreateBucketConfiguration("<Wrong/>").code(), Errc::kMalformedXml);
  EXPECT_EQ(ParseCreateBucketConfiguration("<CreateBucketConfiguration>").code(),
            Errc::kMalformedXml);
}

TEST(ParseXml, EntitiesAreNotExpanded) {
  // A DOCTYPE with entities (billion laughs) must not blow up or expand.
  std::string doc =
      "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">"
      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<Delete><Object><Key>&b;</Key></Object></Delete>";
  auto parsed = ParseDeleteObjects(doc);
  if (parsed.ok()) {
    EXPECT_LT(parsed->objects[0].key.size(), 20u);
  } else {
    EXPECT_EQ(parsed.code(), Errc::kMalformedXml);
  }
}

TEST(ReadXmlBody, BoundsTheBody) {
  testing::StringSource small(std::string(100, 'x'), 7);
  auto body = SyncWait(ReadXmlBody(small, 100));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->size(), 100u);
  testing::StringSource big(std::string(10 << 20, 'x'));
  EXPECT_EQ(SyncWait(ReadXmlBody(big, kMaxDeleteBody)).code(), Errc::kMalformedXml);
  EXPECT_LE(big.consumed(), kMaxDeleteBody + (1 << 20));
}

}  // namespace xml_test_internal
}  // namespace cairn::s3
