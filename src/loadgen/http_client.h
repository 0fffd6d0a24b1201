// HttpConnection: one persistent keep-alive HTTP/1.1 connection of the load generator, on
// Boost.Beast. Request heads are written by hand (one gather write with the body, which is
// sent from the caller's buffer without a copy); response bodies are read into a reused
// scratch buffer and discarded, except for the first `capture_limit` bytes when asked.
// Lives on one io_context; never throws; reconnects after an error or "Connection: close".
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/status.h"
#include "common/task.h"
#include "http/endpoint.h"

namespace cairn::loadgen {

using http::Endpoint;
using http::ParseEndpoint;

// Resolves `ep` (blocking; setup only). Errors: kInvalidArgument.
Result<boost::asio::ip::tcp::endpoint> Resolve(const Endpoint& ep);

struct HttpRequest {
  std::string_view method;
  std::string_view target;   // path and "?query"
  std::string_view headers;  // extra header lines, each "Name: value\r\n"
  std::span<const char> body;
  bool head = false;  // the response has no body whatever its Content-Length says
};

struct HttpResponse {
  int status = 0;                // 0: transport error (see `error`)
  std::uint64_t body_bytes = 0;  // bytes of body received
  std::string body;              // the first capture_limit bytes of the body
  std::string etag;
  std::string error;

  bool ok() const { return status >= 200 && status < 300; }
};

class HttpConnection {
 public:
  HttpConnection(boost::asio::any_io_executor ex, boost::asio::ip::tcp::endpoint ep,
                 std::string host_header, std::chrono::nanoseconds timeout,
                 std::size_t scratch_size = 256 << 10);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends `req` and reads the whole response into `resp` (overwritten), keeping the first
  // `capture_limit` bytes of a 2xx body and the first 4 KiB of any other. A request that fails
  // on a reused connection before any response byte arrived is retried once on a new one
  // (the server may have closed the idle connection).
  Task<void> Send(const HttpRequest& req, HttpResponse& resp, std::size_t capture_limit = 0);

  // Connections opened so far (1 for a connection that was never dropped).
  std::uint64_t connects() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::loadgen
