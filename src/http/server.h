// http::Server: the HTTP/1.1 front door. N network threads, each with its own io_context;
// a connection stays on the thread that accepted it, and one coroutine per connection
// parses requests (keep-alive, pipelining, chunked bodies, 100-continue) and hands each one
// to the Handler as an Exchange. HTTPS when a certificate and key are given.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "http/exchange.h"

namespace cairn::http {

struct ServerOptions {
  // "host:port"; ":port" listens on all interfaces (IPv6 and IPv4 when the host has IPv6),
  // "[::1]:port" for IPv6 literals; port 0 picks a free port (see Server::port()).
  std::string address = ":9000";
  // Network threads; 0 means one per hardware thread.
  int threads = 0;
  // HTTPS when both are given (PEM files; the certificate file may hold a chain). TLS 1.2+.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Mutual TLS: when set (a PEM CA file), every client must present a certificate that
  // chains to this CA, else the handshake fails. Used by the cluster port.
  std::string tls_client_ca_file;
  // Limit on the request line plus header fields. AWS allows 8 KiB of user metadata alone,
  // and presigned URLs and STS session tokens add several KiB more, so 8 KiB total (a
  // common default) is too little; 64 KiB serves every client we know and bounds the
  // memory a slow or hostile client can pin per connection. Over the limit: 431 and close.
  std::size_t max_header_bytes = 64 * 1024;
  // A keep-alive connection with no request in progress is closed after this long.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // Once the first byte of a request arrived, its whole header must arrive within this, one
  // deadline for the whole header however slowly it trickles in (also bounds the TLS
  // handshake).
  std::chrono::milliseconds header_timeout{std::chrono::seconds(30)};
  // Each read of the request body must make progress within this; else kRequestTimeout.
  std::chrono::milliseconds body_read_timeout{std::chrono::seconds(60)};
  // Each write of the response must make progress within this; else the client is gone.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
  // After the handler returns, up to this many unread body bytes are read and discarded so
  // the connection can serve the next request; a longer remainder closes the connection.
  std::size_t max_drain_bytes = 1024 * 1024;
  // Stop() lets in-flight requests finish for this long, then closes their connections.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(10)};
  // listen(2) backlog.
  int backlog = 1024;
  // Connections open at once, in all (0: no bound), and from one client address (0: no
  // bound). A connection past either is closed at once, before any byte is read, so that
  // clients that hold connections open (slowloris) cannot exhaust the descriptors that
  // drives need, nor crowd out the other clients.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_client = 0;
  // How a request refused before any handler saw it (431: header too large, 400: malformed)
  // is answered: the protocol on top may rewrite status, content type and body (the S3 port
  // answers in S3's XML error format). Unset: plain text.
  std::function<void(int& status, std::string& content_type, std::string& body)> rewrite_reject;
};

namespace internal {
struct ServerState;
struct ServerExtras;
struct Worker;
}  // namespace internal

class Server {
 public:
  // `handler` is called for every request on the network thread of its connection; it must
  // stay valid until Stop() returned.
  Server(ServerOptions options, Handler handler);
  ~Server();  // calls Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the network threads. Errors (kInvalidArgument) are sentences
  // for the operator: a malformed address, an address in use, an unreadable certificate.
  // Call once, from any thread.
  Status Start();

  // The bound port (useful with port 0); 0 before a successful Start().
  std::uint16_t port() const { return port_; }

  // Stops accepting, closes idle connections, lets in-flight requests finish (their responses
  // carry "Connection: close") for up to options.shutdown_grace, then closes what is left and
  // joins the network threads. Idempotent; call from any thread except a network thread.
  void Stop();
  // Blocks until Stop() has completed (returns at once if the server never started).
  void Join();
  // Connections currently open, for tests and metrics.
  int open_connections() const;

 private:
  void PostToAll(void (*fn)(internal::Worker&));
  bool WaitForConnections(std::chrono::steady_clock::time_point deadline) const;

  std::unique_ptr<internal::ServerState> state_;
  std::vector<std::unique_ptr<internal::Worker>> workers_;
  std::unique_ptr<internal::ServerExtras> extras_;  // acceptor, work guards
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;

  std::mutex mu_;
  std::condition_variable stopped_cv_;
  bool started_ = false;   // GUARDED_BY(mu_): Start() was called
  bool running_ = false;   // GUARDED_BY(mu_): Start() succeeded and the threads run
  bool stopping_ = false;  // GUARDED_BY(mu_): a Stop() is running or done
  bool stopped_ = false;   // GUARDED_BY(mu_): threads joined
};

}  // namespace cairn::http
