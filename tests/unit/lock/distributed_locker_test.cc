#include "cluster/lock/distributed_locker.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "cluster/lock/local_lock_client.h"
#include "fake_network.h"

namespace cairn::lock {
namespace distributed_locker_test_internal {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Guard = std::unique_ptr<DistributedLockGuard>;
using testing::FakeNetwork;

// ASSERT_TRUE for coroutines (gtest's returns void).
#define CO_ASSERT_TRUE(cond)                     \
  if (!(cond)) {                                 \
    ADD_FAILURE() << "assertion failed: " #cond; \
    co_return;                                   \
  }                                              \
  (void)0

constexpr std::string_view kKey = "bucket/key";

Task<void> Sleep(Clock::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

// The seed of a test: CAIRN_LOCK_SEED when set, else a fixed one; always logged.
std::uint64_t TestSeed() {
  const char* env = std::getenv("CAIRN_LOCK_SEED");
  const std::uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 20261122;
  std::cout << "lock test seed " << seed << " (set CAIRN_LOCK_SEED to repeat)\n";
  return seed;
}

// Short windows so expiry and refresh happen within a test's time.
DistributedLockerOptions FastOptions() {
  DistributedLockerOptions o;
  o.timeout = 2s;
  o.call_timeout = 50ms;
  o.ttl = 200ms;
  o.refresh_interval = 40ms;
  o.retry_min = 1ms;
  o.retry_step = 2ms;
  o.retry_max = 20ms;
  o.release_retry = 10ms;
  return o;
}

// FastOptions with a ttl no test outlasts: expiry cannot be what frees a grant.
DistributedLockerOptions NoExpiryOptions() {
  DistributedLockerOptions o = FastOptions();
  o.ttl = 20s;
  o.refresh_interval = 5s;
  return o;
}

class ClusterTest : public ::testing::Test {
 protected:
  void Start(std::size_t n, DistributedLockerOptions options = FastOptions()) {
    seed_ = TestSeed();
    net_ = std::make_unique<FakeNetwork>(n, seed_);
    for (std::size_t i = 0; i < n; ++i) {
      auto o = options;
      o.owner = "node" + std::to_string(i);
      o.seed = seed_ + i + 1;
      lockers_.push_back(
          std::make_unique<DistributedLocker>(io_.get_executor(), net_->ClientsFor(i), o));
    }
  }

  // Runs `scenario` and everything it left behind (refreshes, releases) to completion.
  void Run(std::function<Task<void>()> scenario, Clock::duration limit = 8s) {
    bool done = false;
    asio::co_spawn(
        io_,
        [&]() -> Task<void> {
          co_await scenario();
          done = true;
        },
        asio::detached);
    io_.run_for(limit);
    ASSERT_TRUE(done) << "scenario did not finish in time";
    ASSERT_TRUE(io_.stopped()) << "background work still running after the scenario";
    for (auto& l : lockers_) {
      EXPECT_EQ(l->HeldForTest(), 0u);
    }
  }

  Task<Result<Guard>> Take(std::size_t node, bool write, Clock::duration timeout = 2s) {
    RequestContext ctx = RequestContext::Background("test");
    ctx.deadline = Clock::now() + timeout;
    co_return co_await lockers_[node]->Lock(ctx, kKey, write);
  }

  std::size_t GrantsOn(std::size_t node) { return net_->server(node).Snapshot().size(); }

  asio::io_context io_;  // first: destroyed last
  std::uint64_t seed_ = 0;
  std::unique_ptr<FakeNetwork> net_;
  std::vector<std::unique_ptr<DistributedLocker>> lockers_;
};

TEST(LockQuorum, FollowsDsync) {
  // n:               1  2  3  4  5  6  7  8
  const std::size_t write[] = {1, 2, 2, 3, 3, 4, 4, 5};
  const std::size_t read[] = {1, 1, 2, 2, 3, 3, 4, 4};
  for (std::size_t n = 1; n <= 8; ++n) {
    EXPECT_EQ(WriteLockQuorum(n), write[n - 1]) << n;
    EXPECT_EQ(ReadLockQuorum(n), read[n - 1]) << n;
    EXPECT_GT(WriteLockQuorum(n) * 2, n) << "two writers must collide";
    EXPECT_GT(WriteLockQuorum(n) + ReadLockQuorum(n), n) << "a reader and a writer must collide";
  }
}

TEST_F(ClusterTest, MajorityGrantsAndReleaseReachesEveryNode) {
  Start(5);
  net_->SetDown(3, true);
  net_->SetDown(4, true);
  Run([&]() -> Task<void> {
    auto g = co_await Take(0, true);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(GrantsOn(0) + GrantsOn(1) + GrantsOn(2), 3u);
    EXPECT_FALSE((*g)->lost());
    g = Result<Guard>();  // release: sent to every granter, arrives shortly
    for (int i = 0; i < 100 && net_->GrantsHeld() != 0; ++i) {
      co_await Sleep(20ms);
    }
    EXPECT_EQ(net_->GrantsHeld(), 0u);

    // Two of five up: no quorum for either kind.
    net_->SetDown(2, true);
    auto w = co_await Take(0, true, 150ms);
    EXPECT_EQ(w.code(), Errc::kLockTimeout);
    auto r = co_await Take(1, false, 150ms);
    EXPECT_EQ(r.code(), Errc::kLockTimeout);
    // The give-back is a release sent to each granter: it arrives, but not necessarily by
    // the time Take returns (an ASan build under load missed it by a moment once).
    for (int i = 0; i < 100 && net_->GrantsHeld() != 0; ++i) {
      co_await Sleep(20ms);
    }
    EXPECT_EQ(net_->GrantsHeld(), 0u) << "a failed attempt gives back its grants";
    // Three of five: a read quorum (3) and a write quorum (3).
    net_->SetDown(2, false);
    auto r2 = co_await Take(1, false);
    EXPECT_TRUE(r2.ok());
  });
  EXPECT_EQ(net_->GrantsHeld(), 0u);
}

TEST_F(ClusterTest, ReadersAndWritersExcludeEachOtherAcrossNodes) {
  Start(4);
  Run([&]() -> Task<void> {
    auto w = co_await Take(0, true);
    CO_ASSERT_TRUE(w.ok());
    EXPECT_EQ((co_await Take(1, false, 150ms)).code(), Errc::kLockTimeout);
    EXPECT_EQ((co_await Take(2, true, 150ms)).code(), Errc::kLockTimeout);
    w = Result<Guard>();

    auto r1 = co_await Take(1, false);
    auto r2 = co_await Take(2, false);
    CO_ASSERT_TRUE(r1.ok());
    CO_ASSERT_TRUE(r2.ok());  // readers on different nodes share
    EXPECT_EQ((co_await Take(3, true, 150ms)).code(), Errc::kLockTimeout);
    r1 = Result<Guard>();
    EXPECT_EQ((co_await Take(3, true, 150ms)).code(), Errc::kLockTimeout);
    r2 = Result<Guard>();
    auto w3 = co_await Take(3, true);
    EXPECT_TRUE(w3.ok());
  });
  EXPECT_EQ(net_->GrantsHeld(), 0u);
}

TEST_F(ClusterTest, DeadHoldersLocksExpire) {
  Start(3);
  Run([&]() -> Task<void> {
    auto g = co_await Take(0, true);
    CO_ASSERT_TRUE(g.ok());
    const auto crashed = Clock::now();
    net_->SetDown(0, true);  // it neither refreshes nor releases
    auto h = co_await Take(1, true);
    const auto waited = Clock::now() - crashed;
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    // Not before the grants expired (ttl 200 ms after their last refresh, at most 40 ms
    // before the crash), and not much later.
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 1s);
    EXPECT_TRUE((*g)->lost()) << "a holder cut off past its validity window knows it";
  });
}

TEST_F(ClusterTest, RefreshKeepsALockAlivePastItsTtl) {
  auto options = FastOptions();
  options.ttl = 300ms;  // ten refresh rounds per window: robust on a loaded machine
  options.refresh_interval = 30ms;
  Start(3, options);
  Run([&]() -> Task<void> {
    auto g = co_await Take(0, true);
    CO_ASSERT_TRUE(g.ok());
    const std::string uid = (*g)->uid();
    // Another node waits for more than twice the validity window, in vain.
    EXPECT_EQ((co_await Take(1, true, 700ms)).code(), Errc::kLockTimeout);
    EXPECT_FALSE((*g)->lost());
    for (std::size_t i = 0; i < 3; ++i) {
      auto snap = net_->server(i).Snapshot();
      EXPECT_EQ(snap.size(), 1u);
      if (!snap.empty()) {
        EXPECT_EQ(snap[0].uid, uid);
        EXPECT_EQ(snap[0].owner, "node0");
        EXPECT_GT(snap[0].last_refresh, snap[0].granted);
      }
    }
    g = Result<Guard>();
    EXPECT_TRUE((co_await Take(1, true)).ok());
  });
  EXPECT_EQ(net_->GrantsHeld(), 0u);
}

TEST_F(ClusterTest, MinorityPartitionCannotLockMajorityCan) {
  Start(5);
  net_->Partition({{0, 1}, {2, 3, 4}});
  Run([&]() -> Task<void> {
    EXPECT_EQ((co_await Take(0, true, 200ms)).code(), Errc::kLockTimeout);
    EXPECT_EQ((co_await Take(1, false, 200ms)).code(), Errc::kLockTimeout);
    auto w = co_await Take(2, true, 200ms);
    EXPECT_TRUE(w.ok());
    w = Result<Guard>();
    EXPECT_TRUE((co_await Take(4, false, 200ms)).ok());
  });
}

TEST_F(ClusterTest, HolderCutOffByAPartitionLosesTheLockBeforeAnyoneElseGetsIt) {
  Start(5);
  Run([&]() -> Task<void> {
    auto g = co_await Take(0, true);
    CO_ASSERT_TRUE(g.ok());
    net_->Partition({{0, 1}, {2, 3, 4}});
    auto h = co_await Take(3, true);
    if (!h.ok()) {
      ADD_FAILURE() << h.status().ToString();
      co_return;
    }
    // The moment the majority side got it, the old holder already knew it had lost it.
    EXPECT_TRUE((*g)->lost());
    net_->Heal();
  });
}

// A holder that releases while a partition cuts it off from the majority cannot tell those
// nodes; it keeps telling them, so the grants go the moment the partition heals, not a ttl
// later (until then the resource could be taken by nobody: its grants sit on a majority).
TEST_F(ClusterTest, ReleaseLostToAPartitionArrivesWhenItHeals) {
  Start(4, NoExpiryOptions());
  Run([&]() -> Task<void> {
    auto g = co_await Take(3, true);
    CO_ASSERT_TRUE(g.ok());
    auto r = co_await Take(2, false, 100ms);
    EXPECT_EQ(r.code(), Errc::kLockTimeout);
    net_->Partition({{0, 1, 2}, {3}});
    g = Result<Guard>();  // released on node 3 only
    co_await Sleep(50ms);
    EXPECT_EQ(GrantsOn(0) + GrantsOn(1) + GrantsOn(2), 3u);
    EXPECT_EQ(GrantsOn(3), 0u);
    r = co_await Take(0, false, 100ms);
    EXPECT_EQ(r.code(), Errc::kLockTimeout) << "the majority must not take it meanwhile";
    net_->Heal();
    const auto healed = Clock::now();
    auto w = co_await Take(0, true, 2s);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_LT(Clock::now() - healed, 500ms);
    w = Result<Guard>();
    auto w3 = co_await Take(3, true, 2s);
    EXPECT_TRUE(w3.ok()) << w3.status().ToString();
  });
  EXPECT_EQ(net_->GrantsHeld(), 0u);
}

// A release that gets no answer in time (the node is stalled, not unreachable) is sent again
// until it arrives: otherwise the grant outlives its holder there until the ttl.
TEST_F(ClusterTest, ReleaseThatTimesOutIsSentAgain) {
  Start(3, NoExpiryOptions());
  Run([&]() -> Task<void> {
    auto g = co_await Take(0, true);
    CO_ASSERT_TRUE(g.ok());
    EXPECT_EQ(GrantsOn(2), 1u);
    net_->SetStalled(2, true);
    g = Result<Guard>();  // released on nodes 0 and 1; node 2's release times out
    co_await Sleep(150ms);
    EXPECT_EQ(GrantsOn(0) + GrantsOn(1), 0u);
    EXPECT_EQ(GrantsOn(2), 1u);
    net_->SetStalled(2, false);
    co_await Sleep(100ms);
    EXPECT_EQ(GrantsOn(2), 0u) << "the release must be sent again";
  });
  EXPECT_EQ(net_->GrantsHeld(), 0u);
}

TEST_F(ClusterTest, EvenSplitGivesNeitherSideAWriteLock) {
  Start(4);
  net_->Partition({{0, 1}, {2, 3}});
  Run([&]() -> Task<void> {
    Errc left = Errc::kOk;
    Errc right = Errc::kOk;
    int finished = 0;
    auto ex = co_await asio::this_coro::executor;
    asio::co_spawn(
        ex,
        [&]() -> Task<void> {
          left = (co_await Take(0, true, 300ms)).code();
          ++finished;
        },
        asio::detached);
    asio::co_spawn(
        ex,
        [&]() -> Task<void> {
          right = (co_await Take(2, true, 300ms)).code();
          ++finished;
        },
        asio::detached);
    while (finished < 2) {
      co_await Sleep(10ms);
    }
    EXPECT_EQ(left, Errc::kLockTimeout);
    EXPECT_EQ(right, Errc::kLockTimeout);
    // Reads need only half: each side may read (possibly stale, as DESIGN.md allows).
    auto r0 = co_await Take(1, false, 300ms);
    auto r2 = co_await Take(3, false, 300ms);
    EXPECT_TRUE(r0.ok());
    EXPECT_TRUE(r2.ok());
  });
  EXPECT_EQ(net_->GrantsHeld(), 0u);
}

TEST_F(ClusterTest, ForceUnlockOnAQuorumMarksTheHolderLost) {
  Start(3);
  Run([&]() -> Task<void> {
    auto g = co_await Take(0, true);
    CO_ASSERT_TRUE(g.ok());
    // An admin on another node clears it everywhere.
    auto cleared = co_await lockers_[1]->ForceUnlock(RequestContext::Background("admin"), kKey);
    CO_ASSERT_TRUE(cleared.ok());
    EXPECT_EQ(*cleared, 3u);
    EXPECT_EQ(net_->GrantsHeld(), 0u);
    // The next refresh (every 40 ms) hears "not held" from every node.
    for (int i = 0; i < 20 && !(*g)->lost(); ++i) {
      co_await Sleep(10ms);
    }
    EXPECT_TRUE((*g)->lost());
    EXPECT_TRUE((co_await Take(2, true, 100ms)).ok());
    net_->SetDown(2, true);
    EXPECT_EQ((co_await lockers_[1]->ForceUnlock(RequestContext::Background("admin"), kKey)).code(),
              Errc::kNodeOffline);
  });
}

TEST_F(ClusterTest, LateAndLostRepliesLeaveNoGrantBehind) {
  Start(3);
  net_->SetDelayTo(2, 70ms);  // slower than call_timeout (50 ms): its replies come late or never
  Run([&]() -> Task<void> {
    for (int i = 0; i < 4; ++i) {
      auto g = co_await Take(static_cast<std::size_t>(i % 2), i % 3 != 0);
      EXPECT_TRUE(g.ok()) << i << ": " << g.status().ToString();
    }
    // Contend, so that some attempts fail while node 2's grants are on their way.
    int done = 0;
    auto ex = co_await asio::this_coro::executor;
    for (std::size_t node = 0; node < 3; ++node) {
      asio::co_spawn(
          ex,
          [&, node]() -> Task<void> {
            for (int k = 0; k < 3; ++k) {
              auto g = co_await Take(node, true);
              EXPECT_TRUE(g.ok()) << g.status().ToString();
              co_await Sleep(2ms);
            }
            ++done;
          },
          asio::detached);
    }
    while (done < 3) {
      co_await Sleep(5ms);
    }
  });
  // Everything has drained: every grant was released, none waits for expiry (ttl 200 ms).
  EXPECT_EQ(net_->GrantsHeld(), 0u);
}

TEST_F(ClusterTest, CancelledWaitEnds) {
  Start(3);
  Run([&]() -> Task<void> {
    auto g = co_await Take(0, true);
    CO_ASSERT_TRUE(g.ok());
    RequestContext ctx = RequestContext::Background("cancel");
    ctx.cancelled->store(true);
    EXPECT_EQ((co_await lockers_[1]->Lock(ctx, kKey, true)).code(), Errc::kCancelled);
    ctx.cancelled->store(false);
    auto ex = co_await asio::this_coro::executor;
    asio::co_spawn(
        ex,
        [flag = ctx.cancelled]() -> Task<void> {
          co_await Sleep(30ms);
          flag->store(true);
        },
        asio::detached);
    const auto start = Clock::now();
    EXPECT_EQ((co_await lockers_[1]->Lock(ctx, kKey, true)).code(), Errc::kCancelled);
    EXPECT_LT(Clock::now() - start, 500ms);
  });
}

// The node's own server is reached without a network hop; the locker does not care.
TEST(DistributedLockerLocal, WorksOverLocalClients) {
  asio::io_context io;
  std::vector<std::unique_ptr<LockServer>> servers;
  std::vector<std::shared_ptr<LockClient>> clients;
  for (int i = 0; i < 3; ++i) {
    servers.push_back(std::make_unique<LockServer>());
    clients.push_back(std::make_shared<LocalLockClient>("local" + std::to_string(i), *servers[i]));
  }
  auto options = FastOptions();
  options.owner = "a";
  DistributedLocker a(io.get_executor(), clients, options);
  options.owner = "b";
  DistributedLocker b(io.get_executor(), clients, options);
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        auto ctx = RequestContext::Background("local");
        auto g = co_await a.Lock(ctx, kKey, true);
        CO_ASSERT_TRUE(g.ok());
        for (auto& s : servers) {
          EXPECT_EQ(s->Snapshot().size(), 1u);
        }
        ctx.deadline = Clock::now() + 100ms;
        EXPECT_EQ((co_await b.Lock(ctx, kKey, false)).code(), Errc::kLockTimeout);
        g = Result<Guard>();
        ctx.deadline = Clock::now() + 1s;
        auto r1 = co_await a.Lock(ctx, kKey, false);
        auto r2 = co_await b.Lock(ctx, kKey, false);
        EXPECT_TRUE(r1.ok());
        EXPECT_TRUE(r2.ok());
        done = true;
      },
      asio::detached);
  io.run_for(5s);
  EXPECT_TRUE(done);
  for (auto& s : servers) {
    EXPECT_TRUE(s->Snapshot().empty());
  }
}

