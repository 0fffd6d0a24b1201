#include "http/server.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "http/request_parser.h"
#include "test_client.h"
#include "testing/eventually.h"

namespace cairn::http {
namespace server_test_internal {

using namespace std::chrono_literals;
using cairn::testing::Eventually;
using testing::Response;
using testing::TestClient;

constexpr auto kAwait = boost::asio::as_tuple(boost::asio::use_awaitable);

// FNV-1a, to compare large bodies without keeping them.
std::uint64_t Fnv(std::uint64_t h, std::string_view data) {
  for (unsigned char c : data) {
    h = (h ^ c) * 1099511628211ull;
  }
  return h;
}

constexpr std::uint64_t kFnvInit = 14695981039346656037ull;

std::string Pattern(std::size_t n, std::size_t seed = 0) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>('a' + (i * 7 + seed + i / 251) % 26);
  }
  return s;
}

std::string SumText(std::string_view data) {
  return std::to_string(data.size()) + " " + std::to_string(Fnv(kFnvInit, data));
}

// What handlers tell the tests, across threads.
struct Signals {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Status> body_errors;
  std::vector<bool> cancelled_after_error;
  int sleeping = 0;

  void PushBodyError(Status st, bool cancelled) {
    std::lock_guard lock(mu);
    body_errors.push_back(std::move(st));
    cancelled_after_error.push_back(cancelled);
    cv.notify_all();
  }

  bool WaitBodyError(Status* out, bool* cancelled) {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, 5s, [&] { return !body_errors.empty(); })) {
      return false;
    }
    *out = body_errors.front();
    *cancelled = cancelled_after_error.front();
    return true;
  }

  bool WaitSleeping(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 5s, [&] { return sleeping >= n; });
  }
};

Headers TextHeaders() {
  Headers h;
  h.emplace_back("Content-Type", "text/plain");
  return h;
}

std::string QueryValue(const Request& r, std::string_view key) {
  std::string_view q = r.query;
  std::string prefix = std::string(key) + "=";
  std::size_t pos = q.find(prefix);
  if (pos == std::string_view::npos) {
    return "";
  }
  std::string_view v = q.substr(pos + prefix.size());
  return std::string(v.substr(0, v.find('&')));
}

Task<void> Sleep(std::chrono::milliseconds d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
  t.expires_after(d);
  (void)co_await t.async_wait(kAwait);
}

