#include "loadgen/signer.h"

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
      signer.Sign(c.method, c.path, c.query, now, lines);
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
  signer.Sign("GET", "/b/o", "", now, lines);
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

}  // namespace signer_test_internal
}  // namespace cairn::loadgen
