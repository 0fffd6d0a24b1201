#include "http/client.h"

#include <chrono>
#include <string>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "http/server.h"
#include "testing/sync_wait.h"

namespace cairn::http {
namespace client_test_internal {

using namespace std::chrono_literals;
using cairn::testing::SyncWait;

Task<void> EchoHandler(Exchange& ex) {
  std::string body;
  std::vector<std::byte> buf(4096);
  for (;;) {
    auto n = co_await ex.body().Read(buf);
    if (!n.ok() || *n == 0) {
      break;
    }
    body.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  Headers h;
  h.emplace_back("X-Method", ex.request().method);
  h.emplace_back("X-Target", ex.request().target);
  const std::string* custom = ex.request().Header("x-custom");
  h.emplace_back("X-Custom", custom != nullptr ? *custom : "");
  (void)co_await ex.Respond(ex.request().path == "/missing" ? 404 : 200, std::move(h), body);
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.address = "127.0.0.1:0";
    o.threads = 1;
    o.idle_timeout = 300ms;
    server_ = std::make_unique<Server>(o, EchoHandler);
    ASSERT_TRUE(server_->Start().ok());
  }

  std::unique_ptr<Server> server_;
};

TEST_F(ClientTest, RequestsReuseOneConnection) {
  auto task = [this]() -> Task<void> {
    // The executor first: GCC 12 miscompiles a co_await among constructor arguments
    // whose temporaries own memory (the default ClientOptions).
    auto executor = co_await boost::asio::this_coro::executor;
    Client client(executor, "127.0.0.1", server_->port());
    Headers h;
    h.emplace_back("X-Custom", "v1");
    auto r = co_await client.Send("PUT", "/a/b?x=1", h, "payload");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) {
      co_return;
    }
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "payload");
    EXPECT_EQ(*r->Header("x-method"), "PUT");
    EXPECT_EQ(*r->Header("x-target"), "/a/b?x=1");
    EXPECT_EQ(*r->Header("x-custom"), "v1");
    EXPECT_EQ(client.idle_connections(), 1u);
    auto big = std::string(3 * 1024 * 1024, 'z');
    r = co_await client.Send("POST", "/big", {}, big);
    EXPECT_TRUE(r.ok() && r->body == big);
    r = co_await client.Send("GET", "/missing", {}, "");
    EXPECT_TRUE(r.ok() && r->status == 404);
    EXPECT_EQ(server_->open_connections(), 1);
  };
  SyncWait(task());
}

TEST_F(ClientTest, RetriesWhenTheServerClosedAnIdleConnection) {
  auto task = [this]() -> Task<void> {
    auto ex = co_await boost::asio::this_coro::executor;
    Client client(ex, "127.0.0.1", server_->port());
    auto r = co_await client.Send("GET", "/one", {}, "");
    EXPECT_TRUE(r.ok());
    // Past the server's idle timeout: the pooled connection is dead.
    boost::asio::steady_timer t(ex);
    t.expires_after(700ms);
    (void)co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    r = co_await client.Send("GET", "/two", {}, "");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) {
      EXPECT_EQ(*r->Header("x-target"), "/two");
    }
  };
  SyncWait(task());
}

TEST_F(ClientTest, ErrorsAreStatuses) {
  std::uint16_t port = server_->port();
  server_->Stop();
  auto task = [port]() -> Task<void> {
    ClientOptions o;
    o.connect_timeout = 2s;
    o.request_timeout = 2s;
    // The executor first: GCC 12 miscompiles a co_await among constructor arguments
    // whose temporaries own memory (the default ClientOptions).
    auto executor = co_await boost::asio::this_coro::executor;
    Client client(executor, "127.0.0.1", port, o);
    auto r = co_await client.Send("GET", "/", {}, "");
    EXPECT_EQ(r.code(), Errc::kNodeOffline) << r.status().ToString();
  };
  SyncWait(task());
}

TEST_F(ClientTest, ResponseOverTheLimit) {
  auto task = [this]() -> Task<void> {
    ClientOptions o;
    o.max_response_body = 10;
    // The executor first: GCC 12 miscompiles a co_await among constructor arguments
    // whose temporaries own memory (the default ClientOptions).
    auto executor = co_await boost::asio::this_coro::executor;
    Client client(executor, "127.0.0.1", server_->port(), o);
    auto r = co_await client.Send("POST", "/", {}, std::string(100, 'x'));
    EXPECT_EQ(r.code(), Errc::kEntityTooLarge) << r.status().ToString();
  };
  SyncWait(task());
}

}  // namespace client_test_internal
}  // namespace cairn::http