Task<void> TestHandler(Signals& sig, Exchange& ex) {
  const Request& req = ex.request();
  const std::string& path = req.path;
  if (path == "/hello") {
    (void)co_await ex.Respond(200, TextHeaders(), "hello");
  } else if (path == "/target") {
    (void)co_await ex.Respond(200, {}, req.target);
  } else if (path == "/sum") {
    // Reads the body in 64 KiB pieces and answers with its size and hash.
    std::vector<std::byte> buf(64 * 1024);
    std::uint64_t h = kFnvInit;
    std::uint64_t total = 0;
    for (;;) {
      auto n = co_await ex.body().Read(buf);
      if (!n.ok()) {
        sig.PushBodyError(n.status(), ex.cancelled()->load());
        (void)co_await ex.Respond(400, {}, "body failed");
        co_return;
      }
      if (*n == 0) {
        break;
      }
      total += *n;
      h = Fnv(h, std::string_view(reinterpret_cast<const char*>(buf.data()), *n));
    }
    (void)co_await ex.Respond(200, {}, std::to_string(total) + " " + std::to_string(h));
  } else if (path == "/echo") {
    std::string body;
    std::vector<std::byte> buf(1000);
    for (;;) {
      auto n = co_await ex.body().Read(buf);
      if (!n.ok() || *n == 0) {
        break;
      }
      body.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    (void)co_await ex.Respond(200, {}, body);
  } else if (path.rfind("/inspect", 0) == 0) {
    std::string out = req.method + "|" + req.target + "|" + req.path + "|" + req.query + "|" +
                      std::to_string(req.version) + "|" +
                      (req.content_length ? std::to_string(*req.content_length) : "none") + "|" +
                      (req.chunked ? "chunked" : "plain") + "|" + (req.tls ? "tls" : "tcp") + "|" +
                      (req.remote_address.rfind("127.0.0.1:", 0) == 0 ? "local" : "?") + "\n";
    for (const auto& [k, v] : req.headers) {
      out += k + "=" + v + "\n";
    }
    const std::string* mixed = req.Header("x-mixed-case");
    out += "lookup=" + (mixed != nullptr ? *mixed : std::string("null")) + "\n";
    (void)co_await ex.Respond(200, {}, out);
  } else if (path == "/stream") {
    // Unknown length: chunked for HTTP/1.1.
    int n = std::atoi(QueryValue(req, "n").c_str());
    Status st = co_await ex.BeginStream(200, TextHeaders(), std::nullopt);
    for (int i = 0; i < n && st.ok(); ++i) {
      std::string piece = "piece-" + std::to_string(i) + ";";
      if (i == 2) {
        piece += Pattern(10000, i);  // a large piece goes out as a separate buffer
      }
      st = co_await ex.sink().Write(std::as_bytes(std::span(piece.data(), piece.size())));
    }
    if (st.ok()) {
      (void)co_await ex.EndStream();
    }
  } else if (path == "/known") {
    // Known length, written in pieces; for HEAD nothing is sent but the header.
    std::size_t size = std::strtoull(QueryValue(req, "size").c_str(), nullptr, 10);
    std::string data = Pattern(size, 3);
    Status st = co_await ex.BeginStream(200, {}, size);
    std::size_t piece = std::max<std::size_t>(1, size / 3 + 1);
    for (std::size_t off = 0; off < size && st.ok(); off += piece) {
      std::size_t len = std::min(piece, size - off);
      st = co_await ex.sink().Write(std::as_bytes(std::span(data.data() + off, len)));
    }
    if (st.ok()) {
      (void)co_await ex.EndStream();
    }
  } else if (path == "/pieces") {
    // A small body of known length written in n pieces, 20 ms apart.
    int n = std::atoi(QueryValue(req, "n").c_str());
    std::string data = Pattern(static_cast<std::size_t>(n) * 100, 5);
    Status st = co_await ex.BeginStream(200, {}, data.size());
    for (int i = 0; i < n && st.ok(); ++i) {
      if (i > 0) {
        co_await Sleep(20ms);
      }
      st = co_await ex.sink().Write(std::as_bytes(std::span(data.data() + i * 100, 100)));
    }
    if (st.ok()) {
      (void)co_await ex.EndStream();
    }
  } else if (path == "/short") {
    // Declares more than it writes: the server must close the connection.
    (void)co_await ex.BeginStream(200, {}, 100);
    std::string data = "only ten..";
    (void)co_await ex.sink().Write(std::as_bytes(std::span(data.data(), data.size())));
    Status st = co_await ex.EndStream();
    (void)co_await ex.Respond(200, {}, st.ok() ? "unexpected" : "ignored");
  } else if (path == "/head-len") {
    Headers h;
    h.emplace_back("Content-Length", "777");
    (void)co_await ex.Respond(200, std::move(h), "");
  } else if (path == "/inject") {
    Headers h;
    h.emplace_back("X-Bad", "a\r\nInjected: yes");
    (void)co_await ex.Respond(200, std::move(h), "ok");
  } else if (path == "/status") {
    int code = std::atoi(QueryValue(req, "code").c_str());
    (void)co_await ex.Respond(code, {}, "");
  } else if (path == "/sleep") {
    {
      std::lock_guard lock(sig.mu);
      ++sig.sleeping;
      sig.cv.notify_all();
    }
    co_await Sleep(std::chrono::milliseconds(std::atoi(QueryValue(req, "ms").c_str())));
    (void)co_await ex.Respond(200, {}, "slept");
  } else if (path == "/throw") {
    throw std::runtime_error("handler bug");
  } else if (path == "/throw-late") {
    (void)co_await ex.BeginStream(200, {}, 1000);
    std::string data(100, 'x');
    (void)co_await ex.sink().Write(std::as_bytes(std::span(data.data(), data.size())));
    throw std::runtime_error("handler bug after the header");
  } else if (path == "/noreply") {
    co_return;
  } else {
    (void)co_await ex.Respond(404, TextHeaders(), "not found");
  }
}

ServerOptions TestOptions() {
  ServerOptions o;
  o.address = "127.0.0.1:0";
  o.threads = 2;
  o.max_header_bytes = 16 * 1024;
  o.idle_timeout = 2s;
  o.header_timeout = 2s;
  o.body_read_timeout = 2s;
  o.write_timeout = 2s;
  o.shutdown_grace = 2s;
  return o;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(TestOptions()); }

  void TearDown() override {
    if (server_) {
      server_->Stop();
    }
  }

  void StartServer(ServerOptions o) {
    if (server_) {
      server_->Stop();
    }
    server_ = std::make_unique<Server>(std::move(o),
                                       [this](Exchange& ex) { return TestHandler(signals_, ex); });
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  std::unique_ptr<TestClient> Connect() {
    auto c = TestClient::Connect(server_->port());
    EXPECT_NE(c, nullptr);
    return c;
  }

  Signals signals_;
  std::unique_ptr<Server> server_;
};

std::string GetRequest(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

std::string PostRequest(std::string_view target, std::string_view body,
                        std::string_view extra = "") {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto c = Connect();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c->Send(GetRequest("/hello")));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello");
    EXPECT_EQ(r->Header("content-length"), "5");
    EXPECT_EQ(r->Header("content-type"), "text/plain");
    EXPECT_EQ(r->Header("server"), "cairn");
    EXPECT_FALSE(r->HasHeader("connection"));
    std::string date = r->Header("date");
    EXPECT_EQ(date.size(), 29u) << date;
    EXPECT_EQ(date.substr(date.size() - 4), " GMT");
  }
  EXPECT_EQ(server_->open_connections(), 1);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto c = Connect();
  std::string batch = GetRequest("/target?1") + PostRequest("/echo", "second body") +
                      GetRequest("/target?3") + PostRequest("/hello", "unread body") +
                      GetRequest("/target?5");
  ASSERT_TRUE(c->Send(batch));
  std::vector<std::string> want = {"/target?1", "second body", "/target?3", "hello", "/target?5"};
  for (const auto& w : want) {
    auto r = c->ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, w);
  }
}

