#include "s3/cors.h"

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace cors_test_internal {

std::string Doc(std::string_view rules) {
  return "<CORSConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
         std::string(rules) + "</CORSConfiguration>";
}

std::string Header(const http::Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) {
      return v;
    }
  }
  return "<none>";
}

TEST(CorsConfiguration, ParsesAndRendersRules) {
  auto config = ParseCorsConfiguration(
      Doc("<CORSRule><ID>r1</ID><AllowedOrigin>https://*.example.com</AllowedOrigin>"
          "<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>"
          "<AllowedHeader>x-amz-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>"
          "<MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>"
          "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod>"
          "</CORSRule>"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->rules.size(), 2u);
  const CorsRule& r = config->rules[0];
  EXPECT_EQ(r.id, "r1");
  EXPECT_EQ(r.allowed_origins, std::vector<std::string>{"https://*.example.com"});
  EXPECT_EQ(r.allowed_methods, (std::vector<std::string>{"GET", "PUT"}));
  EXPECT_EQ(r.allowed_headers, std::vector<std::string>{"x-amz-*"});
  EXPECT_EQ(r.expose_headers, std::vector<std::string>{"ETag"});
  EXPECT_EQ(r.max_age_seconds, 3000);
  EXPECT_FALSE(config->rules[1].max_age_seconds.has_value());
  // The rendering parses back to the same rules.
  const std::string rendered = RenderCorsConfiguration(*config);
  auto again = ParseCorsConfiguration(rendered);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(RenderCorsConfiguration(*again), rendered);
  EXPECT_NE(rendered.find("<MaxAgeSeconds>3000</MaxAgeSeconds>"), std::string::npos);
}

TEST(CorsConfiguration, RefusesWhatAwsRefuses) {
  auto code = [](std::string_view rules) { return ParseCorsConfiguration(Doc(rules)).code(); };
  EXPECT_EQ(ParseCorsConfiguration("<Nope/>").code(), Errc::kMalformedXml);
  EXPECT_EQ(ParseCorsConfiguration("not xml").code(), Errc::kMalformedXml);
  EXPECT_EQ(code(""), Errc::kMalformedXml);  // no rule
  EXPECT_EQ(code("<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>"),
            Errc::kMalformedXml);  // no origin
  EXPECT_EQ(code("<CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>"),
            Errc::kMalformedXml);  // no method
  EXPECT_EQ(code("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
                 "<MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule>"),
            Errc::kMalformedXml);
  auto bad_method = ParseCorsConfiguration(
      Doc("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"
          "</CORSRule>"));
  EXPECT_EQ(bad_method.code(), Errc::kInvalidRequest);
  EXPECT_EQ(bad_method.status().message(),
            "Found unsupported HTTP method in CORS config. Unsupported method is PATCH");
  EXPECT_EQ(code("<CORSRule><AllowedOrigin>*.*.com</AllowedOrigin>"
                 "<AllowedMethod>GET</AllowedMethod></CORSRule>"),
            Errc::kInvalidRequest);
  EXPECT_EQ(code("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
                 "<AllowedHeader>a*b*</AllowedHeader></CORSRule>"),
            Errc::kInvalidRequest);
  std::string many;
  for (int i = 0; i < 101; ++i) {
    many +=
        "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
        "</CORSRule>";
  }
  EXPECT_EQ(code(many), Errc::kMalformedXml);
}

TEST(CorsMatching, WildcardsAndCase) {
  EXPECT_TRUE(CorsWildcardMatch("*", "http://a", false));
  EXPECT_TRUE(CorsWildcardMatch("http://*.example.com", "http://www.example.com", false));
  EXPECT_FALSE(CorsWildcardMatch("http://*.example.com", "http://example.org", false));
  EXPECT_FALSE(CorsWildcardMatch("http://*.example.com", "HTTP://www.example.com", false));
  EXPECT_TRUE(CorsWildcardMatch("X-Amz-*", "x-amz-date", true));
  EXPECT_TRUE(CorsWildcardMatch("Content-Type", "content-type", true));
  EXPECT_FALSE(CorsWildcardMatch("ab*ba", "aba", false));  // head and tail cannot overlap
  EXPECT_EQ(SplitCorsHeaderList(" X-Amz-Date , Content-Type,,"),
            (std::vector<std::string>{"x-amz-date", "content-type"}));
}

TEST(CorsMatching, FirstMatchingRuleWins) {
  auto config = ParseCorsConfiguration(
      Doc("<CORSRule><ID>one</ID><AllowedOrigin>http://a.com</AllowedOrigin>"
          "<AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule>"
          "<CORSRule><ID>two</ID><AllowedOrigin>*</AllowedOrigin>"
          "<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>"
          "<AllowedHeader>content-type</AllowedHeader></CORSRule>"));
  ASSERT_TRUE(config.ok());
  const std::vector<std::string> none;
  const std::vector<std::string> ct = {"content-type"};
  const std::vector<std::string> other = {"x-custom"};
  const CorsRule* r = MatchCorsRule(*config, "http://a.com", "PUT", other);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->id, "one");
  r = MatchCorsRule(*config, "http://b.com", "PUT", ct);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->id, "two");
  EXPECT_EQ(MatchCorsRule(*config, "http://b.com", "PUT", other), nullptr);
  EXPECT_EQ(MatchCorsRule(*config, "http://b.com", "DELETE", none), nullptr);
  r = MatchCorsRule(*config, "http://a.com", "GET", none);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->id, "two");
}