// The locker's state lives on strands: an io_context run by several threads must keep
// writers apart just the same.
TEST(DistributedLockerLocal, ManyThreadsKeepWritersApart) {
  asio::io_context io;
  std::vector<std::unique_ptr<LockServer>> servers;
  std::vector<std::shared_ptr<LockClient>> clients;
  for (int i = 0; i < 3; ++i) {
    servers.push_back(std::make_unique<LockServer>());
    clients.push_back(std::make_shared<LocalLockClient>("local" + std::to_string(i), *servers[i]));
  }
  std::vector<std::unique_ptr<DistributedLocker>> lockers;
  const std::uint64_t seed = TestSeed();
  for (int i = 0; i < 3; ++i) {
    auto options = FastOptions();
    options.owner = "n" + std::to_string(i);
    options.seed = seed + static_cast<std::uint64_t>(i) + 1;
    lockers.push_back(std::make_unique<DistributedLocker>(io.get_executor(), clients, options));
  }
  std::atomic<int> inside{0};
  std::atomic<int> violations{0};
  std::atomic<int> failures{0};
  std::atomic<int> finished{0};
  constexpr int kWorkers = 6;
  constexpr int kRounds = 20;
  for (int w = 0; w < kWorkers; ++w) {
    asio::co_spawn(
        io,
        [&, w]() -> Task<void> {
          auto ctx = RequestContext::Background("mt");
          ctx.deadline = Clock::now() + 5s;
          for (int k = 0; k < kRounds; ++k) {
            auto g = co_await lockers[static_cast<std::size_t>(w) % 3]->Lock(ctx, kKey, true);
            if (!g.ok()) {
              ++failures;
              continue;
            }
            if (inside.fetch_add(1) != 0) {
              ++violations;
            }
            co_await Sleep(200us);
            inside.fetch_sub(1);
          }
          ++finished;
        },
        asio::detached);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&io] { io.run_for(8s); });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(finished.load(), kWorkers);
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(failures.load(), 0);
  for (auto& s : servers) {
    EXPECT_TRUE(s->Snapshot().empty());
  }
}

