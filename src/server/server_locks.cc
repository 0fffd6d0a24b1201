// Distributed namespace locks (cluster/lock, dsync style) wired to the RPC: this node's
// LockServer serves lock methods 201-206, and a DistributedLocker asks every node's server
// (its own without a network hop). cluster/lock knows nothing of the object layer: the adapter
// to object::NsLocker (quorum check, guard) lives here, in the wiring.
#include <algorithm>
#include <chrono>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "cluster/lock/distributed_locker.h"
#include "cluster/lock/encoded_lock_client.h"
#include "cluster/lock/local_lock_client.h"
#include "cluster/lock/lock_codec.h"
#include "cluster/lock/lock_server.h"
#include "common/log.h"
#include "object/ns_lock.h"
#include "rpc/client.h"
#include "rpc/server.h"
#include "server/server.h"

namespace cairn::server {

// The lock server, and the thread whose executor runs the locker's refreshes and releases.
struct LockRuntime {
  LockRuntime() : work(io.get_executor()) {}

  ~LockRuntime() {
    work.reset();
    io.stop();
    if (thread.joinable()) {
      thread.join();
    }
  }

  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  std::thread thread;
  lock::LockServer server;
};

namespace {

Task<void> ExpireLoop(LockRuntime& rt) {
  boost::asio::steady_timer timer(rt.io);
  for (;;) {
    timer.expires_after(std::chrono::minutes(1));
    auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) {
      co_return;
    }
    rt.server.ExpireOld();
  }
}

// A distributed lock held for the object layer.
class DistributedNsLockGuard final : public object::NsLockGuard {
 public:
  explicit DistributedNsLockGuard(std::unique_ptr<lock::DistributedLockGuard> guard)
      : guard_(std::move(guard)) {}

  bool lost() const override { return guard_->lost(); }

 private:
  std::unique_ptr<lock::DistributedLockGuard> guard_;
};

// The object layer's NsLocker over a DistributedLocker. Refuses at once when fewer nodes are
// online than the lock's quorum needs, instead of retrying until the lock timeout: offline
// peers (their rpc::Client says so) cannot vote. The inner locker gets short attempts, and the
// node count is checked again between them, so a node lost while waiting turns into a refusal
// within about one attempt.
class QuorumCheckedLocker final : public object::NsLocker {
 public:
  static constexpr auto kAttempt = std::chrono::seconds(2);

  QuorumCheckedLocker(std::shared_ptr<lock::DistributedLocker> inner,
                      std::vector<std::shared_ptr<rpc::Client>> peers,
                      std::chrono::milliseconds timeout)
      : inner_(std::move(inner)), peers_(std::move(peers)), timeout_(timeout) {}

  Task<Result<std::unique_ptr<object::NsLockGuard>>> Lock(const RequestContext& ctx,
                                                          std::string_view resource,
                                                          bool write) override {
    using Clock = RequestContext::Clock;
    const auto overall = std::min(ctx.deadline, Clock::now() + timeout_);
    for (;;) {
      Status quorum = CheckQuorum(write);
      if (!quorum.ok()) {
        co_return quorum;
      }
      RequestContext attempt = ctx;
      attempt.deadline = std::min(overall, Clock::now() + kAttempt);
      auto r = co_await inner_->Lock(attempt, resource, write);
      if (r.ok()) {
        co_return std::unique_ptr<object::NsLockGuard>(
            std::make_unique<DistributedNsLockGuard>(std::move(*r)));
      }
      if (r.status().code() != Errc::kLockTimeout || Clock::now() >= overall) {
        co_return r.status();
      }
    }
  }

 private:
  Status CheckQuorum(bool write) const {
    const std::size_t n = peers_.size() + 1;
    std::size_t online = 1;  // this node
    for (const auto& p : peers_) {
      online += p->online() ? 1 : 0;
    }
    const std::size_t need = write ? lock::WriteLockQuorum(n) : lock::ReadLockQuorum(n);
    if (online < need) {
      return Status(Errc::kLockTimeout, fmt::format("no lock quorum: {} of {} nodes online, {} "
                                                    "needed",
                                                    online, n, need));
    }
    return Status::Ok();
  }

  std::shared_ptr<lock::DistributedLocker> inner_;
  std::vector<std::shared_ptr<rpc::Client>> peers_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::shared_ptr<object::NsLocker> Server::StartLocks(const std::string& self_key) {
  locks_ = std::make_shared<LockRuntime>();
  LockRuntime& rt = *locks_;
  for (int op = 1; op <= 6; ++op) {
    const std::uint16_t id = lock::LockMethodId(static_cast<lock::LockOp>(op));
    rpc_->Register(
        id, "",
        [&rt, id](const RequestContext&, std::string_view body) -> Task<Result<std::string>> {
          co_return lock::ServeLockCall(rt.server, id, body);
        });
  }
  boost::asio::co_spawn(rt.io, ExpireLoop(rt), boost::asio::detached);
  rt.thread = std::thread([&rt] { rt.io.run(); });

  // Every node lists the same servers in the same order: sorted by node key.
  std::vector<std::string> keys = {self_key};
  for (const PeerPlan& p : peers_) {
    keys.push_back(p.key);
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::shared_ptr<lock::LockClient>> nodes;
  std::vector<std::shared_ptr<rpc::Client>> peer_clients;
  for (const std::string& key : keys) {
    if (key == self_key) {
      nodes.push_back(std::make_shared<lock::LocalLockClient>(key, rt.server));
      continue;
    }
    std::shared_ptr<rpc::Client> client = clients_.at(key);
    peer_clients.push_back(client);
    nodes.push_back(std::make_shared<lock::EncodedLockClient>(
        key,
        [client](const RequestContext& ctx, lock::LockOp op,
                 std::string body) -> Task<Result<std::string>> {
          auto r = co_await client->Call(ctx, lock::LockMethodId(op), "", body);
          if (!r.ok()) {
            co_return Status(Errc::kNodeOffline, r.status().message());
          }
          co_return r;
        }));
  }
  lock::DistributedLockerOptions opts;
  opts.owner = self_key;
  const std::chrono::milliseconds timeout = opts.timeout;
  auto locker = std::make_shared<lock::DistributedLocker>(rt.io.get_executor(), std::move(nodes),
                                                          std::move(opts));
  LOG_INFO("namespace locks: distributed over {} nodes (write quorum {}), seed {}", keys.size(),
           lock::WriteLockQuorum(keys.size()), locker->seed());
  return std::make_shared<QuorumCheckedLocker>(std::move(locker), std::move(peer_clients), timeout);
}

}  // namespace cairn::server
