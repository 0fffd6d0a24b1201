#include "audit/webhook_target.h"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "common/log.h"
#include "http/client.h"
#include "http/endpoint.h"

namespace cairn::audit {

namespace asio = boost::asio;

Result<WebhookUrl> ParseWebhookUrl(std::string_view url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Status(Errc::kInvalidArgument,
                  "the audit webhook endpoint must start with http:// or https://");
  }
  const std::size_t authority_start = url.find("://") + 3;
  std::size_t path_start = url.find_first_of("/?", authority_start);
  if (path_start == std::string_view::npos) {
    path_start = url.size();
  }
  ASSIGN_OR_RETURN(http::Endpoint ep, http::ParseEndpoint(url.substr(0, path_start)));
  WebhookUrl out;
  out.https = ep.https;
  out.host = ep.host;
  out.port = ep.port;
  if (out.host.empty()) {
    return Status(Errc::kInvalidArgument, "the audit webhook endpoint has no host");
  }
  // (Built by appending: GCC 12 at -O3 reports a false -Wrestrict on string::insert(0, ...).)
  const std::string_view rest = url.substr(path_start);
  out.target.clear();
  if (rest.empty() || rest.front() != '/') {
    out.target = "/";
  }
  out.target += rest;
  return out;
}

Result<std::unique_ptr<WebhookTarget>> WebhookTarget::Create(WebhookTargetOptions options) {
  ASSIGN_OR_RETURN(WebhookUrl url, ParseWebhookUrl(options.endpoint));
  return std::unique_ptr<WebhookTarget>(new WebhookTarget(std::move(options), std::move(url)));
}

WebhookTarget::WebhookTarget(WebhookTargetOptions options, WebhookUrl url)
    : Target(options.id, options.delivery),
      options_(std::move(options)),
      url_(std::move(url)),
      io_(std::make_unique<asio::io_context>(1)) {
  http::ClientOptions copts;
  copts.tls = url_.https;
  copts.tls_ca_file = options_.tls_ca_file;
  copts.connect_timeout =
      std::min<std::chrono::milliseconds>(options_.request_timeout, std::chrono::seconds(5));
  copts.request_timeout = options_.request_timeout;
  copts.max_response_body = 64 << 10;
  copts.max_idle_connections = 1;
  client_ = std::make_unique<http::Client>(io_->get_executor(), url_.host, url_.port, copts);
}

WebhookTarget::~WebhookTarget() {
  Stop(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  client_.reset();
  io_.reset();  // destroys a POST abandoned by Abort()
}

void WebhookTarget::Abort() {
  aborted_.store(true);
  io_->stop();
}

bool WebhookTarget::Deliver(std::span<const Record> batch) {
  std::string body;
  if (batch.size() == 1 && options_.delivery.batch_size <= 1) {
    body = *batch.front();
  } else {
    for (const Record& r : batch) {
      body += *r;
      body += '\n';
    }
  }
  http::Headers headers;
  headers.emplace_back("content-type", "application/json");
  if (!options_.auth_token.empty()) {
    headers.emplace_back("authorization", options_.auth_token);
  }
  Result<http::ClientResponse> result = Status(Errc::kCancelled, "the audit target stopped");
  io_->restart();
  if (aborted_.load()) {
    return false;
  }
  asio::co_spawn(
      *io_,
      [](http::Client& client, std::string target, http::Headers h,
         std::string b) -> Task<Result<http::ClientResponse>> {
        co_return co_await client.Send("POST", target, h, b);
      }(*client_, url_.target, std::move(headers), std::move(body)),
      [&result](std::exception_ptr e, Result<http::ClientResponse> r) {
        result =
            e ? Result<http::ClientResponse>(Status(Errc::kInternal, "exception")) : std::move(r);
      });
  io_->run();
  Status failure;
  if (!result.ok()) {
    failure = result.status();
  } else if (result->status < 200 || result->status > 299) {
    failure = Status(Errc::kInternal, "HTTP status " + std::to_string(result->status));
  }
  if (failure.ok()) {
    if (warned_) {
      LOG_INFO("audit: {} delivers again", id());
      warned_ = false;
    }
    return true;
  }
  if (!warned_) {
    LOG_WARN("audit: {} ({}): delivery failed, retrying with backoff: {}", id(), options_.endpoint,
             failure.ToString());
    warned_ = true;
  }
  return false;
}

}  // namespace cairn::audit
