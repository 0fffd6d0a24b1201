#include "rpc/client.h"

#include <atomic>
#include <charconv>
#include <exception>
#include <future>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include "common/log.h"
#include "common/text.h"
#include "rpc/token.h"

namespace cairn::rpc {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;
// A pooled connection idle for longer is dropped: the server closes idle connections after
// its own idle timeout (60 s), and a streamed upload cannot be retried on a stale one.
constexpr auto kMaxIdleAge = std::chrono::seconds(20);

bool IsTimeout(const error_code& ec) {
  return ec == beast::error::timeout;
}

struct Conn {
  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  ~Conn() {
    if (busy != nullptr) {
      busy->erase(this);
    }
  }

  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};
  // The client's set of connections in use by a call, while this one is in it.
  std::set<Conn*>* busy = nullptr;

  beast::tcp_stream& lowest() { return tls ? tls->next_layer() : *plain; }
};

template <class Fn>
auto WithStream(Conn& c, Fn&& fn) {
  if (c.tls) {
    return fn(*c.tls);
  }
  return fn(*c.plain);
}

// A random 64-bit id for a client's tokens (rpc/token.h TokenClaims::sender).
std::uint64_t RandomSender() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

struct Client::Impl {
  explicit Impl(ClientOptions o) : opts(std::move(o)), work(io.get_executor()) {}

  ClientOptions opts;
  std::string address;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
  std::unique_ptr<ssl::context> ssl_ctx;
  Status tls_error;  // a certificate that could not be loaded: every call fails with it
  std::atomic<bool> online{true};
  std::atomic<std::int64_t> peer_time{0};
  // Token claims (rpc/token.h): this client's random id, and the count of tokens it made.
  const std::uint64_t sender = RandomSender();
  std::atomic<std::uint64_t> counter{0};
  // Below: touched only on the client's thread.
  std::vector<std::unique_ptr<Conn>> idle;
  // Connections a call is using (owned by that call). MarkOffline closes them: a peer that
  // cannot be connected to is not going to answer a call in flight either (a partition
  // drops packets silently, so without this the call would wait for its whole deadline).
  std::set<Conn*> busy;
  bool probing = false;
  Clock::time_point last_success{};  // the last call that got an answer
  std::string offline_reason;        // why the last connect failed

  Task<Result<std::unique_ptr<Conn>>> Connect();
  Task<Result<std::unique_ptr<Conn>>> Acquire(bool& reused);
  void Release(std::unique_ptr<Conn> c);
  void MarkOffline(const Status& why);
  Task<void> Probe();
  Task<void> Heartbeat();
  Result<std::string> Decode(bhttp::response<bhttp::string_body>& res);
  void NoteTime(const bhttp::response<bhttp::string_body>& res);
};

namespace {

Status LoadTls(const TlsOptions& t, ssl::context& ctx) {
  error_code ec;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                  ec);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  if (!t.ca_file.empty()) {
    ctx.load_verify_file(t.ca_file, ec);
    if (ec) {
      return Status(Errc::kInvalidArgument,
                    "cannot load the cluster CA '" + t.ca_file + "': " + ec.message());
    }
  } else {
    ctx.set_default_verify_paths(ec);
  }
  if (!t.cert_file.empty()) {
    ctx.use_certificate_chain_file(t.cert_file, ec);
    if (ec) {
      return Status(Errc::kInvalidArgument,
                    "cannot load the cluster certificate '" + t.cert_file + "': " + ec.message());
    }
    ctx.use_private_key_file(t.key_file, ssl::context::pem, ec);
    if (ec) {
      return Status(Errc::kInvalidArgument,
                    "cannot load the cluster key '" + t.key_file + "': " + ec.message());
    }
  }
  ctx.set_verify_mode(ssl::verify_peer, ec);
  return Status::Ok();
}

}  // namespace

