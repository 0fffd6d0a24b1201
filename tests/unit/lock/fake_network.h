// An in-memory cluster of lock servers for tests: node i's DistributedLocker reaches node j
// through an EncodedLockClient whose transport runs ServeLockCall on server j, so every call
// crosses the wire form the RPC layer will carry. Links can be delayed, nodes taken down, and
// the cluster partitioned. Single-threaded: everything runs on one io_context.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cluster/lock/encoded_lock_client.h"
#include "cluster/lock/lock_codec.h"
#include "cluster/lock/lock_server.h"

namespace cairn::lock::testing {

class FakeNetwork {
 public:
  FakeNetwork(std::size_t n, std::uint64_t seed)
      : rng_(seed), group_(n, 0), down_(n, false), stalled_(n, false) {
    for (std::size_t i = 0; i < n; ++i) {
      servers_.push_back(std::make_unique<LockServer>());
      delay_to_.push_back(std::chrono::milliseconds(0));
    }
  }

  std::size_t size() const { return servers_.size(); }

  LockServer& server(std::size_t i) { return *servers_[i]; }

  // A down node neither answers nor sends.
  void SetDown(std::size_t node, bool down) { down_[node] = down; }

  // Nodes in different groups cannot reach each other; Partition({{0, 1}, {2, 3}}).
  void Partition(const std::vector<std::vector<std::size_t>>& groups) {
    for (std::size_t g = 0; g < groups.size(); ++g) {
      for (std::size_t node : groups[g]) {
        group_[node] = g;
      }
    }
  }

  void Heal() { std::fill(group_.begin(), group_.end(), 0); }

  // Every call to `node` takes this long each way on top of the jitter.
  void SetDelayTo(std::size_t node, std::chrono::milliseconds d) { delay_to_[node] = d; }

  // A stalled node (a stopped process, a full queue) takes calls but serves none: a call waits
  // until the node resumes, or is dropped undelivered at the caller's deadline, which then
  // sees kTimeout (as rpc::Client reports it).
  void SetStalled(std::size_t node, bool stalled) { stalled_[node] = stalled; }

  // Each leg of each call gets a uniform random extra delay in [0, max].
  void SetJitter(std::chrono::microseconds max) { jitter_ = max; }

  // The lock servers as node `from` sees them.
  std::vector<std::shared_ptr<LockClient>> ClientsFor(std::size_t from) {
    std::vector<std::shared_ptr<LockClient>> out;
    for (std::size_t to = 0; to < size(); ++to) {
      out.push_back(std::make_shared<EncodedLockClient>(
          "node" + std::to_string(to),
          [this, from, to](const RequestContext& ctx, LockOp op,
                           std::string body) -> Task<Result<std::string>> {
            return Deliver(ctx.deadline, from, to, LockMethodId(op), std::move(body));
          }));
    }
    return out;
  }

  // Total grants held across all servers.
  std::size_t GrantsHeld() {
    std::size_t total = 0;
    for (auto& s : servers_) {
      total += s->Snapshot().size();
    }
    return total;
  }

 private:
  bool Reachable(std::size_t from, std::size_t to) const {
    return !down_[from] && !down_[to] && group_[from] == group_[to];
  }

  std::chrono::steady_clock::duration Leg(std::size_t to) {
    std::chrono::steady_clock::duration d = delay_to_[to];
    if (jitter_.count() > 0) {
      d += std::chrono::microseconds(rng_() % (jitter_.count() + 1));
    }
    return d;
  }

  // Sleeps `d` but not past `deadline`; false when the deadline cut it short.
  static Task<bool> Travel(std::chrono::steady_clock::duration d,
                           std::chrono::steady_clock::time_point deadline) {
    const auto now = std::chrono::steady_clock::now();
    const bool in_time = deadline - now > d;
    if (d.count() > 0 || !in_time) {
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
      t.expires_at(in_time ? now + d : deadline);
      co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    co_return in_time;
  }

  Task<Result<std::string>> Deliver(std::chrono::steady_clock::time_point deadline,
                                    std::size_t from, std::size_t to, std::uint16_t method_id,
                                    std::string body) {
    const auto there = Leg(to);
    const auto back = Leg(to);
    if (!Reachable(from, to)) {
      co_return Status(Errc::kNodeOffline, "unreachable");
    }
    while (stalled_[to]) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        co_return Status(Errc::kTimeout, "no answer in time");
      }
      co_await Travel(std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(1),
                                                                    deadline - now),
                      deadline);
    }
    // A request in flight arrives even when the caller gave up on it meanwhile.
    co_await Travel(there, std::chrono::steady_clock::time_point::max());
    if (!Reachable(from, to)) {
      co_return Status(Errc::kNodeOffline, "unreachable");
    }
    std::string reply = ServeLockCall(*servers_[to], method_id, body);
    // The call ran; its reply can still be lost on the way back.
    const bool arrived = co_await Travel(back, deadline);
    if (!arrived || !Reachable(from, to)) {
      co_return Status(Errc::kNodeOffline, "reply lost");
    }
    co_return reply;
  }

  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<LockServer>> servers_;
  std::vector<std::size_t> group_;
  std::vector<bool> down_;
  std::vector<bool> stalled_;
  std::vector<std::chrono::milliseconds> delay_to_;
  std::chrono::microseconds jitter_{0};
};

}  // namespace cairn::lock::testing
