#include "s3/object_lock.h"

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace object_lock_test_internal {

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

std::string Config(std::string_view rule) {
  return "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
         "<ObjectLockEnabled>Enabled</ObjectLockEnabled>" +
         std::string(rule) + "</ObjectLockConfiguration>";
}

TEST(ObjectLock, ParsesConfigurations) {
  auto plain = ParseObjectLockConfiguration(Config(""));
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_TRUE(plain->mode.empty());
  auto days = ParseObjectLockConfiguration(
      Config("<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>3</Days></DefaultRetention>"
             "</Rule>"));
  ASSERT_TRUE(days.ok()) << days.status().message();
  EXPECT_EQ(days->mode, "GOVERNANCE");
  EXPECT_EQ(days->days, 3);
  auto years = ParseObjectLockConfiguration(
      Config("<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>2</Years></DefaultRetention>"
             "</Rule>"));
  ASSERT_TRUE(years.ok());
  EXPECT_EQ(years->years, 2);
  // Rendering and parsing again gives the same rule.
  auto again = ParseObjectLockConfiguration(RenderObjectLockConfiguration(*years));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->mode, "COMPLIANCE");
  EXPECT_EQ(again->years, 2);
  EXPECT_NE(RenderObjectLockConfiguration(LockConfiguration{})
                .find("<ObjectLockEnabled>Enabled</ObjectLockEnabled>"),
            std::string::npos);
}

TEST(ObjectLock, ConfigurationErrors) {
  for (const char* rule :
       {"<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>"
        "</DefaultRetention></Rule>",
        "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule>",
        "<Rule><DefaultRetention><Mode>governance</Mode><Days>1</Days></DefaultRetention></Rule>",
        "<Rule><DefaultRetention><Days>1</Days></DefaultRetention></Rule>", "<Rule></Rule>",
        "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>x</Days></DefaultRetention>"
        "</Rule>"}) {
    EXPECT_EQ(ParseObjectLockConfiguration(Config(rule)).status().code(), Errc::kMalformedXml)
        << rule;
  }
  for (const char* rule :
       {"<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule>",
        "<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>-1</Years></DefaultRetention>"
        "</Rule>"}) {
    EXPECT_EQ(ParseObjectLockConfiguration(Config(rule)).status().code(),
              Errc::kInvalidRetentionPeriod)
        << rule;
  }
  EXPECT_EQ(ParseObjectLockConfiguration(
                "<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled>"
                "</ObjectLockConfiguration>")
                .status()
                .code(),
            Errc::kMalformedXml);
  EXPECT_EQ(ParseObjectLockConfiguration("<ObjectLockConfiguration/>").status().code(),
            Errc::kMalformedXml);
}

TEST(ObjectLock, RetainUntilDates) {
  EXPECT_EQ(ParseRetainUntil("2027-01-15T08:00:00Z"), kNow);
  EXPECT_EQ(ParseRetainUntil("2027-01-15T08:00:00.000Z"), kNow);
  EXPECT_EQ(ParseRetainUntil("2027-01-15T08:00:00.25Z"), kNow + 1);  // rounds up
  EXPECT_EQ(ParseRetainUntil("2027-01-15"), std::nullopt);
  EXPECT_EQ(ParseRetainUntil("tomorrow"), std::nullopt);
}