Task<Result<std::unique_ptr<Conn>>> Client::Impl::Connect() {
  if (!tls_error.ok()) {
    co_return tls_error;
  }
  tcp::resolver resolver(io);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(opts.host, std::to_string(opts.port), kAwait);
  if (rec) {
    co_return Status(Errc::kNodeOffline, "cannot resolve " + opts.host + ": " + rec.message());
  }
  auto c = std::make_unique<Conn>();
  if (opts.tls.enabled) {
    c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, *ssl_ctx);
  } else {
    c->plain = std::make_unique<beast::tcp_stream>(io);
  }
  beast::tcp_stream& low = c->lowest();
  low.expires_after(opts.connect_timeout);
  auto [ec, ep] = co_await low.async_connect(endpoints, kAwait);
  if (ec) {
    co_return Status(Errc::kNodeOffline,
                     "cannot connect to " + address + ": " +
                         (IsTimeout(ec) ? "no answer within " +
                                              std::to_string(opts.connect_timeout.count()) + " ms"
                                        : ec.message()));
  }
  error_code ignored;
  low.socket().set_option(tcp::no_delay(true), ignored);
  // Closing resets the connection and drops what the kernel has not delivered yet: a call
  // given up on (timed out, or cut off by MarkOffline) must not reach the peer later, when a
  // partition heals and TCP retransmits it (a Lock executed then leaves a grant behind that
  // its caller already released; a storage call would run long after its caller failed it).
  low.socket().set_option(asio::socket_base::linger(true, 0), ignored);
  if (c->tls) {
    const std::string name = opts.tls.server_name.empty() ? opts.host : opts.tls.server_name;
    SSL_set_tlsext_host_name(c->tls->native_handle(), name.c_str());
    c->tls->set_verify_callback(ssl::host_name_verification(name), ignored);
    low.expires_after(opts.connect_timeout);
    auto [hec] = co_await c->tls->async_handshake(ssl::stream_base::client, kAwait);
    if (hec) {
      co_return Status(Errc::kNodeOffline,
                       "the TLS handshake with " + address + " failed: " + hec.message());
    }
  }
  low.expires_never();
  co_return c;
}

Task<Result<std::unique_ptr<Conn>>> Client::Impl::Acquire(bool& reused) {
  const auto now = Clock::now();
  while (!idle.empty()) {
    std::unique_ptr<Conn> c = std::move(idle.back());
    idle.pop_back();
    if (now - c->idle_since < kMaxIdleAge) {
      reused = true;
      c->busy = &busy;
      busy.insert(c.get());
      co_return c;
    }
  }
  reused = false;
  if (!online.load()) {
    co_return Status(Errc::kNodeOffline, "peer " + address + " is offline (probing every " +
                                             std::to_string(opts.probe_interval.count()) +
                                             " ms): " + offline_reason);
  }
  auto c = co_await Connect();
  if (!c.ok()) {
    MarkOffline(c.status());
  } else {
    (*c)->busy = &busy;
    busy.insert(c->get());
  }
  co_return c;
}

void Client::Impl::Release(std::unique_ptr<Conn> c) {
  busy.erase(c.get());
  c->busy = nullptr;
  if (idle.size() < opts.max_idle_connections) {
    c->lowest().expires_never();
    c->idle_since = Clock::now();
    idle.push_back(std::move(c));
  }
}

void Client::Impl::MarkOffline(const Status& why) {
  offline_reason = why.message();
  if (online.exchange(false)) {
    LOG_WARN("peer {} is offline: {}", address, why.message());
  }
  idle.clear();
  for (Conn* c : busy) {
    error_code ignored;
    c->lowest().socket().close(ignored);  // its call fails now with kNodeOffline
  }
  if (!probing) {
    probing = true;
    asio::co_spawn(io, Probe(), asio::detached);
  }
}

Task<void> Client::Impl::Probe() {
  asio::steady_timer timer(io);
  for (;;) {
    timer.expires_after(opts.probe_interval);
    auto [ec] = co_await timer.async_wait(kAwait);
    if (ec) {
      co_return;
    }
    auto c = co_await Connect();
    if (!c.ok()) {
      offline_reason = c.status().message();
    }
    if (c.ok()) {
      Release(std::move(*c));
      probing = false;
      online.store(true);
      LOG_INFO("peer {} is online again", address);
      co_return;
    }
  }
}

Task<void> Client::Impl::Heartbeat() {
  asio::steady_timer timer(io);
  for (;;) {
    timer.expires_after(opts.heartbeat_interval);
    auto [ec] = co_await timer.async_wait(kAwait);
    if (ec) {
      co_return;
    }
    if (!online.load() || probing || Clock::now() - last_success < opts.heartbeat_interval) {
      continue;
    }
    auto c = co_await Connect();
    if (c.ok()) {
      last_success = Clock::now();
      Release(std::move(*c));
    } else {
      MarkOffline(c.status());
    }
  }
}