TEST_F(ServerTest, RequestFieldsReachTheHandler) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(
      "PUT /inspect/a%20b?uploads&x=1 HTTP/1.1\r\nHost: test\r\nX-Mixed-Case:   spaced value  "
      "\r\nContent-Length: 3\r\n\r\nabc"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body,
            "PUT|/inspect/a%20b?uploads&x=1|/inspect/a%20b|uploads&x=1|11|3|plain|tcp|local\n"
            "host=test\nx-mixed-case=spaced value\ncontent-length=3\nlookup=spaced value\n");
  // The same connection, fewer headers: no stale header from the previous request.
  ASSERT_TRUE(c->Send("GET /inspect HTTP/1.1\r\nHost: h2\r\n\r\n"));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET|/inspect|/inspect||11|none|plain|tcp|local\nhost=h2\nlookup=null\n");
}

TEST_F(ServerTest, LargeContentLengthBodyStreamsThrough) {
  const std::size_t size = 20 * 1024 * 1024;
  std::string body = Pattern(size);
  auto c = Connect();
  ASSERT_TRUE(c->Send("PUT /sum HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(size) +
                      "\r\n\r\n"));
  for (std::size_t off = 0; off < size; off += 64 * 1024) {
    ASSERT_TRUE(c->Send(std::string_view(body).substr(off, 64 * 1024)));
  }
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, SumText(body));
  // The connection is still good.
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(ServerTest, ChunkedRequestBodyIsDecoded) {
  std::string a = "hello";
  std::string b = Pattern(4096, 1);
  std::string msg =
      "POST /sum HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\n" +
      a + "\r\n1000\r\n" + b + "\r\n0\r\nx-trailer: t\r\n\r\n" + GetRequest("/target?after");
  auto c = Connect();
  // Sent in small fragments so the parser sees every kind of partial input.
  for (std::size_t off = 0; off < msg.size(); off += 97) {
    ASSERT_TRUE(c->Send(std::string_view(msg).substr(off, 97)));
    if (off < 600) {
      std::this_thread::sleep_for(1ms);
    }
  }
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, SumText(a + b));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "/target?after");
}

