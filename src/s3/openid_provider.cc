#include "s3/openid_provider.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "http/client.h"
#include "http/endpoint.h"

namespace cairn::s3 {

namespace asio = boost::asio;

Task<Result<std::string>> FetchUrl(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) {
    co_return Status(Errc::kInvalidArgument, "not an http(s) URL: " + url);
  }
  const auto slash = url.find('/', scheme + 3);
  const std::string base = url.substr(0, slash);
  const std::string target = slash == std::string::npos ? "/" : url.substr(slash);
  CO_ASSIGN_OR_RETURN(http::Endpoint endpoint, http::ParseEndpoint(base));
  http::ClientOptions opts;
  opts.tls = endpoint.https;
  opts.connect_timeout = std::chrono::seconds(5);
  opts.request_timeout = std::chrono::seconds(10);
  opts.max_response_body = 1024 * 1024;
  opts.max_idle_connections = 0;
  auto executor = co_await asio::this_coro::executor;
  http::Client client(executor, endpoint.host, endpoint.port, opts);
  http::Headers headers;
  headers.emplace_back("accept", "application/json");
  CO_ASSIGN_OR_RETURN(http::ClientResponse response,
                      co_await client.Send("GET", target, headers, ""));
  if (response.status != 200) {
    co_return Status(Errc::kInternal,
                     "GET " + url + " answered " + std::to_string(response.status));
  }
  co_return std::move(response.body);
}

OpenIdProvider::OpenIdProvider(OpenIdOptions options,
                               std::function<std::chrono::system_clock::time_point()> now)
    : options_(std::move(options)), now_(std::move(now)) {}

Task<Result<OpenIdProvider::Endpoints>> OpenIdProvider::Discover() {
  {
    std::lock_guard lock(mu_);
    if (endpoints_) {
      co_return *endpoints_;
    }
  }
  Endpoints found;
  found.issuer = options_.issuer;
  found.jwks_url = options_.jwks_url;
  if (!options_.config_url.empty() && (found.issuer.empty() || found.jwks_url.empty())) {
    CO_ASSIGN_OR_RETURN(std::string body, co_await FetchUrl(options_.config_url));
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      co_return Status(Errc::kInternal, "the OpenID configuration is not a JSON object");
    }
    auto member = [&doc](const char* name) {
      auto it = doc.find(name);
      return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (found.issuer.empty()) {
      found.issuer = member("issuer");
    }
    if (found.jwks_url.empty()) {
      found.jwks_url = member("jwks_uri");
    }
  }
  if (found.issuer.empty() || found.jwks_url.empty()) {
    co_return Status(Errc::kInternal, "the OpenID provider has no issuer or jwks_uri");
  }
  std::lock_guard lock(mu_);
  endpoints_ = found;
  co_return found;
}

Task<Result<std::shared_ptr<const std::vector<auth::jwt::Jwk>>>> OpenIdProvider::FetchKeys(
    const std::string& url) {
  {
    std::lock_guard lock(mu_);
    fetched_at_ = std::chrono::steady_clock::now();
  }
  CO_ASSIGN_OR_RETURN(std::string body, co_await FetchUrl(url));
  auto parsed = auth::jwt::ParseJwks(body);
  if (!parsed.ok()) {
    co_return Status(Errc::kInternal, "the provider's key set: " + parsed.status().message());
  }
  auto keys = std::make_shared<const std::vector<auth::jwt::Jwk>>(std::move(*parsed));
  std::lock_guard lock(mu_);
  keys_ = keys;
  co_return keys;
}

Task<Result<auth::jwt::Claims>> OpenIdProvider::Verify(std::string_view token_text) {
  CO_ASSIGN_OR_RETURN(auth::jwt::Token token, auth::jwt::ParseToken(token_text));
  CO_ASSIGN_OR_RETURN(Endpoints endpoints, co_await Discover());
  std::shared_ptr<const std::vector<auth::jwt::Jwk>> keys;
  {
    std::lock_guard lock(mu_);
    keys = keys_;
  }
  if (!keys) {
    CO_ASSIGN_OR_RETURN(keys, co_await FetchKeys(endpoints.jwks_url));
  }
  Status verified = auth::jwt::VerifySignature(token, *keys);
  if (verified.code() == Errc::kNotFound) {
    // The provider may have rotated its keys: refetch, but not more often than
    // kRefetchInterval (a flood of tokens with made-up kids must not hammer it).
    bool refetch = false;
    {
      std::lock_guard lock(mu_);
      refetch = std::chrono::steady_clock::now() - fetched_at_ >= kRefetchInterval;
    }
    if (refetch) {
      CO_ASSIGN_OR_RETURN(keys, co_await FetchKeys(endpoints.jwks_url));
      verified = auth::jwt::VerifySignature(token, *keys);
    }
    if (verified.code() == Errc::kNotFound) {
      verified = Status(Errc::kInvalidArgument, verified.message());
    }
  }
  CO_RETURN_IF_ERROR(verified);
  auth::jwt::ClaimChecks checks;
  checks.issuer = endpoints.issuer;
  checks.audience = options_.client_id;
  checks.now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
  co_return auth::jwt::CheckClaims(token, checks);
}

}  // namespace cairn::s3
