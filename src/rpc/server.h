// rpc::Server: the serving half of inter-node RPC. Not a listener of its own: it is an
// http::Handler that the node's wiring mounts on the cluster port, or on the S3 port for
// paths under /cairn/rpc/ (before S3 authentication). It checks the caller's token, decodes
// the deadline and request id into a RequestContext, finds the handler registered for the
// method id (and resource, e.g. a drive path), and encodes the result or Errc (docs/rpc.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_stream.h"
#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "http/exchange.h"
#include "rpc/protocol.h"
#include "rpc/token.h"

namespace cairn::rpc {

struct ServerOptions {
  // DeriveTokenKey of the root credentials; every call must carry a valid token.
  std::string token_key;
  std::chrono::seconds token_skew = kDefaultTokenSkew;
  // The largest request body of a small call (read whole before the handler runs).
  std::size_t max_body = 64 << 20;
  // Deadline of a call that names none.
  std::chrono::milliseconds default_timeout{std::chrono::minutes(5)};
  // The names ("host:port") callers use for this node; a call whose token names another
  // node (Host header) is refused. Empty: any (a server that does not know its name, tests).
  std::vector<std::string> self_hosts;
};

// A call with a small body: the handler gets the whole body and returns the whole reply.
using Handler =
    std::function<Task<Result<std::string>>(const RequestContext& ctx, std::string_view body)>;
// A call with a streamed request body (shard data): `args` come from the request header,
// `body` streams in bounded blocks; the reply is small.
using StreamHandler = std::function<Task<Result<std::string>>(
    const RequestContext& ctx, std::string_view args, ByteSource& body)>;

class Server {
 public:
  explicit Server(ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Registers `handler` for (method, resource); an empty resource is the method's default.
  // A second registration of the same pair replaces the first. Thread-safe; handlers may be
  // added while the server serves.
  void Register(MethodId method, std::string_view resource, Handler handler);
  void RegisterStream(MethodId method, std::string_view resource, StreamHandler handler);
  // Removes every handler of `resource` (e.g. a drive that went away).
  void Unregister(std::string_view resource);

  // Serves one request whose path starts with kReservedPrefix. Answers 403 without a valid
  // token, 404 for an unknown version, method or resource, and never throws.
  Task<void> Handle(http::Exchange& ex);
  // [this](http::Exchange& ex) { return Handle(ex); }
  http::Handler AsHandler();

  // Calls served (tests, metrics).
  std::size_t calls() const;

 private:
  struct Entry {
    Handler small;
    StreamHandler stream;
  };

  Result<Entry> Find(MethodId method, const std::string& resource) const;

  const ServerOptions options_;
  ReplayGuard replays_{options_.token_skew};
  mutable std::mutex mu_;
  // (method, resource) -> handler. GUARDED_BY(mu_).
  std::map<std::pair<MethodId, std::string>, Entry> handlers_;
  std::size_t calls_ = 0;  // GUARDED_BY(mu_)
};

// True when an http path belongs to RPC (starts with kReservedPrefix).
inline bool IsRpcPath(std::string_view path) {
  return path.starts_with(kReservedPrefix);
}

}  // namespace cairn::rpc