TEST_F(ServerTest, LargeChunkedBody) {
  std::string body = Pattern(5 * 1024 * 1024 + 17, 5);
  auto c = Connect();
  ASSERT_TRUE(c->Send("PUT /sum HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::size_t piece = 100 * 1000;
  for (std::size_t off = 0; off < body.size(); off += piece) {
    std::size_t len = std::min(piece, body.size() - off);
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%zx\r\n", len);
    ASSERT_TRUE(c->Send(hex));
    ASSERT_TRUE(c->Send(std::string_view(body).substr(off, len)));
    ASSERT_TRUE(c->Send("\r\n"));
  }
  ASSERT_TRUE(c->Send("0\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, SumText(body));
}

TEST_F(ServerTest, MalformedChunkedBodyFailsTheRead) {
  auto c = Connect();
  ASSERT_TRUE(
      c->Send("PUT /sum HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
              "zz\r\nabc\r\n"));
  Status st;
  bool cancelled = false;
  ASSERT_TRUE(signals_.WaitBodyError(&st, &cancelled));
  EXPECT_EQ(st.code(), Errc::kIncompleteBody) << st.ToString();
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(ServerTest, ExpectContinueSendsContinueBeforeTheBody) {
  auto c = Connect();
  ASSERT_TRUE(
      c->Send("PUT /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n"
              "Expect: 100-continue\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 100);
  ASSERT_TRUE(c->Send("hello world"));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
  EXPECT_FALSE(r->HasHeader("connection"));
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(ServerTest, ExpectContinueWithoutReadingClosesTheConnection) {
  // The handler answers without reading: no 100 goes out, and since the client may or may
  // not send the body now, the connection cannot be reused.
  auto c = Connect();
  ASSERT_TRUE(
      c->Send("PUT /hello HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n"
              "Expect: 100-continue\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(ServerTest, HeadSendsTheLengthButNoBody) {
  auto c = Connect();
  ASSERT_TRUE(c->Send("HEAD /known?size=12345 HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto r = c->ReadResponse(/*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-length"), "12345");
  ASSERT_TRUE(c->Send("HEAD /head-len HTTP/1.1\r\nHost: test\r\n\r\n"));
  r = c->ReadResponse(/*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-length"), "777");
  // Had any body byte been sent, this response would not parse.
  ASSERT_TRUE(c->Send(GetRequest("/known?size=12345")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, Pattern(12345, 3));
}

TEST_F(ServerTest, StreamOfUnknownLengthIsChunked) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(GetRequest("/stream?n=5")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("transfer-encoding"), "chunked");
  EXPECT_FALSE(r->HasHeader("content-length"));
  EXPECT_EQ(r->body, "piece-0;piece-1;piece-2;" + Pattern(10000, 2) + "piece-3;piece-4;");
  ASSERT_TRUE(c->Send(GetRequest("/stream?n=0")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "");
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(ServerTest, LargeKnownLengthStream) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(GetRequest("/known?size=9000001")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-length"), "9000001");
  EXPECT_TRUE(r->body == Pattern(9000001, 3));
}

TEST_F(ServerTest, SmallKnownLengthStreamGoesOutInOneWrite) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(GetRequest("/pieces?n=4")));
  // The pieces are written 20 ms apart, yet the first bytes to arrive hold the whole body.
  const std::string body = Pattern(400, 5);
  std::string first = c->ReadAvailable();
  ASSERT_GE(first.size(), body.size());
  EXPECT_EQ(first.substr(first.size() - body.size()), body);
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-length"), "400");
  EXPECT_EQ(r->body, body);
  // The connection goes on.
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(ServerTest, ShortStreamClosesTheConnection) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(GetRequest("/short")));
  // The header promises 100 bytes, 10 arrive, then the connection closes.
  auto r = c->ReadResponse();
  EXPECT_FALSE(r);
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(ServerTest, StatusesWithoutBody) {
  auto c = Connect();
  for (int code : {204, 304}) {
    ASSERT_TRUE(c->Send(GetRequest("/status?code=" + std::to_string(code))));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, code);
    EXPECT_FALSE(r->HasHeader("content-length"));
  }
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(ServerTest, HeaderValuesCannotSplitTheResponse) {
  auto r = testing::Get(server_->port(), "/inject");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("x-bad"), "a  Injected: yes");
  EXPECT_FALSE(r->HasHeader("injected"));
  EXPECT_EQ(r->body, "ok");
}

TEST_F(ServerTest, HeaderOverTheLimitGets431AndClose) {
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /hello HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(20 * 1024, 'a') +
                      "\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitForClose());
  // Just under the limit is fine.
  c = Connect();
  ASSERT_TRUE(c->Send("GET /hello HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(15 * 1024, 'a') +
                      "\r\n\r\n"));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, TooManyHeaderFieldsGet431) {
  auto request = [](std::size_t fields) {
    std::string out = "GET /hello HTTP/1.1\r\nHost: test\r\n";
    for (std::size_t i = 1; i < fields; ++i) {
      out += "X-A" + std::to_string(i) + ": b\r\n";
    }
    return out + "\r\n";
  };
  auto c = Connect();
  ASSERT_TRUE(c->Send(request(4200)));  // 4,200 tiny fields: far under the byte limit
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c->WaitForClose());
  c = Connect();
  ASSERT_TRUE(c->Send(request(http::internal::RequestParser::kMaxHeaderFields)));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, MalformedRequestsGet400AndClose) {
  for (std::string bad : {std::string("GARBAGE\r\n\r\n"),
                          std::string("GET /hello HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
                          std::string("GET /hello HTTP/9.9\r\n\r\n"),
                          std::string("GET /hello HTTP/1.1\r\nBad Header\r\n\r\n")}) {
    auto c = Connect();
    ASSERT_TRUE(c->Send(bad));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_TRUE(c->WaitForClose()) << bad;
  }
  auto r = testing::Get(server_->port(), "/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, ClientDisconnectMidBody) {
  {
    auto c = Connect();
    ASSERT_TRUE(c->Send("PUT /sum HTTP/1.1\r\nHost: test\r\nContent-Length: 1048576\r\n\r\n"));
    ASSERT_TRUE(c->Send(std::string(100 * 1024, 'x')));
    c->Close();
  }
  Status st;
  bool cancelled = false;
  ASSERT_TRUE(signals_.WaitBodyError(&st, &cancelled));
  EXPECT_EQ(st.code(), Errc::kIncompleteBody) << st.ToString();
  EXPECT_TRUE(cancelled);
  auto r = testing::Get(server_->port(), "/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(ServerTest, SlowBodyTimesOut) {
  ServerOptions o = TestOptions();
  o.body_read_timeout = 200ms;
  StartServer(o);
  auto c = Connect();
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->Send("PUT /sum HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\nabc"));
  Status st;
  bool cancelled = false;
  ASSERT_TRUE(signals_.WaitBodyError(&st, &cancelled));
  EXPECT_EQ(st.code(), Errc::kRequestTimeout) << st.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(ServerTest, TricklingHeaderHitsOneDeadline) {
  // A header that arrives a line at a time never re-arms the deadline: one deadline for the
  // whole header, from its first byte (slowloris held connections for weeks this way).
  ServerOptions o = TestOptions();
  o.header_timeout = 300ms;
  o.idle_timeout = 10s;
  StartServer(o);
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /hello HTTP/1.1\r\n"));
  bool refused = false;
  for (int i = 0; i < 20 && !refused; ++i) {  // 2 s of lines, each well within 300 ms
    std::this_thread::sleep_for(100ms);
    refused = !c->Send("X-Slow-" + std::to_string(i) + ": x\r\n");
  }
  EXPECT_TRUE(refused || c->WaitForClose());
  // A client that sends its header at once is served.
  auto ok = testing::Get(server_->port(), "/hello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, ConnectionsPerClientAreBounded) {
  ServerOptions o = TestOptions();
  o.max_connections_per_client = 2;
  StartServer(o);
  auto a = Connect();
  auto b = Connect();
  ASSERT_TRUE(a->Send(GetRequest("/hello")));  // both are being served
  ASSERT_TRUE(a->ReadResponse());
  ASSERT_TRUE(b->Send(GetRequest("/hello")));
  ASSERT_TRUE(b->ReadResponse());
  auto third = Connect();  // closed before a byte is read
  third->Send(GetRequest("/hello"));
  EXPECT_TRUE(third->WaitForClose());
  a.reset();  // a slot comes free
  EXPECT_TRUE(Eventually(
      [&] {
        auto r = testing::Get(server_->port(), "/hello");
        return r && r->status == 200;
      },
      1s, 20ms));
}

TEST_F(ServerTest, ConnectionsInAllAreBounded) {
  ServerOptions o = TestOptions();
  o.max_connections = 1;
  StartServer(o);
  auto a = Connect();
  ASSERT_TRUE(a->Send(GetRequest("/hello")));
  ASSERT_TRUE(a->ReadResponse());
  auto b = Connect();
  b->Send(GetRequest("/hello"));
  EXPECT_TRUE(b->WaitForClose());
}

TEST_F(ServerTest, IdleConnectionIsClosed) {
  ServerOptions o = TestOptions();
  o.idle_timeout = 200ms;
  StartServer(o);
  auto c = Connect();
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  ASSERT_TRUE(c->ReadResponse());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c->WaitForClose());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(ServerTest, UnreadBodyIsDrainedOrTheConnectionClosed) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(PostRequest("/hello", Pattern(300 * 1024))));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->HasHeader("connection"));
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
  // Too much to drain: the server says so and closes.
  ASSERT_TRUE(c->Send("PUT /hello HTTP/1.1\r\nHost: test\r\nContent-Length: 5000000\r\n\r\n"));
  ASSERT_TRUE(c->Send(Pattern(100 * 1024)));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(ServerTest, Http10) {
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /hello HTTP/1.0\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitForClose());

  c = Connect();
  ASSERT_TRUE(c->Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("connection"), "keep-alive");
  // No chunked coding for HTTP/1.0: the body ends with the connection.
  ASSERT_TRUE(c->Send("GET /stream?n=3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->HasHeader("transfer-encoding"));
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_EQ(r->body, "piece-0;piece-1;piece-2;" + Pattern(10000, 2));
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(GetRequest("/hello", "Connection: close\r\n")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(ServerTest, HandlerBugsGet500AndTheServerGoesOn) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(GetRequest("/throw")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  ASSERT_TRUE(c->Send(GetRequest("/noreply")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
  // A bug after the header went out can only close the connection.
  ASSERT_TRUE(c->Send(GetRequest("/throw-late")));
  EXPECT_FALSE(c->ReadResponse());
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(ServerTest, ManyConcurrentClients) {
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      auto c = TestClient::Connect(server_->port());
      if (!c) {
        return;
      }
      for (int i = 0; i < 200; ++i) {
        std::string target = "/target?c" + std::to_string(t) + "-" + std::to_string(i);
        if (!c->Send(GetRequest(target))) {
          return;
        }
        auto r = c->ReadResponse();
        if (!r || r->body != target) {
          return;
        }
        ++ok;
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 8 * 200);
}

TEST_F(ServerTest, StopLetsInFlightRequestsFinish) {
  auto idle = Connect();
  ASSERT_TRUE(idle->Send(GetRequest("/hello")));
  ASSERT_TRUE(idle->ReadResponse());
  auto busy = Connect();
  ASSERT_TRUE(busy->Send(GetRequest("/sleep?ms=300")));
  ASSERT_TRUE(signals_.WaitSleeping(1));
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_->Stop(); });
  // The idle connection is closed at once; the busy one gets its answer, with close.
  EXPECT_TRUE(idle->WaitForClose());
  auto r = busy->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "slept");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(busy->WaitForClose());
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_EQ(server_->open_connections(), 0);
  // New connections are refused.
  EXPECT_EQ(TestClient::Connect(server_->port()), nullptr);
  server_->Join();  // returns at once after Stop
}

TEST_F(ServerTest, StopGivesUpAfterTheGrace) {
  ServerOptions o = TestOptions();
  o.shutdown_grace = 200ms;
  StartServer(o);
  auto busy = Connect();
  ASSERT_TRUE(busy->Send(GetRequest("/sleep?ms=20000")));
  ASSERT_TRUE(signals_.WaitSleeping(1));
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(busy->WaitForClose());
  server_.reset();
}

TEST(ServerStart, ClearErrors) {
  auto handler = [](Exchange& ex) -> Task<void> { (void)co_await ex.Respond(200, {}, ""); };
  ServerOptions o = TestOptions();
  Server first(o, handler);
  ASSERT_TRUE(first.Start().ok());

  o.address = "127.0.0.1:" + std::to_string(first.port());
  Server second(o, handler);
  Status st = second.Start();
  EXPECT_EQ(st.code(), Errc::kInvalidArgument);
  EXPECT_NE(st.message().find("in use"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(o.address), std::string::npos) << st.message();
  second.Join();  // never started: returns at once

  for (std::string bad : {"nonsense", "127.0.0.1:99999", "127.0.0.1:", "::1:80"}) {
    o.address = bad;
    Server s(o, handler);
    st = s.Start();
    EXPECT_EQ(st.code(), Errc::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("bad listen address"), std::string::npos) << st.message();
  }

  o.address = "127.0.0.1:0";
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = "/nonexistent/key.pem";
  Server tls(o, handler);
  st = tls.Start();
  EXPECT_NE(st.message().find("cannot load the TLS certificate"), std::string::npos)
      << st.message();
  first.Stop();
}

TEST(ServerStart, ListensOnAllInterfaces) {
  auto handler = [](Exchange& ex) -> Task<void> { (void)co_await ex.Respond(200, {}, "any"); };
  ServerOptions o = TestOptions();
  o.address = ":0";
  o.threads = 1;
  Server s(o, handler);
  ASSERT_TRUE(s.Start().ok());
  auto r = testing::Get(s.port(), "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "any");
}

class TlsServerTest : public ServerTest {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("cairn_http_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::string cert = (dir_ / "cert.pem").string();
    std::string key = (dir_ / "key.pem").string();
    ASSERT_TRUE(testing::WriteSelfSignedCert(cert, key));
    ServerOptions o = TestOptions();
    o.tls_cert_file = cert;
    o.tls_key_file = key;
    StartServer(o);
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_PEER, nullptr);
    ASSERT_EQ(SSL_CTX_load_verify_locations(client_ctx_, cert.c_str(), nullptr), 1);
  }

  void TearDown() override {
    ServerTest::TearDown();
    SSL_CTX_free(client_ctx_);
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  SSL_CTX* client_ctx_ = nullptr;
};

TEST_F(TlsServerTest, RoundTrip) {
  auto c = TestClient::Connect(server_->port(), client_ctx_);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(GetRequest("/inspect")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.substr(0, r->body.find('\n')),
            "GET|/inspect|/inspect||11|none|plain|tls|local");
  std::string body = Pattern(3 * 1024 * 1024 + 5, 9);
  ASSERT_TRUE(c->Send(PostRequest("/sum", body)));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, SumText(body));
  ASSERT_TRUE(c->Send(GetRequest("/stream?n=4")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "piece-0;piece-1;piece-2;" + Pattern(10000, 2) + "piece-3;");
  ASSERT_TRUE(c->Send(GetRequest("/hello", "Connection: close\r\n")));
  r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortIsRefused) {
  auto c = Connect();
  ASSERT_TRUE(c->Send(GetRequest("/hello")));
  EXPECT_FALSE(c->ReadResponse());
  auto tls = TestClient::Connect(server_->port(), client_ctx_);
  ASSERT_NE(tls, nullptr);
  ASSERT_TRUE(tls->Send(GetRequest("/hello")));
  auto r = tls->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

}  // namespace server_test_internal
}  // namespace cairn::http
