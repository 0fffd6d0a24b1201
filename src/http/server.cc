#include "http/server.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <future>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/ssl.h>

#include "common/log.h"
#include "http/connection.h"

namespace cairn::http {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace internal {

// One network thread's io_context plus what keeps it running.
using Acceptor = asio::basic_socket_acceptor<tcp, asio::io_context::executor_type>;
using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;

}  // namespace internal

namespace {

using internal::Clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

void LogIfThrew(std::exception_ptr e) {
  if (!e) {
    return;
  }
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    LOG_ERROR("http: connection coroutine threw: {}", ex.what());
  } catch (...) {
    LOG_ERROR("http: connection coroutine threw a non-exception");
  }
}

struct HostPort {
  std::string host;  // empty: all interfaces
  std::uint16_t port = 0;
};

Result<HostPort> ParseAddress(std::string_view address) {
  auto bad = [&](std::string_view why) {
    return Status(Errc::kInvalidArgument,
                  "bad listen address '" + std::string(address) + "': " + std::string(why));
  };
  HostPort out;
  std::string_view port;
  if (!address.empty() && address.front() == '[') {
    std::size_t close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return bad("expected [ipv6]:port");
    }
    out.host = std::string(address.substr(1, close - 1));
    port = address.substr(close + 2);
  } else {
    std::size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) {
      return bad("expected host:port or :port");
    }
    out.host = std::string(address.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return bad("write IPv6 addresses in brackets, as [::1]:9000");
    }
    port = address.substr(colon + 1);
  }
  unsigned value = 0;
  auto r = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || value > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

// The endpoints to try, in order.
Result<std::vector<tcp::endpoint>> ResolveListenAddress(std::string_view address) {
  ASSIGN_OR_RETURN(HostPort hp, ParseAddress(address));
  std::vector<tcp::endpoint> out;
  if (hp.host.empty()) {
    out.emplace_back(tcp::v6(), hp.port);  // dual stack where IPv6 exists
    out.emplace_back(tcp::v4(), hp.port);
    return out;
  }
  error_code ec;
  auto ip = asio::ip::make_address(hp.host, ec);
  if (!ec) {
    out.emplace_back(ip, hp.port);
    return out;
  }
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(hp.host, std::to_string(hp.port), ec);
  if (ec || results.empty()) {
    return Status(Errc::kInvalidArgument, "cannot resolve host '" + hp.host +
                                              "' of listen address '" + std::string(address) +
                                              "': " + (ec ? ec.message() : "no addresses"));
  }
  for (const auto& entry : results) {
    out.push_back(entry.endpoint());
  }
  return out;
}

Status OpenAcceptor(internal::Acceptor& acceptor, const tcp::endpoint& ep, int backlog) {
  error_code ec;
  acceptor.open(ep.protocol(), ec);
  if (!ec && ep.address().is_v6() && ep.address().is_unspecified()) {
    acceptor.set_option(asio::ip::v6_only(false), ec);
  }
  if (!ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(ep, ec);
  }
  if (!ec) {
    acceptor.listen(backlog, ec);
  }
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return Status(Errc::kInvalidArgument, ec.message());
  }
  return Status::Ok();
}

Result<std::unique_ptr<asio::ssl::context>> LoadTls(const ServerOptions& o) {
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return Status(Errc::kInvalidArgument,
                  "HTTPS needs both a certificate file and a private key file");
  }
  if (o.tls_cert_file.empty()) {
    return std::unique_ptr<asio::ssl::context>();
  }
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                   ec);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->use_certificate_chain_file(o.tls_cert_file, ec);
  if (ec) {
    return Status(Errc::kInvalidArgument,
                  "cannot load the TLS certificate '" + o.tls_cert_file + "': " + ec.message());
  }
  ctx->use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return Status(Errc::kInvalidArgument,
                  "cannot load the TLS private key '" + o.tls_key_file + "': " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Status(Errc::kInvalidArgument, "the TLS private key '" + o.tls_key_file +
                                              "' does not match the certificate '" +
                                              o.tls_cert_file + "'");
  }
  if (!o.tls_client_ca_file.empty()) {
    ctx->load_verify_file(o.tls_client_ca_file, ec);
    if (ec) {
      return Status(Errc::kInvalidArgument,
                    "cannot load the client CA '" + o.tls_client_ca_file + "': " + ec.message());
    }
    ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
    static constexpr unsigned char kSessionContext[] = "cairn-mtls";
    SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext,
                                   sizeof(kSessionContext) - 1);
  }
  return ctx;
}

Task<void> AcceptLoop(internal::ServerState& state, internal::Acceptor& acceptor,
                      std::vector<std::unique_ptr<internal::Worker>>& workers) {
  std::size_t next = 0;
  asio::steady_timer backoff(acceptor.get_executor());
  while (!state.stopping.load()) {
    internal::Worker& w = *workers[next];
    next = (next + 1) % workers.size();
    auto [ec, socket] = co_await acceptor.async_accept(w.io.get_executor(), kAwait);
    if (ec) {
      if (state.stopping.load() || ec == asio::error::operation_aborted) {
        break;
      }
      // Out of descriptors or memory: wait a little instead of spinning.
      LOG_WARN("http: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      (void)co_await backoff.async_wait(kAwait);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(w.io, internal::ServeConnection(state, w, std::move(socket)), LogIfThrew);
  }
}

// Closes connections whose deadline passed. One timer per thread instead of one per I/O.
Task<void> Sweep(internal::Worker& w, Clock::duration interval) {
  asio::steady_timer timer(w.io);
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(kAwait);
    if (ec) {
      co_return;
    }
    auto now = Clock::now();
    w.connections.ForEach([now](internal::ConnectionBase& c) {
      if (c.deadline() <= now) {
        c.Expire();
      }
    });
  }
}

Clock::duration SweepInterval(const ServerOptions& o) {
  auto shortest =
      std::min({o.idle_timeout, o.header_timeout, o.body_read_timeout, o.write_timeout});
  auto interval = std::chrono::duration_cast<Clock::duration>(shortest) / 8;
  return std::clamp<Clock::duration>(interval, std::chrono::milliseconds(5),
                                     std::chrono::seconds(1));
}

}  // namespace

