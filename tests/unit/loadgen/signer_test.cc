#include "loadgen/signer.h"

#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "auth/signature.h"
#include "loadgen/http_client.h"

namespace cairn::loadgen {
namespace signer_test_internal {

// Header value of `name` in "Name: value\r\n" lines.
std::string LineValue(const std::string& lines, std::string_view name) {
  std::size_t at = lines.find(std::string(name) + ": ");
  if (at == std::string::npos) {
    return {};
  }
  at += name.size() + 2;
  return lines.substr(at, lines.find("\r\n", at) - at);
}

struct Case {
  const char* method;
  const char* path;
  const char* query;  // canonical already
};

TEST(FastSignerTest, MatchesAuthSignV4) {
  const Case cases[] = {
      {"GET", "/bucket/bench-1/00000001", ""},
      {"PUT", "/bucket/bench-1/00000002", ""},
      {"HEAD", "/b/k", ""},
      {"DELETE", "/b/k%20with%20space", ""},
      {"PUT", "/cairn-bench-x", ""},
      {"POST", "/b", "delete="},
      {"POST", "/b/key", "uploads="},
      {"PUT", "/b/key", "partNumber=3&uploadId=abc%2Fdef"},
      {"GET", "/b", "list-type=2&max-keys=1000&prefix=bench-1%2F&start-after=bench-1%2F00000999"},
  };
  using namespace std::chrono;
  // Two instants on different days, so the cached signing key must be renewed.
  const system_clock::time_point times[] = {system_clock::time_point(seconds(1700000000)),
                                            system_clock::time_point(seconds(1700000001)),
                                            system_clock::time_point(seconds(1700100000))};
  FastSigner signer("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
                    "127.0.0.1:9000");
  for (const auto& now : times) {
    for (const Case& c : cases) {
      std::string lines;
      signer.Sign(c.method, c.path, c.query, now, {}, lines);
      auth::SignInput in;
      in.method = c.method;
      in.path = c.path;
      in.query = c.query;
      in.access_key = "AKIDEXAMPLE";
      in.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
      in.now = now;
      in.host = "127.0.0.1:9000";
      auth::HeaderList headers;
      auth::SignV4(in, headers);
      std::string expected_auth;
      std::string expected_date;
      for (const auto& [name, value] : headers) {
        if (name == "authorization") {
          expected_auth = value;
        } else if (name == "x-amz-date") {
          expected_date = value;
        }
      }
      EXPECT_EQ(LineValue(lines, "Authorization"), expected_auth) << c.method << " " << c.path;
      EXPECT_EQ(LineValue(lines, "x-amz-date"), expected_date);
      EXPECT_EQ(LineValue(lines, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
    }
  }
}

TEST(FastSignerTest, SignaturesVerifyWithAuthenticate) {
  struct Creds final : auth::CredentialProvider {
    std::optional<std::string> SecretKey(std::string_view key) const override {
      return key == "bench" ? std::optional<std::string>("benchsecret") : std::nullopt;
    }
  } creds;

  FastSigner signer("bench", "benchsecret", "us-east-1", "localhost:9000");
  auto now = std::chrono::system_clock::now();
  std::string lines;
  signer.Sign("GET", "/b/o", "", now, {}, lines);
  auth::HeaderList headers = {{"host", "localhost:9000"},
                              {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
                              {"x-amz-date", LineValue(lines, "x-amz-date")},
                              {"authorization", LineValue(lines, "Authorization")}};
  auth::RequestView view;
  view.method = "GET";
  view.path = "/b/o";
  view.headers = &headers;
  view.now = now;
  auto result = auth::Authenticate(view, creds);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->access_key, "bench");
  // A different path must not verify.
  view.path = "/b/other";
  EXPECT_FALSE(auth::Authenticate(view, creds).ok());
}

// Extra headers join the signature in name order, wherever they sort among the three fixed
// ones, exactly as auth::SignV4 signs every header it is given.
TEST(FastSignerTest, ExtraHeadersMatchAuthSignV4) {
  const std::vector<std::vector<SignedHeader>> cases = {
      {{"x-amz-server-side-encryption", "AES256"}},
      {{"x-amz-server-side-encryption", "aws:kms"},
       {"x-amz-server-side-encryption-aws-kms-key-id", "my-key"}},
      {{"x-amz-server-side-encryption-customer-algorithm", "AES256"},
       {"x-amz-server-side-encryption-customer-key",
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
       {"x-amz-server-side-encryption-customer-key-md5", "dnF5x6K/8ZZRzpfSlMMM+w=="}},
      {{"content-type", "text/plain"}, {"x-amz-acl", "private"}, {"x-amz-meta-a", "b"}},
  };
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  FastSigner signer("AKIDEXAMPLE", "secret", "us-east-1", "127.0.0.1:9000");
  for (const auto& extra : cases) {
    std::string lines;
    signer.Sign("PUT", "/b/k", "", now, extra, lines);
    auth::SignInput in;
    in.method = "PUT";
    in.path = "/b/k";
    in.access_key = "AKIDEXAMPLE";
    in.secret_key = "secret";
    in.now = now;
    in.host = "127.0.0.1:9000";
    auth::HeaderList headers;
    for (const SignedHeader& h : extra) {
      headers.emplace_back(h.name, h.value);
    }
    auth::SignV4(in, headers);
    std::string expected;
    for (const auto& [name, value] : headers) {
      if (name == "authorization") {
        expected = value;
      }
    }
    EXPECT_EQ(LineValue(lines, "Authorization"), expected) << extra[0].name;
    EXPECT_NE(expected.find(extra.back().name), std::string::npos);
  }
}

// S3 refuses an x-amz-* header that is not signed; signed, the SSE headers verify.
TEST(FastSignerTest, SignedSseHeadersVerifyWithAuthenticate) {
  struct Creds final : auth::CredentialProvider {
    std::optional<std::string> SecretKey(std::string_view key) const override {
      return key == "bench" ? std::optional<std::string>("benchsecret") : std::nullopt;
    }
  } creds;

  FastSigner signer("bench", "benchsecret", "us-east-1", "localhost:9000");
  auto now = std::chrono::system_clock::now();
  const std::vector<SignedHeader> sse = {{"x-amz-server-side-encryption", "aws:kms"}};
  for (bool sign_it : {true, false}) {
    std::string lines;
    auto extra = sign_it ? std::span<const SignedHeader>(sse) : std::span<const SignedHeader>();
    signer.Sign("PUT", "/b/o", "", now, extra, lines);
    auth::HeaderList headers = {{"host", "localhost:9000"},
                                {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
                                {"x-amz-date", LineValue(lines, "x-amz-date")},
                                {"x-amz-server-side-encryption", "aws:kms"},
                                {"authorization", LineValue(lines, "Authorization")}};
    auth::RequestView view;
    view.method = "PUT";
    view.path = "/b/o";
    view.headers = &headers;
    view.now = now;
    EXPECT_EQ(auth::Authenticate(view, creds).ok(), sign_it);
  }
}

}  // namespace signer_test_internal
}  // namespace cairn::loadgen
