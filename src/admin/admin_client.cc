#include "admin/admin_client.h"

#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "auth/signature.h"
#include "common/checksum.h"
#include "common/text.h"
#include "http/client.h"
#include "http/endpoint.h"

namespace cairn::admin {

struct AdminClient::Impl {
  ClientConfig cfg;
  http::Endpoint hp;
  boost::asio::io_context io;
  std::unique_ptr<http::Client> client;
};

AdminClient::AdminClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminClient::~AdminClient() = default;

Result<std::unique_ptr<AdminClient>> AdminClient::Make(ClientConfig cfg) {
  ASSIGN_OR_RETURN(http::Endpoint hp, http::ParseEndpoint(cfg.endpoint));
  auto impl = std::make_unique<Impl>();
  http::ClientOptions opts;
  opts.request_timeout = cfg.timeout;
  opts.tls = hp.https;
  opts.tls_insecure = cfg.insecure;
  impl->client = std::make_unique<http::Client>(impl->io.get_executor(), hp.host, hp.port, opts);
  impl->cfg = std::move(cfg);
  impl->hp = std::move(hp);
  return std::unique_ptr<AdminClient>(new AdminClient(std::move(impl)));
}

Result<ApiResponse> AdminClient::Call(std::string_view method, std::string_view path,
                                      std::string_view query, std::string_view body) {
  Impl& m = *impl_;
  auth::SignInput in;
  in.method = std::string(method);
  in.path = std::string(path);
  in.query = std::string(query);
  in.region = m.cfg.region;
  in.access_key = m.cfg.access_key;
  in.secret_key = m.cfg.secret_key;
  in.now = std::chrono::system_clock::now();
  in.host = fmt::format("{}:{}", m.hp.host, m.hp.port);
  if (!body.empty()) {
    in.payload_sha256_hex = HexEncode(Sha256(body));
  }
  auth::HeaderList signed_headers;
  auth::SignV4(in, signed_headers);
  http::Headers headers;
  for (auto& [name, value] : signed_headers) {
    if (name != "host") {  // http::Client sets it (the same host:port)
      headers.emplace_back(std::move(name), std::move(value));
    }
  }
  const std::string target = query.empty() ? std::string(path) : fmt::format("{}?{}", path, query);
  std::optional<Result<http::ClientResponse>> out;
  boost::asio::co_spawn(
      m.io, m.client->Send(method, target, headers, body),
      [&out](std::exception_ptr e, Result<http::ClientResponse> r) {
        out.emplace(e ? Result<http::ClientResponse>(Status(Errc::kInternal, "exception"))
                      : std::move(r));
      });
  m.io.restart();
  m.io.run();
  if (!out) {
    return Status(Errc::kInternal, "the request did not complete");
  }
  if (!out->ok()) {
    return out->status();
  }
  return ApiResponse{(*out)->status, std::move((*out)->body)};
}

Result<nlohmann::json> CallJson(AdminClient& client, std::string_view method, std::string_view op,
                                std::string_view query, std::string_view body) {
  const std::string path = fmt::format("/minio/admin/v3/{}", op);
  ASSIGN_OR_RETURN(ApiResponse r, client.Call(method, path, query, body));
  nlohmann::json answer = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status == 204) {
    return nlohmann::json::object();
  }
  if (r.status != 200) {
    std::string code = "HTTP " + std::to_string(r.status);
    std::string message = r.body;
    if (answer.is_object()) {
      code = answer.value("Code", code);
      message = answer.value("Message", message);
    }
    return Status(Errc::kUnknown, fmt::format("{}: {} (HTTP {})", code, message, r.status));
  }
  if (answer.is_discarded()) {
    return Status(Errc::kUnknown, "the server's answer is not JSON: " + r.body.substr(0, 200));
  }
  return answer;
}

}  // namespace cairn::admin