void Client::Impl::NoteTime(const bhttp::response<bhttp::string_body>& res) {
  auto it = res.find(kTimeHeader);
  if (it == res.end()) {
    return;
  }
  std::int64_t ms = 0;
  const auto v = it->value();
  if (std::from_chars(v.data(), v.data() + v.size(), ms).ec == std::errc()) {
    peer_time.store(ms);
  }
}

Result<std::string> Client::Impl::Decode(bhttp::response<bhttp::string_body>& res) {
  NoteTime(res);
  if (res.result_int() == 200) {
    return std::move(res.body());
  }
  auto it = res.find(kErrcHeader);
  std::int64_t number = 0;
  if (it != res.end()) {
    const auto v = it->value();
    if (std::from_chars(v.data(), v.data() + v.size(), number).ec != std::errc()) {
      number = ErrcToWire(Errc::kUnknown);
    }
    return Status(ErrcFromWire(number), std::move(res.body()));
  }
  return Status(Errc::kInternal, "peer " + address + " answered HTTP " +
                                     std::to_string(res.result_int()) + " without an RPC error");
}

namespace {

struct CallArgs {
  MethodId method;
  std::string_view resource;
  std::string_view body;
  std::string_view request_id;
  Clock::time_point deadline;
};

// The headers of every call, and its token: bound to this node's name for the peer (Host),
// the method, the drive, the arguments of a stream call (`args_hex`) and the body's hash
// (`body_sha256`: of a small call's body, or kUnsignedStreamBody).
template <class Req>
void SetCommonHeaders(Req& req, Client::Impl& im, const CallArgs& a, const std::string& path,
                      std::string_view args_hex, std::string_view body_sha256) {
  req.set(bhttp::field::host, im.address);
  const std::string resource =
      a.resource.empty() ? std::string() : UriEncode(a.resource, /*keep_slash=*/true);
  if (!resource.empty()) {
    req.set(kResourceHeader, resource);
  }
  if (!args_hex.empty()) {
    req.set(kArgsHeader, args_hex);
  }
  req.set(kBodyShaHeader, body_sha256);
  TokenScope scope{"POST", path, im.address, resource, args_hex, body_sha256};
  TokenClaims claims{NowUnixMs(), im.sender, im.counter.fetch_add(1, std::memory_order_relaxed)};
  req.set(kTokenHeader, MakeToken(im.opts.token_key, scope, claims));
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(a.deadline - Clock::now()).count();
  req.set(kTimeoutHeader, std::to_string(std::max<std::int64_t>(1, left)));
  if (!a.request_id.empty()) {
    req.set(kRequestIdHeader, a.request_id);
  }
  req.keep_alive(true);
}

Status NetworkError(const error_code& ec, const std::string& address, std::string_view what) {
  if (IsTimeout(ec)) {
    return Status(Errc::kTimeout, std::string(what) + " to " + address + " timed out");
  }
  return Status(Errc::kNodeOffline,
                std::string(what) + " to " + address + " failed: " + ec.message());
}

Task<Result<std::string>> DoCall(Client::Impl& im, CallArgs a) {
  const std::string body_sha256 = BodySha256Hex(a.body);
  const std::string path = MethodPath(a.method);
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    auto conn = co_await im.Acquire(reused);
    if (!conn.ok()) {
      co_return conn.status();
    }
    Conn& c = **conn;
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, path, 11};
    SetCommonHeaders(req, im, a, path, {}, body_sha256);
    req.body().assign(a.body.data(), a.body.size());
    req.prepare_payload();
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(im.opts.max_response_body);
    c.lowest().expires_at(a.deadline);
    error_code ec = co_await WithStream(c, [&](auto& s) -> Task<error_code> {
      auto [wec, wn] = co_await bhttp::async_write(s, req, kAwait);
      if (wec) {
        co_return wec;
      }
      auto [rec, rn] = co_await bhttp::async_read(s, c.buffer, parser, kAwait);
      co_return rec;
    });
    if (ec) {
      // A pooled connection the peer closed while idle fails before any response byte: the
      // call never reached a handler, so one retry on a fresh connection is safe.
      if (reused && attempt == 0 && !parser.got_some() && !IsTimeout(ec)) {
        continue;
      }
      if (ec == bhttp::error::body_limit) {
        co_return Status(Errc::kEntityTooLarge, "reply over the client's limit");
      }
      co_return NetworkError(ec, im.address, "RPC " + std::to_string(a.method));
    }
    auto res = parser.release();
    const bool keep = res.keep_alive();
    im.last_success = Clock::now();
    auto out = im.Decode(res);
    if (keep) {
      im.Release(std::move(*conn));
    }
    co_return out;
  }
}

}  // namespace

