#include "s3/tagging.h"

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace tagging_test_internal {

TagSet Tags(std::size_t n) {
  TagSet tags;
  for (std::size_t i = 0; i < n; ++i) {
    tags.push_back(Tag{"k" + std::to_string(i), "v"});
  }
  return tags;
}

TEST(Tagging, ParsesXmlInDocumentOrder) {
  auto tags = ParseTaggingXml(
      "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>"
      "<Tag><Key>b</Key><Value>2</Value></Tag><Tag><Key>a</Key><Value></Value></Tag>"
      "</TagSet></Tagging>",
      TagScope::kObject);
  ASSERT_TRUE(tags.ok()) << tags.status().message();
  EXPECT_EQ(*tags, (TagSet{{"b", "2"}, {"a", ""}}));
  auto empty = ParseTaggingXml("<Tagging><TagSet/></Tagging>", TagScope::kObject);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Tagging, MalformedXml) {
  for (const char* xml : {"", "<Tagging/>", "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet>",
                          "<Tagging><TagSet><Tag><Value>a</Value></Tag></TagSet></Tagging>",
                          "<Other><TagSet/></Other>"}) {
    EXPECT_EQ(ParseTaggingXml(xml, TagScope::kObject).status().code(), Errc::kMalformedXml) << xml;
  }
}

TEST(Tagging, CountLimits) {
  EXPECT_TRUE(ValidateTags(Tags(10), TagScope::kObject).ok());
  const Status eleven = ValidateTags(Tags(11), TagScope::kObject);
  EXPECT_EQ(eleven.code(), Errc::kBadRequest);
  EXPECT_EQ(eleven.message(), "Object tags cannot be greater than 10");
  EXPECT_TRUE(ValidateTags(Tags(50), TagScope::kBucket).ok());
  EXPECT_EQ(ValidateTags(Tags(51), TagScope::kBucket).code(), Errc::kBadRequest);
}

TEST(Tagging, KeyAndValueRules) {
  auto check = [](std::string key, std::string value) {
    return ValidateTags(TagSet{{std::move(key), std::move(value)}}, TagScope::kObject);
  };
  EXPECT_TRUE(check("Project Name", "a+b-c=d.e_f:g/h@i").ok());
  EXPECT_TRUE(check(std::string(128, 'k'), std::string(256, 'v')).ok());
  // Unicode characters count as one each: 128 two-byte letters are fine.
  std::string wide;
  for (int i = 0; i < 128; ++i) {
    wide += "\xc3\xa9";
  }
  EXPECT_TRUE(check(wide, "\xe6\x97\xa5\xe6\x9c\xac").ok());
  EXPECT_EQ(check(wide + "\xc3\xa9", "v").message(),
            "The TagKey you have provided is too long, max 128");
  EXPECT_EQ(check(std::string(129, 'k'), "v").code(), Errc::kInvalidTag);
  EXPECT_EQ(check("k", std::string(257, 'v')).message(),
            "The TagValue you have provided is too long, max 256");
  EXPECT_EQ(check("", "v").message(), "The TagKey you have provided is invalid");
  EXPECT_EQ(check("a&b", "v").code(), Errc::kInvalidTag);
  EXPECT_EQ(check("k", "v!").message(), "The TagValue you have provided is invalid");
  EXPECT_EQ(check("k", "\xff").code(), Errc::kInvalidTag);  // not UTF-8
  EXPECT_EQ(check("aws:foo", "v").code(), Errc::kInvalidTag);
  EXPECT_TRUE(check("k", "").ok());
  const Status dup = ValidateTags(TagSet{{"a", "1"}, {"a", "2"}}, TagScope::kObject);
  EXPECT_EQ(dup.code(), Errc::kInvalidTag);
  EXPECT_EQ(dup.message(), "Cannot provide multiple Tags with the same key");
}

TEST(Tagging, HeaderQueryForm) {
  auto tags = ParseTaggingQuery("a=1&b%20c=x%2By&empty=&bare", TagScope::kObject);
  ASSERT_TRUE(tags.ok()) << tags.status().message();
  EXPECT_EQ(*tags, (TagSet{{"a", "1"}, {"b c", "x+y"}, {"empty", ""}, {"bare", ""}}));
  EXPECT_EQ(ParseTaggingQuery("a=1&a=2", TagScope::kObject).status().code(), Errc::kInvalidTag);
  EXPECT_EQ(ParseTaggingQuery("a=%zz", TagScope::kObject).status().code(), Errc::kInvalidTag);
}

TEST(Tagging, StoredFormRoundTrips) {
  const TagSet tags{{"a b", "c&d=e"}, {"k+", "\xc3\xa9/@"}, {"x", ""}};
  const std::string stored = EncodeStoredTags(tags);
  EXPECT_EQ(stored.find(' '), std::string::npos);
  EXPECT_EQ(DecodeStoredTags(stored), tags);
  EXPECT_EQ(StoredTagCount(stored), 3u);
  EXPECT_EQ(EncodeStoredTags({}), "");
  EXPECT_EQ(StoredTagCount(""), 0u);
  EXPECT_EQ(EncodeStoredTags(TagSet{{"k1", "v1"}, {"k2", "v2"}}), "k1=v1&k2=v2");
}

TEST(Tagging, SetStoredTagsReplacesOrRemoves) {
  object::Metadata md{{"content-type", "text/plain"}, {"x-amz-tagging", "a=1"}};
  SetStoredTags(md, "b=2");
  EXPECT_EQ(md, (object::Metadata{{"content-type", "text/plain"}, {"x-amz-tagging", "b=2"}}));
  SetStoredTags(md, "");
  EXPECT_EQ(md, (object::Metadata{{"content-type", "text/plain"}}));
}

TEST(Tagging, RendersXml) {
  EXPECT_EQ(RenderTaggingXml(TagSet{{"a<", "b"}}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>a&lt;"
            "</Key><Value>b</Value></Tag></TagSet></Tagging>");
}

}  // namespace tagging_test_internal
}  // namespace cairn::s3
