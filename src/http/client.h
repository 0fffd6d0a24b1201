// http::Client: a minimal HTTP/1.1 client with keep-alive connections to one host:port,
// for tests and small inter-node calls. Request and response bodies are whole strings held
// in memory (bounded by max_response_body): not for streaming object data. Plain TCP only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "common/status.h"
#include "common/task.h"
#include "http/exchange.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace cairn::http {

struct ClientOptions {
  // HTTPS (TLS 1.2+): the server's certificate is verified against `tls_ca_file` (else the
  // system's CAs) and the host name, unless `tls_insecure` (a self-signed test server).
  bool tls = false;
  bool tls_insecure = false;
  std::string tls_ca_file;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  // Bounds writing the request and reading the whole response.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  std::size_t max_response_body = 16 * 1024 * 1024;
  std::size_t max_idle_connections = 8;
};

struct ClientResponse {
  int status = 0;
  Headers headers;  // names lowercased, in the order received
  std::string body;

  // The first header with this lowercase name, or nullptr.
  const std::string* Header(std::string_view lower_name) const;
};

class Client {
 public:
  // All calls must come from `executor` (one Client per network thread or strand).
  Client(boost::asio::any_io_executor executor, std::string host, std::uint16_t port,
         ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request (adding Host and Content-Length) and reads the whole response. A
  // kept-alive connection that the server closed meanwhile is retried once on a new one.
  // Errors: kNodeOffline (cannot connect, or the connection failed), kTimeout,
  // kEntityTooLarge (response body over max_response_body), kInvalidArgument (a malformed
  // response or method).
  Task<Result<ClientResponse>> Send(std::string_view method, std::string_view target,
                                    const Headers& headers, std::string_view body);

  // Idle keep-alive connections held, for tests.
  std::size_t idle_connections() const { return idle_.size(); }

  // One pooled connection (plain or TLS); defined in client.cc.
  struct Connection;

 private:
  Task<Result<std::unique_ptr<Connection>>> Connect();

  boost::asio::any_io_executor executor_;
  std::string host_;
  std::uint16_t port_;
  ClientOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // made on the first HTTPS connect
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace cairn::http