class UploadStreamImpl final : public UploadStream {
 public:
  UploadStreamImpl(Client::Impl& im, std::unique_ptr<Conn> conn, Clock::time_point deadline)
      : im_(im), conn_(std::move(conn)), deadline_(deadline) {}

  ~UploadStreamImpl() override {
    if (conn_) {
      // Unfinished: the connection is mid-body and cannot be reused; close it on its thread.
      asio::post(im_.io, [c = std::shared_ptr<Conn>(std::move(conn_))] {});
    }
  }

  Task<Status> Write(std::span<const std::byte> data) override {
    if (!conn_) {
      co_return failure_.ok() ? Status(Errc::kInternal, "write after the upload finished")
                              : failure_;
    }
    auto [e, st] = co_await asio::co_spawn(im_.io, DoWrite(data), kAwait);
    co_return e ? Status(Errc::kInternal, "upload write threw") : st;
  }

  Task<Result<std::string>> Finish() override {
    if (!conn_) {
      co_return failure_.ok() ? Status(Errc::kInternal, "finish after the upload finished")
                              : failure_;
    }
    auto [e, r] = co_await asio::co_spawn(im_.io, DoFinish(), kAwait);
    if (e) {
      co_return Status(Errc::kInternal, "upload finish threw");
    }
    co_return std::move(r);
  }

 private:
  void Arm() {
    const auto t = std::min(deadline_, Clock::now() + im_.opts.io_timeout);
    conn_->lowest().expires_at(t);
  }

  Task<Status> DoWrite(std::span<const std::byte> data) {
    if (data.empty()) {
      co_return Status::Ok();
    }
    Arm();
    error_code ec = co_await WithStream(*conn_, [&](auto& s) -> Task<error_code> {
      auto [wec, n] = co_await asio::async_write(
          s, bhttp::make_chunk(asio::buffer(data.data(), data.size())), kAwait);
      co_return wec;
    });
    if (ec) {
      co_return co_await Fail(ec);
    }
    co_return Status::Ok();
  }

  // The peer may have answered early (an error) and closed: its answer says why.
  Task<Status> Fail(error_code ec) {
    conn_->lowest().expires_after(std::chrono::milliseconds(500));
    auto res = co_await ReadResponse();
    conn_.reset();
    if (res.ok() && res->result_int() != 200) {
      failure_ = im_.Decode(*res).status();
    } else {
      failure_ = NetworkError(ec, im_.address, "upload");
    }
    co_return failure_;
  }

  Task<Result<bhttp::response<bhttp::string_body>>> ReadResponse() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(im_.opts.max_response_body);
    error_code ec = co_await WithStream(*conn_, [&](auto& s) -> Task<error_code> {
      auto [rec, n] = co_await bhttp::async_read(s, conn_->buffer, parser, kAwait);
      co_return rec;
    });
    if (ec) {
      co_return NetworkError(ec, im_.address, "upload");
    }
    co_return parser.release();
  }

  Task<Result<std::string>> DoFinish() {
    Arm();
    error_code ec = co_await WithStream(*conn_, [&](auto& s) -> Task<error_code> {
      auto [wec, n] = co_await asio::async_write(s, bhttp::make_chunk_last(), kAwait);
      co_return wec;
    });
    if (ec) {
      co_return co_await Fail(ec);
    }
    conn_->lowest().expires_at(deadline_);
    auto res = co_await ReadResponse();
    if (!res.ok()) {
      conn_.reset();
      co_return res.status();
    }
    const bool keep = res->keep_alive();
    auto out = im_.Decode(*res);
    if (keep) {
      im_.Release(std::move(conn_));
    }
    conn_.reset();
    co_return out;
  }

  Client::Impl& im_;
  std::unique_ptr<Conn> conn_;
  Status failure_;  // why conn_ was dropped early
  const Clock::time_point deadline_;
};

