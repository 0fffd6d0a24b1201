// Bearer tokens for the metrics pages: a token made for the root key verifies until it
// expires; a wrong key, a changed claim or another algorithm is refused.
#include "admin/prometheus_token.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "common/checksum.h"

namespace cairn::admin {
namespace prometheus_token_test_internal {

class Root final : public auth::CredentialProvider {
 public:
  std::optional<std::string> SecretKey(std::string_view access_key) const override {
    if (access_key == "root") {
      return std::string("rootsecret");
    }
    return std::nullopt;
  }
};

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

TEST(PrometheusTokenTest, RoundTrip) {
  Root creds;
  const std::string token = MakePrometheusToken("root", "rootsecret", kNow + std::chrono::hours(1));
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.find('='), std::string::npos);
  Result<std::string> sub = VerifyPrometheusToken(token, creds, kNow);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(*sub, "root");
  EXPECT_EQ(VerifyPrometheusToken(token, creds, kNow + std::chrono::hours(2)).code(),
            Errc::kAccessDenied);
}

TEST(PrometheusTokenTest, RefusesForgeries) {
  Root creds;
  const auto exp = kNow + std::chrono::hours(1);
  EXPECT_EQ(
      VerifyPrometheusToken(MakePrometheusToken("root", "wrongsecret", exp), creds, kNow).code(),
      Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(
      VerifyPrometheusToken(MakePrometheusToken("nobody", "rootsecret", exp), creds, kNow).code(),
      Errc::kInvalidAccessKeyId);
  // A later expiry spliced into a valid token's claims.
  std::string good = MakePrometheusToken("root", "rootsecret", exp);
  std::string later = MakePrometheusToken("root", "x", exp + std::chrono::hours(100));
  const std::size_t g1 = good.find('.');
  const std::size_t g2 = good.find('.', g1 + 1);
  const std::size_t l1 = later.find('.');
  const std::size_t l2 = later.find('.', l1 + 1);
  std::string spliced = good.substr(0, g1) + later.substr(l1, l2 - l1) + good.substr(g2);
  EXPECT_EQ(VerifyPrometheusToken(spliced, creds, kNow).code(), Errc::kSignatureDoesNotMatch);
  EXPECT_EQ(VerifyPrometheusToken("not-a-token", creds, kNow).code(), Errc::kAccessDenied);
  EXPECT_EQ(VerifyPrometheusToken("a.b.c", creds, kNow).code(), Errc::kAccessDenied);
}

}  // namespace prometheus_token_test_internal
}  // namespace cairn::admin
