// rpc::Client: the calling half of inter-node RPC, one per peer node, shared by every
// RemoteDrive and lock client of that peer. Keeps a pool of HTTP/1.1 keep-alive connections
// (plain, or mutual TLS), signs every call with a token, enforces the caller's deadline, and
// decodes the peer's Errc. A peer that cannot be connected to (refused, or no answer within
// connect_timeout) is marked offline at once: calls then fail fast with kNodeOffline, calls in
// flight to it are cut off (kNodeOffline), and a background probe reconnects every
// probe_interval and marks it online again. Connections are closed with a reset
// (SO_LINGER 0): a call given up on is never delivered later by TCP retransmission.
// Thread-safe: callable from any executor; all socket work runs on the client's own thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "rpc/protocol.h"

namespace cairn::rpc {

struct TlsOptions {
  bool enabled = false;
  std::string cert_file;  // this node's certificate (PEM), presented to the peer
  std::string key_file;
  std::string ca_file;  // the cluster CA the peer's certificate must chain to; empty: system
  // The name the peer's certificate must carry (SAN or CN); empty: the peer's host.
  std::string server_name;
};

struct ClientOptions {
  std::string host;
  std::uint16_t port = 0;
  TlsOptions tls;
  std::string token_key;  // DeriveTokenKey of the root credentials
  std::chrono::milliseconds connect_timeout{1500};
  // Bounds a call that the caller's deadline does not bound more tightly.
  std::chrono::milliseconds call_timeout{std::chrono::minutes(2)};
  // Each write or read of a streamed upload must progress within this.
  std::chrono::milliseconds io_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds probe_interval{1000};
  // While online and idle for this long, a connection is opened (and pooled) to check the
  // peer is still there, so a dead peer is found without traffic. Zero: no heartbeat.
  std::chrono::milliseconds heartbeat_interval{0};
  // Connections kept for reuse once their call ends. Must cover the calls in flight to one
  // peer at busy times (each request on a cluster makes several at once: a lock, reads of
  // the peer's drives, the unlock); the extra ones are closed with a reset after their call
  // and opened again for the next, which cost a 2-node GET of 4 KiB a fifth of its CPU when
  // this was 16.
  std::size_t max_idle_connections = 512;
  std::size_t max_response_body = 64 << 20;
};

// A streamed request body (shard data): Write blocks in order, then Finish for the reply.
class UploadStream {
 public:
  virtual ~UploadStream() = default;
  // Sends one block as one HTTP chunk. Errors: kNodeOffline, kTimeout, or the peer's error
  // when it answered early (e.g. kDiskFull).
  virtual Task<Status> Write(std::span<const std::byte> data) = 0;
  // Ends the body and returns the peer's reply. Call once.
  virtual Task<Result<std::string>> Finish() = 0;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  // Stops the client's thread; calls still in flight are abandoned. Destroy after every user.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Calls `method` with a small body; `resource` names the target within the peer (a drive
  // path; empty for node-level methods). Returns the reply body. Errors: the peer's Errc
  // (kUnknown for a code this build does not know), kNodeOffline (no connection, or the peer
  // is marked offline), kTimeout (ctx.deadline or call_timeout passed), kRpcUnauthenticated
  // (the peer refused our token or certificate).
  Task<Result<std::string>> Call(const RequestContext& ctx, MethodId method,
                                 std::string_view resource, std::string_view body);

  // Starts a call whose request body is streamed (chunked). `args` travel in a header
  // (keep them small). The stream holds one connection until Finish or destruction.
  Task<Result<std::unique_ptr<UploadStream>>> OpenUpload(const RequestContext& ctx, MethodId method,
                                                         std::string_view resource,
                                                         std::string_view args);

  // False while the peer is marked offline; cheap, from any thread.
  bool online() const;
  // The peer's wall clock (Unix ms) as of its last reply that carried it; 0 before any.
  std::int64_t peer_time_ms() const;
  // "host:port".
  std::string address() const;

  // Idle pooled connections (tests).
  std::size_t IdleConnectionsForTest();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::rpc
