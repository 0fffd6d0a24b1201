// Internal to src/http: what the Server shares with its per-connection coroutines. A Worker
// is one network thread's io_context plus the connections living on it; the Server's
// sweeper and Stop() walk that list on the worker's own thread, so it needs no lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/task.h"
#include "http/exchange.h"
#include "http/server.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace cairn::http::internal {

using Clock = std::chrono::steady_clock;
// Sockets bound to a concrete io_context executor: no type-erased executor on the hot path.
using Socket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

// One open connection as its worker sees it. Every method runs on the worker's thread.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;

  // When the current read or write must have completed; Clock::time_point::max() while
  // the handler works without waiting on the socket.
  Clock::time_point deadline() const { return deadline_; }

  // The deadline passed: close the socket so the pending operation fails.
  virtual void Expire() = 0;
  // The server is stopping: close the connection if no request is in progress.
  virtual void CloseIfIdle() = 0;
  // Shutdown grace is over: close the connection now and flag the request cancelled.
  virtual void Abort() = 0;

 protected:
  Clock::time_point deadline_ = Clock::time_point::max();

 private:
  friend class ConnectionList;
  ConnectionBase* prev_ = nullptr;
  ConnectionBase* next_ = nullptr;
};

// Intrusive list of a worker's connections; only touched on the worker's thread.
class ConnectionList {
 public:
  void Add(ConnectionBase* c);
  void Remove(ConnectionBase* c);

  // fn may close connections but must not add or remove any.
  template <class F>
  void ForEach(F fn) {
    for (ConnectionBase* c = head_; c != nullptr;) {
      ConnectionBase* next = c->next_;
      fn(*c);
      c = next;
    }
  }

 private:
  ConnectionBase* head_ = nullptr;
};

struct Worker {
  // Declared before io so that coroutine frames destroyed with io can still unlink.
  ConnectionList connections;
  boost::asio::io_context io{1};
};

// Shared by all workers; immutable after Start() except the atomics.
struct ServerState {
  ServerOptions options;
  Handler handler;
  std::unique_ptr<boost::asio::ssl::context> tls;  // null for plain HTTP
  std::atomic<bool> stopping{false};
  std::atomic<int> open_connections{0};
  std::atomic<std::uint64_t> refused_connections{0};  // over max_connections(_per_client)

  // Open connections by client address (the IP, without the port), for
  // max_connections_per_client. Guarded by clients_mu.
  std::mutex clients_mu;
  std::unordered_map<std::string, std::size_t> clients;

  ServerState(ServerOptions o, Handler h);
  ~ServerState();
};

// Serves one accepted connection until it closes. Runs on `worker`'s io_context.
Task<void> ServeConnection(ServerState& state, Worker& worker, Socket socket);

}  // namespace cairn::http::internal