TEST(ObjectLock, RetentionAndLegalHoldDocuments) {
  auto r = ParseRetentionXml(
      "<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2027-01-16T00:00:00Z</RetainUntilDate>"
      "</Retention>",
      kNow);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->mode, "COMPLIANCE");
  EXPECT_EQ(r->until, "2027-01-16T00:00:00Z");
  EXPECT_GT(r->until_s, kNow);
  auto none = ParseRetentionXml("<Retention/>", kNow);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->mode.empty());
  EXPECT_EQ(
      ParseRetentionXml("<Retention><Mode>COMPLIANCE</Mode></Retention>", kNow).status().code(),
      Errc::kMalformedXml);
  EXPECT_EQ(ParseRetentionXml("<Retention><Mode>X</Mode><RetainUntilDate>2027-01-16T00:00:00Z"
                              "</RetainUntilDate></Retention>",
                              kNow)
                .status()
                .code(),
            Errc::kMalformedXml);
  EXPECT_EQ(ParseRetentionXml("<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2020-01-01T00:"
                              "00:00Z</RetainUntilDate></Retention>",
                              kNow)
                .status()
                .code(),
            Errc::kInvalidArgumentS3);
  auto hold = ParseLegalHoldXml("<LegalHold><Status>ON</Status></LegalHold>");
  ASSERT_TRUE(hold.ok());
  EXPECT_EQ(*hold, "ON");
  EXPECT_EQ(ParseLegalHoldXml("<LegalHold><Status>on</Status></LegalHold>").status().code(),
            Errc::kMalformedXml);
  EXPECT_EQ(ParseLegalHoldXml("<LegalHold/>").status().code(), Errc::kMalformedXml);
  EXPECT_NE(RenderLegalHoldXml("OFF").find("<Status>OFF</Status>"), std::string::npos);
}

object::Metadata Locked(std::string_view mode, std::string_view until) {
  object::Metadata md;
  md.emplace_back(kLockModeMeta, mode);
  md.emplace_back(kLockUntilMeta, until);
  return md;
}

Retention Next(std::string mode, std::int64_t until_s) {
  Retention r;
  r.mode = std::move(mode);
  r.until_s = until_s;
  r.until = "x";
  return r;
}

TEST(ObjectLock, RetentionChanges) {
  const auto gov = Locked("GOVERNANCE", "2027-01-16T00:00:00Z");
  const auto comp = Locked("COMPLIANCE", "2027-01-16T00:00:00Z");
  const std::int64_t until = *ParseRetainUntil("2027-01-16T00:00:00Z");
  // Extending is always allowed; shortening or removing GOVERNANCE needs the bypass.
  EXPECT_TRUE(CheckRetentionChange(gov, Next("GOVERNANCE", until + 1), false, kNow).ok());
  EXPECT_EQ(CheckRetentionChange(gov, Next("COMPLIANCE", until), false, kNow).code(),
            Errc::kAccessDenied);
  EXPECT_TRUE(CheckRetentionChange(gov, Next("COMPLIANCE", until), true, kNow).ok());
  EXPECT_EQ(CheckRetentionChange(gov, Next("GOVERNANCE", until - 1), false, kNow).code(),
            Errc::kAccessDenied);
  EXPECT_EQ(CheckRetentionChange(gov, Retention(), false, kNow).code(), Errc::kAccessDenied);
  EXPECT_TRUE(CheckRetentionChange(gov, Retention(), true, kNow).ok());
  // COMPLIANCE: only extended, bypass or not.
  EXPECT_TRUE(CheckRetentionChange(comp, Next("COMPLIANCE", until + 10), false, kNow).ok());
  EXPECT_EQ(CheckRetentionChange(comp, Next("COMPLIANCE", until - 1), true, kNow).code(),
            Errc::kAccessDenied);
  EXPECT_EQ(CheckRetentionChange(comp, Next("GOVERNANCE", until + 10), true, kNow).code(),
            Errc::kAccessDenied);
  EXPECT_EQ(CheckRetentionChange(comp, Retention(), true, kNow).code(), Errc::kAccessDenied);
  // An expired retention changes freely.
  EXPECT_TRUE(CheckRetentionChange(comp, Retention(), false, until + 1).ok());
  EXPECT_TRUE(CheckRetentionChange({}, Next("COMPLIANCE", until), false, kNow).ok());
}