TEST(CorsMatching, ResponseHeaders) {
  CorsRule specific;
  specific.allowed_origins = {"http://a.com"};
  specific.allowed_methods = {"GET", "PUT"};
  specific.expose_headers = {"ETag", "x-amz-request-id"};
  specific.max_age_seconds = 60;
  const std::vector<std::string> wanted = {"content-type", "x-amz-date"};
  http::Headers h = CorsResponseHeaders(specific, "http://a.com", wanted, true);
  EXPECT_EQ(Header(h, "access-control-allow-origin"), "http://a.com");
  EXPECT_EQ(Header(h, "access-control-allow-credentials"), "true");
  EXPECT_EQ(Header(h, "access-control-allow-methods"), "GET, PUT");
  EXPECT_EQ(Header(h, "access-control-allow-headers"), "content-type, x-amz-date");
  EXPECT_EQ(Header(h, "access-control-expose-headers"), "ETag, x-amz-request-id");
  EXPECT_EQ(Header(h, "access-control-max-age"), "60");
  EXPECT_NE(Header(h, "vary").find("Origin"), std::string::npos);
  // An actual request: no Allow-Headers or Max-Age.
  h = CorsResponseHeaders(specific, "http://a.com", {}, false);
  EXPECT_EQ(Header(h, "access-control-allow-headers"), "<none>");
  EXPECT_EQ(Header(h, "access-control-max-age"), "<none>");
  CorsRule any;
  any.allowed_origins = {"*"};
  any.allowed_methods = {"GET"};
  h = CorsResponseHeaders(any, "http://z.com", {}, false);
  EXPECT_EQ(Header(h, "access-control-allow-origin"), "*");
  EXPECT_EQ(Header(h, "access-control-allow-credentials"), "<none>");
  // A rule that names the origin besides "*" echoes it.
  any.allowed_origins = {"*", "http://*.named.com"};
  h = CorsResponseHeaders(any, "http://www.named.com", {}, false);
  EXPECT_EQ(Header(h, "access-control-allow-origin"), "http://www.named.com");
  EXPECT_EQ(Header(h, "access-control-allow-credentials"), "true");
  h = CorsResponseHeaders(any, "http://z.com", {}, false);
  EXPECT_EQ(Header(h, "access-control-allow-origin"), "*");
}

}  // namespace cors_test_internal
}  // namespace cairn::s3