// Many writers (and some readers) on one key from every node at once: all finish, never two
// writers (or a writer and a reader) inside together, within a bound.

class ContentionTest : public ClusterTest, public ::testing::WithParamInterface<std::size_t> {
 public:
  void RunContention() {
    const std::size_t n = GetParam();
    Start(n);
    net_->SetJitter(300us);
    constexpr int kWorkersPerNode = 4;
    constexpr int kRounds = 10;
    int writers_inside = 0;
    int readers_inside = 0;
    int violations = 0;
    int failures = 0;
    int finished = 0;
    std::uint64_t sections = 0;
    const auto start = Clock::now();
    Run(
        [&]() -> Task<void> {
          auto ex = co_await asio::this_coro::executor;
          for (std::size_t node = 0; node < n; ++node) {
            for (int w = 0; w < kWorkersPerNode; ++w) {
              asio::co_spawn(
                  ex,
                  [&, node, w]() -> Task<void> {
                    for (int k = 0; k < kRounds; ++k) {
                      const bool write = (w + k) % 3 != 0;
                      auto g = co_await Take(node, write, 5s);
                      if (!g.ok()) {
                        ++failures;
                        std::cout << "node " << node << " worker " << w << " round " << k << ": "
                                  << g.status().ToString() << "\n";
                        continue;
                      }
                      (write ? writers_inside : readers_inside)++;
                      if (writers_inside > 1 || (writers_inside == 1 && readers_inside > 0)) {
                        ++violations;
                      }
                      ++sections;
                      co_await Sleep(500us);
                      (write ? writers_inside : readers_inside)--;
                    }
                    ++finished;
                  },
                  asio::detached);
            }
          }
          while (finished < static_cast<int>(n) * kWorkersPerNode) {
            co_await Sleep(5ms);
          }
        },
        9s);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    std::cout << n << " nodes: " << sections << " critical sections in " << took.count() << " ms\n";
    EXPECT_EQ(violations, 0);
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(sections, n * kWorkersPerNode * kRounds);
    EXPECT_LT(took, 6s);
    EXPECT_EQ(net_->GrantsHeld(), 0u);
  }
};

TEST_P(ContentionTest, ConcurrentWritersAllCompleteWithoutDeadlock) {
  RunContention();
}

INSTANTIATE_TEST_SUITE_P(Nodes, ContentionTest, ::testing::Values(3, 4, 5));

}  // namespace distributed_locker_test_internal
}  // namespace cairn::lock