TEST(ObjectLock, Deletes) {
  const auto gov = Locked("GOVERNANCE", "2027-01-16T00:00:00Z");
  const auto comp = Locked("COMPLIANCE", "2027-01-16T00:00:00Z");
  const std::int64_t after = *ParseRetainUntil("2027-01-16T00:00:00Z");
  EXPECT_TRUE(CheckDeleteAllowed({}, false, kNow).ok());
  EXPECT_EQ(CheckDeleteAllowed(gov, false, kNow).code(), Errc::kAccessDenied);
  EXPECT_TRUE(CheckDeleteAllowed(gov, true, kNow).ok());
  EXPECT_EQ(CheckDeleteAllowed(comp, true, kNow).code(), Errc::kAccessDenied);
  EXPECT_TRUE(CheckDeleteAllowed(comp, false, after).ok());
  object::Metadata held;
  held.emplace_back(kLegalHoldMeta, "ON");
  EXPECT_EQ(CheckDeleteAllowed(held, true, kNow).code(), Errc::kAccessDenied);
  held.back().second = "OFF";
  EXPECT_TRUE(CheckDeleteAllowed(held, false, kNow).ok());
}

http::Request WithHeaders(std::initializer_list<std::pair<const char*, const char*>> headers) {
  http::Request r;
  for (const auto& [name, value] : headers) {
    r.headers.emplace_back(name, value);
  }
  return r;
}

TEST(ObjectLock, WriteHeaders) {
  const std::string lock_doc = RenderObjectLockConfiguration(LockConfiguration{});
  // No object lock on the bucket: any lock header is refused.
  auto refused =
      LockMetadataFromHeaders(WithHeaders({{"x-amz-object-lock-legal-hold", "ON"}}), "", kNow);
  EXPECT_EQ(refused.status().code(), Errc::kInvalidRequest);
  auto nothing = LockMetadataFromHeaders(WithHeaders({}), "", kNow);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
  auto both = LockMetadataFromHeaders(
      WithHeaders({{"x-amz-object-lock-mode", "COMPLIANCE"},
                   {"x-amz-object-lock-retain-until-date", "2027-02-01T00:00:00Z"},
                   {"x-amz-object-lock-legal-hold", "OFF"}}),
      lock_doc, kNow);
  ASSERT_TRUE(both.ok()) << both.status().message();
  EXPECT_EQ(StoredRetention(*both).mode, "COMPLIANCE");
  EXPECT_EQ(StoredRetention(*both).until, "2027-02-01T00:00:00Z");
  EXPECT_EQ(both->back(),
            (std::pair<std::string, std::string>{"x-amz-object-lock-legal-hold", "OFF"}));
  for (auto headers :
       {WithHeaders({{"x-amz-object-lock-mode", "COMPLIANCE"}}),
        WithHeaders({{"x-amz-object-lock-mode", "X"},
                     {"x-amz-object-lock-retain-until-date", "2027-02-01T00:00:00Z"}}),
        WithHeaders({{"x-amz-object-lock-mode", "GOVERNANCE"},
                     {"x-amz-object-lock-retain-until-date", "2020-02-01T00:00:00Z"}}),
        WithHeaders({{"x-amz-object-lock-legal-hold", "yes"}})}) {
    EXPECT_EQ(LockMetadataFromHeaders(headers, lock_doc, kNow).status().code(),
              Errc::kInvalidArgumentS3);
  }
  // The bucket's default retention, counted from now.
  LockConfiguration def;
  def.mode = "GOVERNANCE";
  def.days = 2;
  auto defaulted =
      LockMetadataFromHeaders(WithHeaders({}), RenderObjectLockConfiguration(def), kNow);
  ASSERT_TRUE(defaulted.ok());
  const Retention r = StoredRetention(*defaulted);
  EXPECT_EQ(r.mode, "GOVERNANCE");
  EXPECT_EQ(r.until_s, kNow + 2 * 86400);
}

}  // namespace object_lock_test_internal
}  // namespace cairn::s3
