// audit::WebhookTarget: audit records POSTed to an HTTP(S) endpoint as MinIO's audit webhook
// does (audit_webhook: endpoint, auth_token, batch_size, queue_size): one JSON object per
// POST when batch_size is 1, else up to batch_size records as JSON lines; Authorization
// carries the auth token as given. A refused or failed POST is retried with backoff.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "audit/target.h"
#include "common/status.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace cairn::http {
class Client;
}  // namespace cairn::http

namespace cairn::audit {

struct WebhookTargetOptions {
  std::string id;        // the target's name ("webhook:<ID>") in metrics and logs
  std::string endpoint;  // http(s)://host[:port][/path][?query]
  std::string auth_token;
  // https: the endpoint's certificate is checked against this CA file (PEM), else the
  // system's CAs, and against the host name.
  std::string tls_ca_file;
  DeliveryOptions delivery;
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
};

// An endpoint URL split for http::Client.
struct WebhookUrl {
  bool https = false;
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";  // path and query
};

// Errors: kInvalidArgument (not http(s)://, no host, a bad port).
Result<WebhookUrl> ParseWebhookUrl(std::string_view url);

class WebhookTarget final : public Target {
 public:
  // Errors: kInvalidArgument (the endpoint).
  static Result<std::unique_ptr<WebhookTarget>> Create(WebhookTargetOptions options);
  ~WebhookTarget() override;  // stops within a second

 protected:
  bool Deliver(std::span<const Record> batch) override;
  void Abort() override;

 private:
  WebhookTarget(WebhookTargetOptions options, WebhookUrl url);

  const WebhookTargetOptions options_;
  const WebhookUrl url_;
  // The client runs on its own io_context, driven by the delivery thread one POST at a time.
  // Declared before the client: the client's sockets go first.
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<http::Client> client_;
  std::atomic<bool> aborted_{false};
  bool warned_ = false;  // delivery thread only: the endpoint's failure was logged
};

}  // namespace cairn::audit