namespace {

// Sends the header with "Expect: 100-continue" and waits for the peer's verdict: "100
// Continue" once its handler accepted the call (e.g. the shard file was created), or the
// final error, so that OpenUpload fails where the local call would.
Task<Result<std::unique_ptr<UploadStream>>> DoOpenUpload(Client::Impl& im, CallArgs a) {
  const std::string args_hex = HexEncode(a.body);
  const std::string path = MethodPath(a.method);
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    auto conn = co_await im.Acquire(reused);
    if (!conn.ok()) {
      co_return conn.status();
    }
    bhttp::request<bhttp::empty_body> req{bhttp::verb::post, path, 11};
    SetCommonHeaders(req, im, a, path, args_hex, kUnsignedStreamBody);
    req.set(bhttp::field::expect, "100-continue");
    req.chunked(true);
    bhttp::request_serializer<bhttp::empty_body> sr{req};
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(im.opts.max_response_body);
    Conn& c = **conn;
    c.lowest().expires_at(std::min(a.deadline, Clock::now() + im.opts.io_timeout));
    error_code ec = co_await WithStream(c, [&](auto& s) -> Task<error_code> {
      auto [wec, n] = co_await bhttp::async_write_header(s, sr, kAwait);
      if (wec) {
        co_return wec;
      }
      auto [rec, rn] = co_await bhttp::async_read(s, c.buffer, parser, kAwait);
      co_return rec;
    });
    if (ec) {
      if (reused && attempt == 0 && !parser.got_some() && !IsTimeout(ec)) {
        continue;  // a pooled connection the peer had closed: nothing was processed
      }
      co_return NetworkError(ec, im.address, "upload");
    }
    auto res = parser.release();
    if (res.result() != bhttp::status::continue_) {
      im.last_success = Clock::now();
      auto out = im.Decode(res);
      co_return out.ok() ? Status(Errc::kInternal, "the peer answered an upload before its body")
                         : out.status();
    }
    co_return std::unique_ptr<UploadStream>(
        std::make_unique<UploadStreamImpl>(im, std::move(*conn), a.deadline));
  }
}

Clock::time_point DeadlineOf(const RequestContext& ctx, std::chrono::milliseconds cap) {
  return std::min(ctx.deadline, Clock::now() + cap);
}

}  // namespace

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  Impl& im = *impl_;
  im.address = im.opts.host + ":" + std::to_string(im.opts.port);
  if (im.opts.host.find(':') != std::string::npos) {
    im.address = "[" + im.opts.host + "]:" + std::to_string(im.opts.port);
  }
  if (im.opts.tls.enabled) {
    im.ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    im.tls_error = LoadTls(im.opts.tls, *im.ssl_ctx);
  }
  if (im.opts.heartbeat_interval.count() > 0) {
    asio::co_spawn(im.io, im.Heartbeat(), asio::detached);
  }
  im.thread = std::thread([&im] { im.io.run(); });
}

Client::~Client() {
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
  impl_->idle.clear();
  // Calls abandoned in flight are destroyed with the io_context, after `busy`.
  for (Conn* c : impl_->busy) {
    c->busy = nullptr;
  }
  impl_->busy.clear();
}

bool Client::online() const {
  return impl_->online.load(std::memory_order_relaxed);
}

std::int64_t Client::peer_time_ms() const {
  return impl_->peer_time.load(std::memory_order_relaxed);
}

std::string Client::address() const {
  return impl_->address;
}

Task<Result<std::string>> Client::Call(const RequestContext& ctx, MethodId method,
                                       std::string_view resource, std::string_view body) {
  if (ctx.Expired()) {
    co_return Status(Errc::kTimeout, "the call's deadline passed before it was sent");
  }
  CallArgs a{method, resource, body, ctx.request_id, DeadlineOf(ctx, impl_->opts.call_timeout)};
  auto [e, r] = co_await asio::co_spawn(impl_->io, DoCall(*impl_, a), kAwait);
  if (e) {
    co_return Status(Errc::kInternal, "RPC call threw");
  }
  co_return std::move(r);
}

Task<Result<std::unique_ptr<UploadStream>>> Client::OpenUpload(const RequestContext& ctx,
                                                               MethodId method,
                                                               std::string_view resource,
                                                               std::string_view args) {
  if (ctx.Expired()) {
    co_return Status(Errc::kTimeout, "the call's deadline passed before it was sent");
  }
  CallArgs a{method, resource, args, ctx.request_id, DeadlineOf(ctx, impl_->opts.call_timeout)};
  auto [e, r] = co_await asio::co_spawn(impl_->io, DoOpenUpload(*impl_, a), kAwait);
  if (e) {
    co_return Status(Errc::kInternal, "RPC upload threw");
  }
  co_return std::move(r);
}

std::size_t Client::IdleConnectionsForTest() {
  std::promise<std::size_t> p;
  asio::post(impl_->io, [&] { p.set_value(impl_->idle.size()); });
  return p.get_future().get();
}

}  // namespace cairn::rpc
