// Exchange: one HTTP request and its response, as the HTTP front door hands it to a
// handler (the S3 router, the console, health checks). Knows HTTP, not S3. The request body
// streams through body(); a large response streams through BeginStream / sink / EndStream.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_stream.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "PUT", ... as sent
  std::string target;  // the raw request target, e.g. "/bucket/a%20b?uploads"
  std::string path;    // raw (still percent-encoded) path part of target
  std::string query;   // raw query string without the '?'; "" when none
  Headers headers;     // names lowercased, values trimmed, in the order received
  std::optional<std::uint64_t> content_length;
  bool chunked = false;        // Transfer-Encoding: chunked
  std::string remote_address;  // "ip:port" of the client
  bool tls = false;
  int version = 11;  // 10 for HTTP/1.0, 11 for HTTP/1.1

  // The first header with this (lowercase) name, or nullptr.
  const std::string* Header(std::string_view lower_name) const;
};

class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual const Request& request() const = 0;
  // The request body, decoded from Content-Length or chunked transfer coding. Sends
  // "100 Continue" first when the client asked for it. Reading past the body returns 0.
  // Errors: kIncompleteBody (the client disconnected or stopped early), kRequestTimeout.
  virtual ByteSource& body() = 0;

  // Sends a complete response with a small body. Adds Content-Length, Date, Server and
  // keep-alive handling. Errors: kCancelled when the client went away.
  virtual Task<Status> Respond(int status, Headers headers, std::string_view body) = 0;
  // Starts a streamed response: the headers go out with `content_length` (when known; else
  // chunked transfer coding), then the body is written through sink(), then EndStream().
  virtual Task<Status> BeginStream(int status, Headers headers,
                                   std::optional<std::uint64_t> content_length) = 0;
  virtual ByteSink& sink() = 0;
  virtual Task<Status> EndStream() = 0;
  // True once the status line went out; an error after that can only close the connection.
  virtual bool response_started() const = 0;
  // Closes the connection after this response (also done when the body was not consumed).
  virtual void CloseAfterResponse() = 0;

  // A flag that becomes true when the client went away (a read or write failed, a timeout
  // closed the connection) or the server gave up on the request at shutdown. Share it with
  // RequestContext::cancelled so long operations can stop early. The server sets it on the
  // connection's network thread; readers may load it from any thread. Never null.
  // (The default, for test doubles, is a fresh flag that nothing sets.)
  virtual std::shared_ptr<std::atomic<bool>> cancelled() const {
    return std::make_shared<std::atomic<bool>>(false);
  }
};

// The handler the server calls for every request, on the connection's network thread.
using Handler = std::function<Task<void>(Exchange&)>;

}  // namespace cairn::http