namespace internal {

// Members that Server keeps out of its header.
struct ServerExtras {
  std::unique_ptr<Acceptor> acceptor;
  std::vector<WorkGuard> guards;
};

}  // namespace internal

Server::Server(ServerOptions options, Handler handler)
    : state_(std::make_unique<internal::ServerState>(std::move(options), std::move(handler))) {}

Server::~Server() {
  Stop();
  // The acceptor and the coroutine frames still queued on the io_contexts go before the
  // state they refer to.
  extras_.reset();
  workers_.clear();
}

Status Server::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) {
      return Status(Errc::kInvalidArgument, "the server was already started");
    }
    started_ = true;
  }
  const ServerOptions& o = state_->options;
  if (o.max_header_bytes < 1024 || o.max_header_bytes > (1u << 30)) {
    return Status(Errc::kInvalidArgument, "max_header_bytes must be between 1 KiB and 1 GiB");
  }
  auto tls = LoadTls(o);
  if (!tls.ok()) {
    return tls.status();
  }
  state_->tls = std::move(*tls);
  auto endpoints = ResolveListenAddress(o.address);
  if (!endpoints.ok()) {
    return endpoints.status();
  }

  int threads = o.threads > 0 ? o.threads
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<internal::Worker>());
  }
  extras_ = std::make_unique<internal::ServerExtras>();
  extras_->acceptor = std::make_unique<internal::Acceptor>(workers_[0]->io.get_executor());
  Status st;
  for (const auto& ep : *endpoints) {
    st = OpenAcceptor(*extras_->acceptor, ep, o.backlog);
    if (st.ok()) {
      break;
    }
  }
  if (!st.ok()) {
    return Status(Errc::kInvalidArgument, "cannot listen on '" + o.address + "': " + st.message());
  }
  error_code ec;
  port_ = extras_->acceptor->local_endpoint(ec).port();

  auto interval = SweepInterval(o);
  for (auto& w : workers_) {
    extras_->guards.emplace_back(w->io.get_executor());
    asio::co_spawn(w->io, Sweep(*w, interval), LogIfThrew);
  }
  asio::co_spawn(workers_[0]->io, AcceptLoop(*state_, *extras_->acceptor, workers_), LogIfThrew);
  for (auto& w : workers_) {
    threads_.emplace_back([io = &w->io] {
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          LOG_ERROR("http: network thread caught: {}", e.what());
        }
      }
    });
  }
  {
    std::lock_guard lock(mu_);
    running_ = true;
  }
  LOG_INFO("http: listening on {} (port {}, {} threads{})", o.address, port_, threads,
           state_->tls ? ", TLS" : "");
  return Status::Ok();
}

void Server::PostToAll(void (*fn)(internal::Worker&)) {
  for (auto& w : workers_) {
    asio::post(w->io, [fn, worker = w.get()] { fn(*worker); });
  }
}

bool Server::WaitForConnections(Clock::time_point deadline) const {
  while (state_->open_connections.load() > 0) {
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

int Server::open_connections() const {
  return state_->open_connections.load();
}

void Server::Stop() {
  {
    std::unique_lock lock(mu_);
    if (!running_) {
      return;
    }
    if (stopping_) {
      stopped_cv_.wait(lock, [this] { return stopped_; });
      return;
    }
    stopping_ = true;
  }
  state_->stopping.store(true);
  // The acceptor belongs to worker 0's thread; wait until it is closed there, so that no
  // connection is accepted after Stop() began to wait.
  std::promise<void> closed;
  asio::post(workers_[0]->io, [this, &closed] {
    error_code ec;
    extras_->acceptor->close(ec);
    closed.set_value();
  });
  closed.get_future().wait();
  PostToAll([](internal::Worker& w) {
    w.connections.ForEach([](internal::ConnectionBase& c) { c.CloseIfIdle(); });
  });
  if (!WaitForConnections(Clock::now() + state_->options.shutdown_grace)) {
    LOG_WARN("http: {} connections still busy after the shutdown grace; closing them",
             state_->open_connections.load());
    PostToAll([](internal::Worker& w) {
      w.connections.ForEach([](internal::ConnectionBase& c) { c.Abort(); });
    });
    WaitForConnections(Clock::now() + std::chrono::seconds(1));
  }
  extras_->guards.clear();
  for (auto& w : workers_) {
    w->io.stop();
  }
  for (auto& t : threads_) {
    t.join();
  }
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  stopped_cv_.notify_all();
}

void Server::Join() {
  std::unique_lock lock(mu_);
  if (!running_) {
    return;
  }
  stopped_cv_.wait(lock, [this] { return stopped_; });
}

}  // namespace cairn::http
