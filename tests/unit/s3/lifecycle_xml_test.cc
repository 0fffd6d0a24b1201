#include "s3/lifecycle_xml.h"

#include <limits>

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace lifecycle_xml_test_internal {

namespace lc = object::lifecycle;

std::string Doc(std::string_view rules) {
  return "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
         std::string(rules) + "</LifecycleConfiguration>";
}

Status Parse(std::string_view rules) {
  return ParseLifecycleConfiguration(Doc(rules)).status();
}

TEST(LifecycleXml, ParsesEveryAction) {
  auto config = ParseLifecycleConfiguration(
      Doc("<Rule><ID>logs</ID><Filter><And><Prefix>logs/</Prefix>"
          "<Tag><Key>k</Key><Value>v</Value></Tag>"
          "<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter>"
          "<Status>Enabled</Status><Expiration><Days>30</Days></Expiration>"
          "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>"
          "<NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>"
          "</Rule>"
          "<Rule><ID>old</ID><Prefix>tmp/</Prefix><Status>Disabled</Status>"
          "<Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>"
          "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation>"
          "</AbortIncompleteMultipartUpload></Rule>"
          "<Rule><Filter></Filter><Status>Enabled</Status>"
          "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>"
          "</Expiration></Rule>"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->rules.size(), 3u);
  const lc::Rule& a = config->rules[0];
  EXPECT_EQ(a.id, "logs");
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.filter.prefix, "logs/");
  EXPECT_EQ(a.filter.tags, (lc::Tags{{"k", "v"}}));
  EXPECT_EQ(a.filter.size_greater_than, 10);
  EXPECT_EQ(a.expiration_days, 30);
  EXPECT_EQ(a.noncurrent_days, 7);
  EXPECT_EQ(a.newer_noncurrent_versions, 3);
  const lc::Rule& b = config->rules[1];
  EXPECT_FALSE(b.enabled);
  EXPECT_TRUE(b.legacy_prefix);
  EXPECT_EQ(b.expiration_date, 1893456000);
  EXPECT_EQ(b.abort_upload_days, 2);
  EXPECT_TRUE(config->rules[2].expired_object_delete_marker);
  // Canonical rendering round-trips.
  const std::string rendered = RenderLifecycleConfiguration(*config);
  auto again = ParseLifecycleConfiguration(rendered);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << rendered;
  EXPECT_EQ(RenderLifecycleConfiguration(*again), rendered);
  EXPECT_NE(rendered.find("<Prefix>tmp/</Prefix><Status>Disabled</Status>"), std::string::npos);
  EXPECT_NE(rendered.find("<Date>2030-01-01T00:00:00.000Z</Date>"), std::string::npos);
}

TEST(LifecycleXml, RefusesWhatAwsRefuses) {
  const std::string exp = "<Expiration><Days>1</Days></Expiration>";
  EXPECT_EQ(ParseLifecycleConfiguration("<X/>").code(), Errc::kMalformedXml);
  EXPECT_EQ(Parse("").code(), Errc::kMalformedXml);
  EXPECT_EQ(Parse("<Rule><Filter/><Status>On</Status>" + exp + "</Rule>").code(),
            Errc::kMalformedXml);
  EXPECT_EQ(Parse("<Rule><Filter/><Status>Enabled</Status></Rule>").code(), Errc::kInvalidRequest);
  EXPECT_EQ(Parse("<Rule><ID>" + std::string(256, 'i') + "</ID><Filter/><Status>Enabled</Status>" +
                  exp + "</Rule>")
                .code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(Parse("<Rule><ID>a</ID><Filter/><Status>Enabled</Status>" + exp +
                  "</Rule><Rule><ID>a</ID><Filter/><Status>Enabled</Status>" + exp + "</Rule>")
                .message(),
            "Rule ID must be unique. Found same ID for more than one rule");
  EXPECT_EQ(
      Parse("<Rule><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>")
          .code(),
      Errc::kInvalidArgumentS3);
  EXPECT_EQ(Parse("<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days>"
                  "<Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>")
                .code(),
            Errc::kMalformedXml);
  EXPECT_EQ(Parse("<Rule><Filter/><Status>Enabled</Status><Expiration>"
                  "<Date>2030-01-01T10:00:00Z</Date></Expiration></Rule>")
                .message(),
            "'Date' must be at midnight GMT");
  EXPECT_EQ(Parse("<Rule><Status>Enabled</Status><Filter><Prefix>a</Prefix>"
                  "<Tag><Key>k</Key><Value>v</Value></Tag></Filter>" +
                  exp + "</Rule>")
                .code(),
            Errc::kMalformedXml);
  EXPECT_EQ(Parse("<Rule><Status>Enabled</Status><Prefix/><Filter/>" + exp + "</Rule>").code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(
      Parse("<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>"
            "-1</NoncurrentDays></NoncurrentVersionExpiration></Rule>")
          .code(),
      Errc::kInvalidArgumentS3);
  EXPECT_EQ(Parse("<Rule><Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value>"
                  "</Tag></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1"
                  "</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>")
                .code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(Parse("<Rule><Status>Enabled</Status><Filter><ObjectSizeGreaterThan>10"
                  "</ObjectSizeGreaterThan><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>" +
                  exp + "</Rule>")
                .code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(
      Parse("<Rule><Filter/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER"
            "</StorageClass></Transition></Rule>")
          .code(),
      Errc::kNotImplemented);
  // A rule names what it applies to.
  EXPECT_EQ(Parse("<Rule><Status>Enabled</Status>" + exp + "</Rule>").code(), Errc::kMalformedXml);
  EXPECT_EQ(
      Parse("<Rule><Filter><And></And></Filter><Status>Enabled</Status>" + exp + "</Rule>").code(),
      Errc::kMalformedXml);
  EXPECT_EQ(Parse("<Rule><Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key>"
                  "<Value>2</Value></Tag></And></Filter><Status>Enabled</Status>" +
                  exp + "</Rule>")
                .message(),
            "Duplicate Tag Keys are not allowed.");
  EXPECT_EQ(Parse("<Rule><Filter><Tag><Key>" + std::string(129, 'k') +
                  "</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>" + exp + "</Rule>")
                .code(),
            Errc::kInvalidArgumentS3);
  std::string many;
  for (int i = 0; i < 1001; ++i) {
    many += "<Rule><Filter/><Status>Enabled</Status>" + exp + "</Rule>";
  }
  EXPECT_EQ(Parse(many).code(), Errc::kMalformedXml);
}

TEST(LifecycleXml, Iso8601AndExpirationHeader) {
  EXPECT_EQ(ParseIso8601Seconds("1970-01-02T00:00:00Z"), 86400);
  EXPECT_EQ(ParseIso8601Seconds("2012-12-23T00:00:00.000Z"), 1356220800);
  EXPECT_EQ(ParseIso8601Seconds("2012-12-23T00:00:00+00:00"), 1356220800);
  EXPECT_FALSE(ParseIso8601Seconds("2012-13-23T00:00:00Z").has_value());
  EXPECT_EQ(ParseIso8601Seconds("2012-12-23"), 1356220800);
  EXPECT_EQ(ParseIso8601Seconds("2012-12-23T02:00:00+02:00"), 1356220800);
  EXPECT_EQ(ParseIso8601Seconds("2012-12-22T22:00:00-02:00"), 1356220800);
  EXPECT_FALSE(ParseIso8601Seconds("2012-12-23T00:00:00.5Z").has_value());
  EXPECT_FALSE(ParseIso8601Seconds("2012-12-23T00:00:00").has_value());
  EXPECT_FALSE(ParseIso8601Seconds("2012-12-23T").has_value());
  EXPECT_FALSE(ParseIso8601Seconds("-012-12-23T00:00:00Z").has_value());
  // A far Date renders as sent and expires "never" (the end of the nanosecond range).
  auto far = ParseLifecycleConfiguration(
      Doc("<Rule><Filter/><Status>Enabled</Status><Expiration><Date>9999-12-31T00:00:00Z</Date>"
          "</Expiration></Rule>"));
  ASSERT_TRUE(far.ok()) << far.status().ToString();
  EXPECT_NE(RenderLifecycleConfiguration(*far).find("<Date>9999-12-31T00:00:00.000Z</Date>"),
            std::string::npos);
  lc::VersionFacts v;
  v.key = "k";
  EXPECT_EQ(lc::CurrentExpiration(*far, v, lc::kDefaultDaySeconds).due_ns,
            std::numeric_limits<std::int64_t>::max());
  lc::Event e{lc::Action::kExpireCurrent, std::int64_t{1356220800} * 1'000'000'000,
              "picture-deletion-rule"};
  EXPECT_EQ(ExpirationHeaderValue(e),
            "expiry-date=\"Sun, 23 Dec 2012 00:00:00 GMT\", rule-id=\"picture-deletion-rule\"");
}

}  // namespace lifecycle_xml_test_internal
}  // namespace cairn::s3
