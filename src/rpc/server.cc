#include "rpc/server.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "common/text.h"
#include "rpc/token.h"

namespace cairn::rpc {
namespace {

// Answers an error in the wire form: the Errc number in kErrcHeader, the message as body.
Task<void> RespondError(http::Exchange& ex, int http_status, const Status& st) {
  if (ex.response_started()) {
    ex.CloseAfterResponse();
    co_return;
  }
  http::Headers headers = {{std::string(kErrcHeader), std::to_string(ErrcToWire(st.code()))},
                           {std::string(kTimeHeader), std::to_string(NowUnixMs())},
                           {"content-type", "text/plain"}};
  const std::string message = st.message();
  (void)co_await ex.Respond(http_status, std::move(headers), message);
}

int HttpStatusOf(Errc code) {
  switch (code) {
    case Errc::kRpcUnauthenticated:
    case Errc::kRequestTimeTooSkewed:
      return 403;
    case Errc::kNotImplemented:
      return 404;
    default:
      return 500;
  }
}

std::string HeaderOr(const http::Request& req, std::string_view name) {
  const std::string* v = req.Header(name);
  return v != nullptr ? *v : std::string();
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {}

void Server::Register(MethodId method, std::string_view resource, Handler handler) {
  std::lock_guard lock(mu_);
  handlers_[{method, std::string(resource)}] = Entry{std::move(handler), nullptr};
}

void Server::RegisterStream(MethodId method, std::string_view resource, StreamHandler handler) {
  std::lock_guard lock(mu_);
  handlers_[{method, std::string(resource)}] = Entry{nullptr, std::move(handler)};
}

void Server::Unregister(std::string_view resource) {
  std::lock_guard lock(mu_);
  std::erase_if(handlers_, [&](const auto& kv) { return kv.first.second == resource; });
}

std::size_t Server::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

Result<Server::Entry> Server::Find(MethodId method, const std::string& resource) const {
  std::lock_guard lock(mu_);
  auto it = handlers_.find({method, resource});
  if (it != handlers_.end()) {
    return it->second;
  }
  bool known_method = false;
  for (const auto& [key, entry] : handlers_) {
    known_method = known_method || key.first == method;
  }
  if (known_method && !resource.empty()) {
    return Status(Errc::kDiskNotFound, "'" + resource + "' is not served by this node");
  }
  return Status(Errc::kNotImplemented,
                "RPC method " + std::to_string(method) + " is not known to this node");
}

http::Handler Server::AsHandler() {
  return [this](http::Exchange& ex) { return Handle(ex); };
}

Task<void> Server::Handle(http::Exchange& ex) {
  const http::Request& req = ex.request();
  auto method = ParseMethodPath(req.path);
  if (!method) {
    ex.CloseAfterResponse();
    co_await RespondError(
        ex, 404,
        Status(Errc::kNotImplemented, "not an RPC path of protocol version " +
                                          std::to_string(kProtocolVersion) + ": " + req.path));
    co_return;
  }
  // The token is checked before anything else is read: it covers the target node, the
  // method, the drive, the arguments and the body's hash (checked once the body is read).
  const std::string host = HeaderOr(req, "host");
  const std::string resource_header = HeaderOr(req, kResourceHeader);
  const std::string args_header = HeaderOr(req, kArgsHeader);
  const std::string body_sha256 = HeaderOr(req, kBodyShaHeader);
  const std::int64_t now = NowUnixMs();
  Status auth = Status::Ok();
  auto claims =
      VerifyToken(options_.token_key, HeaderOr(req, kTokenHeader),
                  TokenScope{req.method, req.path, host, resource_header, args_header, body_sha256},
                  now, options_.token_skew);
  if (!claims.ok()) {
    auth = claims.status();
  } else if (!options_.self_hosts.empty() &&
             std::find(options_.self_hosts.begin(), options_.self_hosts.end(), host) ==
                 options_.self_hosts.end()) {
    auth = Status(Errc::kRpcUnauthenticated, "the RPC is addressed to another node: " + host);
  } else if (!replays_.Accept(claims->sender, claims->counter, now)) {
    auth = Status(Errc::kRpcUnauthenticated, "the RPC token was used before (a replay)");
  }
  if (!auth.ok()) {
    ex.CloseAfterResponse();
    co_await RespondError(ex, 403, auth);
    co_return;
  }
  if (req.method != "POST") {
    co_await RespondError(ex, 405, Status(Errc::kInvalidArgument, "RPC calls are POSTs"));
    co_return;
  }
  auto resource = PercentDecode(resource_header, /*plus_as_space=*/false);
  if (!resource) {
    co_await RespondError(ex, 400, Status(Errc::kInvalidArgument, "malformed RPC resource"));
    co_return;
  }
  auto entry = Find(*method, *resource);
  if (!entry.ok()) {
    co_await RespondError(ex, HttpStatusOf(entry.status().code()), entry.status());
    co_return;
  }

  RequestContext ctx;
  ctx.request_id = HeaderOr(req, kRequestIdHeader);
  ctx.cancelled = ex.cancelled();
  std::chrono::milliseconds timeout = options_.default_timeout;
  const std::string timeout_text = HeaderOr(req, kTimeoutHeader);
  std::int64_t ms = 0;
  if (!timeout_text.empty() &&
      std::from_chars(timeout_text.data(), timeout_text.data() + timeout_text.size(), ms).ec ==
          std::errc() &&
      ms > 0) {
    timeout = std::min(timeout, std::chrono::milliseconds(ms));
  }
  ctx.deadline = RequestContext::Clock::now() + timeout;
  {
    std::lock_guard lock(mu_);
    ++calls_;
  }

  Result<std::string> result;
  if (entry->stream) {
    auto args = HexDecode(args_header);
    if (!args) {
      co_await RespondError(ex, 400, Status(Errc::kInvalidArgument, "malformed RPC args"));
      co_return;
    }
    result = co_await entry->stream(ctx, *args, ex.body());
  } else {
    auto body = co_await ReadAll(ex.body(), options_.max_body);
    if (!body.ok()) {
      ex.CloseAfterResponse();
      co_await RespondError(ex, 400, body.status());
      co_return;
    }
    if (BodySha256Hex(*body) != body_sha256) {
      co_await RespondError(
          ex, 403,
          Status(Errc::kRpcUnauthenticated, "the RPC body is not the one its token signs"));
      co_return;
    }
    result = co_await entry->small(ctx, *body);
  }
  if (!result.ok()) {
    co_await RespondError(ex, HttpStatusOf(result.status().code()), result.status());
    co_return;
  }
  http::Headers headers = {{"content-type", "application/octet-stream"},
                           {std::string(kTimeHeader), std::to_string(NowUnixMs())}};
  (void)co_await ex.Respond(200, std::move(headers), *result);
}

}  // namespace cairn::rpc
