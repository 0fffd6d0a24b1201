// rpc: the error codec, tokens, and calls over a real loopback HTTP server: small calls,
// streamed uploads, deadlines, authentication, keep-alive, and a dead peer marked offline
// and found again by the background probe.
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "common/fan_out.h"
#include "common/text.h"
#include "http/client.h"
#include "http/server.h"
#include "rpc/client.h"
#include "rpc/protocol.h"
#include "rpc/server.h"
#include "rpc/token.h"
#include "testing/eventually.h"
#include "testing/sync_wait.h"

namespace cairn::rpc {
namespace rpc_test_internal {

using cairn::testing::Eventually;
using cairn::testing::SyncWait;
using namespace std::chrono_literals;

const std::string kKey = DeriveTokenKey("admin", "secret-key-1");
constexpr MethodId kEcho = 300;
constexpr MethodId kFail = 301;
constexpr MethodId kSlow = 302;
constexpr MethodId kUpload = 303;

TEST(RpcProtocol, ErrcCodec) {
  EXPECT_EQ(ErrcFromWire(ErrcToWire(Errc::kDiskFull)), Errc::kDiskFull);
  EXPECT_EQ(ErrcFromWire(ErrcToWire(Errc::kRpcUnauthenticated)), Errc::kRpcUnauthenticated);
  EXPECT_EQ(ErrcFromWire(0), Errc::kOk);
  EXPECT_EQ(ErrcFromWire(99999), Errc::kUnknown);
  EXPECT_EQ(ErrcFromWire(-7), Errc::kUnknown);
  EXPECT_EQ(ErrcFromWire(std::int64_t{1} << 40), Errc::kUnknown);
  // Stable numbers: these cross the wire and must never change.
  EXPECT_EQ(ErrcToWire(Errc::kDiskNotFound), 100);
  EXPECT_EQ(ErrcToWire(Errc::kNodeOffline), 400);
}

TEST(RpcProtocol, PathsAndEncodings) {
  EXPECT_EQ(MethodPath(17), "/cairn/rpc/v3/17");
  EXPECT_EQ(ParseMethodPath("/cairn/rpc/v3/17"), MethodId{17});
  EXPECT_FALSE(ParseMethodPath("/cairn/rpc/v3/"));
  EXPECT_FALSE(ParseMethodPath("/cairn/rpc/v3/17x"));
  EXPECT_FALSE(ParseMethodPath("/cairn/rpc/v3/99999"));
  EXPECT_FALSE(ParseMethodPath("/cairn/rpc/v1/1"));
  const std::string odd("/srv/d 1/%\n\x01", 13);
  // The resource header's coding (common/text.h): a drive path round-trips, slashes stay.
  EXPECT_EQ(PercentDecode(UriEncode(odd, true), false), odd);
  EXPECT_EQ(UriEncode("/srv/disk1", true), "/srv/disk1");
  EXPECT_EQ(PercentDecode("/srv/a+b", false), "/srv/a+b");
  EXPECT_FALSE(PercentDecode("%4", false));
  EXPECT_FALSE(PercentDecode("%zz", false));
  EXPECT_EQ(HexDecode(HexEncode(odd)), odd);
  EXPECT_FALSE(HexDecode("abc"));
}

TEST(RpcToken, VerifiesAndRefuses) {
  const std::int64_t now = 1'700'000'000'000;
  const std::string body_hash = BodySha256Hex("args of the call");
  const TokenScope scope{"POST", "/cairn/rpc/v3/13", "node1:9000", "%2Fdata%2Fd1", "", body_hash};
  const TokenClaims claims{now, 0x1234abcd5678ef90, 42};
  const std::string t = MakeToken(kKey, scope, claims);
  auto ok = VerifyToken(kKey, t, scope, now + 1000, 60s);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->sender, claims.sender);
  EXPECT_EQ(ok->counter, 42u);
  EXPECT_EQ(ok->unix_ms, now);
  // Every part of the call is covered: another method, node, drive, argument or body.
  auto refused = [&](TokenScope other) {
    return VerifyToken(kKey, t, other, now, 60s).code() == Errc::kRpcUnauthenticated;
  };
  TokenScope other = scope;
  other.path = "/cairn/rpc/v3/3";
  EXPECT_TRUE(refused(other));
  other = scope;
  other.http_method = "GET";
  EXPECT_TRUE(refused(other));
  other = scope;
  other.host = "node2:9000";
  EXPECT_TRUE(refused(other));
  other = scope;
  other.resource = "%2Fdata%2Fd2";
  EXPECT_TRUE(refused(other));
  other = scope;
  other.args = "00";
  EXPECT_TRUE(refused(other));
  other = scope;
  const std::string another_body = BodySha256Hex("another body");
  other.body_sha256 = another_body;
  EXPECT_TRUE(refused(other));
  // The claims are signed too: another counter or sender is another token.
  std::string bumped = t;
  bumped.replace(bumped.find(":42:"), 4, ":43:");
  EXPECT_EQ(VerifyToken(kKey, bumped, scope, now, 60s).code(), Errc::kRpcUnauthenticated);
  EXPECT_EQ(VerifyToken(DeriveTokenKey("admin", "other-secret"), t, scope, now, 60s).code(),
            Errc::kRpcUnauthenticated);
  EXPECT_EQ(VerifyToken(kKey, t, scope, now + 61'000, 60s).code(), Errc::kRequestTimeTooSkewed);
  EXPECT_EQ(VerifyToken(kKey, t, scope, now - 61'000, 60s).code(), Errc::kRequestTimeTooSkewed);
  for (const char* bad : {"", "v1:12:zz", "v2:abc", "v2:1:zz:1:00", "v2:1:1:x:00", "v2:1:1:1"}) {
    EXPECT_EQ(VerifyToken(kKey, bad, scope, now, 60s).code(), Errc::kRpcUnauthenticated) << bad;
  }
  EXPECT_NE(CredentialsHash("a", "b"), CredentialsHash("a", "c"));
  EXPECT_EQ(CredentialsHash("a", "b").size(), 64u);
}

TEST(RpcToken, ReplayGuardAcceptsEachTokenOnce) {
  ReplayGuard guard(60s);
  const std::int64_t now = 1'700'000'000'000;
  EXPECT_TRUE(guard.Accept(7, 100, now));
  EXPECT_FALSE(guard.Accept(7, 100, now));  // the same token again
  // Out of order within the window: each once.
  EXPECT_TRUE(guard.Accept(7, 105, now));
  EXPECT_TRUE(guard.Accept(7, 101, now));
  EXPECT_TRUE(guard.Accept(7, 104, now));
  EXPECT_FALSE(guard.Accept(7, 101, now));
  EXPECT_FALSE(guard.Accept(7, 105, now));
  // Another sender has its own counters.
  EXPECT_TRUE(guard.Accept(8, 100, now));
  // A jump past the window clears it; what falls behind the window is refused.
  EXPECT_TRUE(guard.Accept(7, 105 + ReplayGuard::kWindow, now));
  EXPECT_FALSE(guard.Accept(7, 104, now));
  EXPECT_FALSE(guard.Accept(7, 105 + ReplayGuard::kWindow, now));
  EXPECT_TRUE(guard.Accept(7, 104 + ReplayGuard::kWindow, now));  // inside the new window
  EXPECT_FALSE(guard.Accept(7, 104 + ReplayGuard::kWindow, now));
  // Slid by one at a time over many calls: every counter once.
  for (std::uint64_t c = 1; c < 3 * ReplayGuard::kWindow; c += 7) {
    ASSERT_TRUE(guard.Accept(9, c, now)) << c;
    ASSERT_FALSE(guard.Accept(9, c, now)) << c;
  }
  // A sender silent for longer than a token lives is forgotten (its tokens expired).
  EXPECT_TRUE(guard.Accept(10, 5, now));
  EXPECT_TRUE(guard.Accept(11, 1, now + 200'000));
  EXPECT_TRUE(guard.Accept(10, 5, now + 200'000));
}

// A loopback node: an http::Server whose handler is an rpc::Server with test methods.
class RpcLoopback : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(0); }

  void TearDown() override {
    clients_.clear();
    if (http_) {
      http_->Stop();
    }
  }

  void StartServer(std::uint16_t port) {
    ServerOptions so;
    so.token_key = kKey;
    rpc_ = std::make_unique<Server>(so);
    rpc_->Register(
        kEcho, "",
        [](const RequestContext& ctx, std::string_view body) -> Task<Result<std::string>> {
          co_return ctx.request_id + ":" + std::string(body);
        });
    rpc_->Register(kEcho, "/drive/a",
                   [](const RequestContext&, std::string_view body) -> Task<Result<std::string>> {
                     co_return "a:" + std::string(body);
                   });
    rpc_->Register(kFail, "",
                   [](const RequestContext&, std::string_view body) -> Task<Result<std::string>> {
                     co_return Status(Errc::kDiskFull, "full: " + std::string(body));
                   });
    rpc_->Register(kSlow, "",
                   [](const RequestContext& ctx, std::string_view) -> Task<Result<std::string>> {
                     boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
                     t.expires_after(2s);
                     co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
                     co_return std::string(ctx.Expired() ? "expired" : "in time");
                   });
    rpc_->RegisterStream(kUpload, "",
                         [](const RequestContext&, std::string_view args,
                            ByteSource& body) -> Task<Result<std::string>> {
                           std::uint64_t total = 0;
                           std::uint64_t sum = 0;
                           std::vector<std::byte> buf(100000);
                           for (;;) {
                             auto n = co_await body.Read(buf);
                             if (!n.ok()) {
                               co_return n.status();
                             }
                             if (*n == 0) {
                               break;
                             }
                             for (std::size_t i = 0; i < *n; ++i) {
                               sum = sum * 31 + static_cast<std::uint8_t>(buf[i]);
                             }
                             total += *n;
                           }
                           if (args == "fail") {
                             co_return Status(Errc::kFaultyDisk, "refused");
                           }
                           co_return std::string(args) + ":" + std::to_string(total) + ":" +
                               std::to_string(sum);
                         });
    http::ServerOptions ho;
    ho.address = "127.0.0.1:" + std::to_string(port);
    ho.threads = 2;
    ho.shutdown_grace = 200ms;
    http_ = std::make_unique<http::Server>(ho, rpc_->AsHandler());
    Status st = http_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    port_ = http_->port();
  }

  Client& NewClient(std::string key = kKey, std::uint16_t port = 0) {
    ClientOptions o;
    o.host = "127.0.0.1";
    o.port = port != 0 ? port : port_;
    o.token_key = std::move(key);
    o.probe_interval = 200ms;
    clients_.push_back(std::make_unique<Client>(o));
    return *clients_.back();
  }

  RequestContext Ctx(std::string id = "req-1") {
    RequestContext ctx = RequestContext::Background(std::move(id));
    ctx.deadline = RequestContext::Clock::now() + 10s;
    return ctx;
  }

  std::unique_ptr<Server> rpc_;
  std::unique_ptr<http::Server> http_;
  std::uint16_t port_ = 0;
  std::vector<std::unique_ptr<Client>> clients_;
};

TEST_F(RpcLoopback, SmallCallsAndKeepAlive) {
  Client& c = NewClient();
  for (int i = 0; i < 3; ++i) {
    auto r = SyncWait(c.Call(Ctx("id7"), kEcho, "", "hello" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, "id7:hello" + std::to_string(i));
  }
  EXPECT_EQ(c.IdleConnectionsForTest(), 1u);  // one connection served all three
  auto a = SyncWait(c.Call(Ctx(), kEcho, "/drive/a", std::string("x\0y", 3)));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, std::string("a:x\0y", 5));
  EXPECT_GT(c.peer_time_ms(), 0);
  EXPECT_TRUE(c.online());
  EXPECT_EQ(rpc_->calls(), 4u);
}

// Every connection that concurrent calls opened is pooled for the next ones: a GET on a
// cluster makes several calls to each peer at once, and a pool smaller than that closed the
// extra connections (with a reset) after each call and opened them again for the next.
TEST_F(RpcLoopback, ConcurrentCallsKeepTheirConnections) {
  Client& c = NewClient();
  const RequestContext ctx = Ctx();  // outlives every call (Call keeps a reference)
  auto calls = [&]() -> Task<std::vector<Result<std::string>>> {
    co_return co_await FanOut<Result<std::string>>(
        40, [&](std::size_t) { return c.Call(ctx, kSlow, "", ""); });
  };
  for (const auto& r : SyncWait(calls())) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  EXPECT_EQ(c.IdleConnectionsForTest(), 40u);
}

TEST_F(RpcLoopback, ErrorsCrossTheWire) {
  Client& c = NewClient();
  auto r = SyncWait(c.Call(Ctx(), kFail, "", "d1"));
  EXPECT_EQ(r.status().code(), Errc::kDiskFull);
  EXPECT_EQ(r.status().message(), "full: d1");
  auto unknown = SyncWait(c.Call(Ctx(), 999, "", ""));
  EXPECT_EQ(unknown.status().code(), Errc::kNotImplemented);
  auto no_drive = SyncWait(c.Call(Ctx(), kEcho, "/drive/zz", ""));
  EXPECT_EQ(no_drive.status().code(), Errc::kDiskNotFound);
  // Errors leave the connection usable.
  EXPECT_TRUE(SyncWait(c.Call(Ctx(), kEcho, "", "ok")).ok());
}

TEST_F(RpcLoopback, UnknownErrcFromNewerPeerIsUnknown) {
  http::ServerOptions ho;
  ho.address = "127.0.0.1:0";
  ho.threads = 1;
  http::Server newer(ho, [](http::Exchange& ex) -> Task<void> {
    http::Headers headers = {{std::string(kErrcHeader), "4242"}};
    (void)co_await ex.Respond(500, std::move(headers), "from the future");
  });
  ASSERT_TRUE(newer.Start().ok());
  Client& c = NewClient(kKey, newer.port());
  auto r = SyncWait(c.Call(Ctx(), kEcho, "", ""));
  EXPECT_EQ(r.status().code(), Errc::kUnknown);
  EXPECT_EQ(r.status().message(), "from the future");
  clients_.clear();
  newer.Stop();
}

TEST_F(RpcLoopback, WrongKeyAndMissingTokenAre403) {
  Client& c = NewClient(DeriveTokenKey("admin", "another-secret"));
  auto r = SyncWait(c.Call(Ctx(), kEcho, "", "x"));
  EXPECT_EQ(r.status().code(), Errc::kRpcUnauthenticated) << r.status().ToString();

  boost::asio::io_context io;
  http::Client raw(io.get_executor(), "127.0.0.1", port_);
  std::optional<Result<http::ClientResponse>> res;
  boost::asio::co_spawn(
      io, [&]() -> Task<void> { res = co_await raw.Send("POST", MethodPath(kEcho), {}, "x"); },
      [](std::exception_ptr) {});
  io.run();
  ASSERT_TRUE(res && res->ok());
  EXPECT_EQ((*res)->status, 403);
  ASSERT_NE((*res)->Header(kErrcHeader), nullptr);
  EXPECT_EQ(*(*res)->Header(kErrcHeader), std::to_string(ErrcToWire(Errc::kRpcUnauthenticated)));
  EXPECT_EQ(rpc_->calls(), 0u);
}

TEST_F(RpcLoopback, StreamedUpload) {
  Client& c = NewClient();
  auto up = SyncWait(c.OpenUpload(Ctx(), kUpload, "", "args/part.1"));
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  std::vector<std::byte> block(65536 + 7);
  std::uint64_t sum = 0;
  std::uint64_t total = 0;
  for (int i = 0; i < 48; ++i) {  // ~3 MiB in bounded blocks
    for (std::size_t j = 0; j < block.size(); ++j) {
      block[j] = static_cast<std::byte>((i * 131 + j) & 0xff);
      sum = sum * 31 + static_cast<std::uint8_t>(block[j]);
    }
    total += block.size();
    ASSERT_TRUE(SyncWait((*up)->Write(block)).ok());
  }
  auto reply = SyncWait((*up)->Finish());
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(*reply, "args/part.1:" + std::to_string(total) + ":" + std::to_string(sum));
  // The connection went back to the pool and serves the next call.
  EXPECT_TRUE(SyncWait(c.Call(Ctx(), kEcho, "", "after")).ok());
  EXPECT_EQ(c.IdleConnectionsForTest(), 1u);

  auto bad = SyncWait(c.OpenUpload(Ctx(), kUpload, "", "fail"));
  ASSERT_TRUE(bad.ok());
  ASSERT_TRUE(SyncWait((*bad)->Write(block)).ok());
  EXPECT_EQ(SyncWait((*bad)->Finish()).status().code(), Errc::kFaultyDisk);
}

TEST_F(RpcLoopback, DeadlineBoundsTheCall) {
  Client& c = NewClient();
  RequestContext ctx = Ctx();
  ctx.deadline = RequestContext::Clock::now() + 300ms;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = SyncWait(c.Call(ctx, kSlow, "", ""));
  EXPECT_EQ(r.status().code(), Errc::kTimeout) << r.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  RequestContext past = Ctx();
  past.deadline = RequestContext::Clock::now() - 1ms;
  EXPECT_EQ(SyncWait(c.Call(past, kEcho, "", "")).status().code(), Errc::kTimeout);
  // The server saw the caller's deadline too.
  ctx.deadline = RequestContext::Clock::now() + 5s;
  EXPECT_EQ(*SyncWait(c.Call(ctx, kSlow, "", "")), "in time");
}

TEST_F(RpcLoopback, DeadPeerOfflineFastThenProbedBack) {
  const std::uint16_t port = port_;
  Client& c = NewClient();
  ASSERT_TRUE(SyncWait(c.Call(Ctx(), kEcho, "", "up")).ok());
  http_->Stop();
  http_.reset();
  auto r = SyncWait(c.Call(Ctx(), kEcho, "", "down"));
  EXPECT_EQ(r.status().code(), Errc::kNodeOffline) << r.status().ToString();
  EXPECT_FALSE(c.online());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(SyncWait(c.Call(Ctx(), kEcho, "", "down")).status().code(), Errc::kNodeOffline);
  // Fails fast while offline: well inside the connect timeout a live attempt would take.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);

  StartServer(port);
  EXPECT_TRUE(Eventually([&] { return c.online(); }, 5s, 20ms));
  EXPECT_TRUE(SyncWait(c.Call(Ctx(), kEcho, "", "back")).ok());
}

TEST_F(RpcLoopback, HeartbeatFindsADeadPeerWithoutTraffic) {
  ClientOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  o.token_key = kKey;
  o.heartbeat_interval = 100ms;
  o.probe_interval = 100ms;
  clients_.push_back(std::make_unique<Client>(o));
  Client& c = *clients_.back();
  ASSERT_TRUE(SyncWait(c.Call(Ctx(), kEcho, "", "up")).ok());
  const std::uint16_t port = port_;
  http_->Stop();
  http_.reset();
  // No call was made: the heartbeat notices.
  EXPECT_TRUE(Eventually([&] { return !c.online(); }, 3s, 20ms));
  StartServer(port);
  EXPECT_TRUE(Eventually([&] { return c.online(); }, 3s, 20ms));
}

TEST(RpcClient, SilentPeerTimesOutWithinConnectTimeout) {
  // A socket that listens but never speaks: the TCP connect succeeds, the TLS handshake gets
  // no answer, and the connect timeout must end it.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  ClientOptions o;
  o.host = "127.0.0.1";
  o.port = silent.local_endpoint().port();
  o.token_key = kKey;
  o.connect_timeout = 300ms;
  o.tls.enabled = true;
  Client c(o);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = SyncWait(c.Call(RequestContext::Background(), kEcho, "", ""));
  EXPECT_EQ(r.status().code(), Errc::kNodeOffline) << r.status().ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_FALSE(c.online());
}

TEST(RpcClient, CallInFlightIsCutOffWhenThePeerGoesOffline) {
  // A peer that took the call and then went silent (a partition drops its packets): once
  // the heartbeat cannot connect, the call in flight fails at once with kNodeOffline
  // instead of waiting for its deadline.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  ClientOptions o;
  o.host = "127.0.0.1";
  o.port = silent.local_endpoint().port();
  o.token_key = kKey;
  o.connect_timeout = 300ms;
  o.heartbeat_interval = 100ms;
  o.probe_interval = 100ms;
  Client c(o);
  RequestContext ctx = RequestContext::Background();
  ctx.deadline = RequestContext::Clock::now() + 20s;
  const auto t0 = std::chrono::steady_clock::now();
  auto call = std::async(std::launch::async, [&] { return SyncWait(c.Call(ctx, kEcho, "", "")); });
  boost::asio::ip::tcp::socket held = silent.accept();  // the call's connection, kept open
  silent.close();                                       // new connections are refused
  ASSERT_EQ(call.wait_for(5s), std::future_status::ready);
  auto r = call.get();
  EXPECT_EQ(r.status().code(), Errc::kNodeOffline) << r.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_FALSE(c.online());
}

TEST(RpcClient, CallGivenUpOnIsResetNotClosed) {
  // A call that timed out closes its connection with a reset: across a partition, what the
  // kernel had not delivered yet is dropped instead of being retransmitted when it heals (a
  // Lock delivered then would leave a grant behind that its caller has already released).
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  ClientOptions o;
  o.host = "127.0.0.1";
  o.port = silent.local_endpoint().port();
  o.token_key = kKey;
  Client c(o);
  RequestContext ctx = RequestContext::Background();
  ctx.deadline = RequestContext::Clock::now() + 300ms;
  auto call = std::async(std::launch::async, [&] { return SyncWait(c.Call(ctx, kEcho, "", "")); });
  boost::asio::ip::tcp::socket held = silent.accept();
  ASSERT_EQ(call.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(call.get().status().code(), Errc::kTimeout);
  // The client has closed its end: the peer reads the request, then the reset (not an EOF).
  boost::system::error_code ec;
  char buf[4096];
  for (int i = 0; i < 100 && !ec; ++i) {
    held.read_some(boost::asio::buffer(buf), ec);
  }
  EXPECT_EQ(ec, boost::asio::error::connection_reset) << ec.message();
}

}  // namespace rpc_test_internal
}  // namespace cairn::rpc
