// HttpConnection against a scripted raw-socket server: chunked bodies, Connection: close,
// a server that drops an idle keep-alive connection, and error bodies.
#include "loadgen/http_client.h"

#include <functional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace cairn::loadgen {
namespace http_client_test_internal {

namespace asio = boost::asio;
using asio::ip::tcp;

// One scripted reply: the bytes to send, and whether to close the connection after them.
struct Reply {
  std::string bytes;
  bool close = false;
};

// Serves the replies in order, one per request, accepting new connections as needed.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<Reply> replies)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        replies_(std::move(replies)) {
    thread_ = std::thread([this] { Serve(); });
  }

  ~ScriptedServer() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    thread_.join();
  }

  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

  int accepted() const { return accepted_; }

  const std::vector<std::string>& requests() const { return requests_; }

 private:
  void Serve() {
    std::size_t next = 0;
    while (next < replies_.size()) {
      boost::system::error_code ec;
      tcp::socket sock(io_);
      acceptor_.accept(sock, ec);
      if (ec) {
        return;
      }
      ++accepted_;
      asio::streambuf in;
      while (next < replies_.size()) {
        std::size_t n = asio::read_until(sock, in, "\r\n\r\n", ec);
        if (ec) {
          break;
        }
        std::string head(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + n);
        in.consume(n);
        requests_.push_back(head);
        const Reply& r = replies_[next++];
        asio::write(sock, asio::buffer(r.bytes), ec);
        if (r.close || ec) {
          break;
        }
      }
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<Reply> replies_;
  std::vector<std::string> requests_;  // written by the server thread, read after join
  int accepted_ = 0;
  std::thread thread_;
};

// Runs `fn` with a connection to `ep` on a private io_context.
void WithConnection(const tcp::endpoint& ep, const std::function<Task<void>(HttpConnection&)>& fn) {
  asio::io_context io;
  HttpConnection conn(io.get_executor(), ep, "test:1", std::chrono::seconds(5), 4);
  std::exception_ptr error;
  asio::co_spawn(io, fn(conn), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) {
    std::rethrow_exception(error);
  }
}

TEST(HttpConnectionTest, ChunkedCloseAndErrorBodies) {
  std::vector<HttpResponse> got(3);
  std::uint64_t connects = 0;
  {
    ScriptedServer server({
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nETag: \"x\"\r\n\r\n"
         "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", true},
        {"HTTP/1.1 404 Not Found\r\nContent-Length: 37\r\n\r\n"
         "<Error><Code>NoSuchKey</Code></Error>"},
    });
    WithConnection(server.endpoint(), [&](HttpConnection& conn) -> Task<void> {
      HttpRequest req;
      req.method = "GET";
      req.target = "/b/k";
      co_await conn.Send(req, got[0], 100);
      co_await conn.Send(req, got[1], 0);
      co_await conn.Send(req, got[2], 0);
      connects = conn.connects();
    });
    EXPECT_EQ(server.accepted(), 2);
    ASSERT_EQ(server.requests().size(), 3u);
    EXPECT_NE(server.requests()[0].find("GET /b/k HTTP/1.1\r\nHost: test:1\r\n"),
              std::string::npos);
  }
  EXPECT_EQ(got[0].status, 200);
  EXPECT_EQ(got[0].body_bytes, 11u);
  EXPECT_EQ(got[0].body, "hello world");
  EXPECT_EQ(got[0].etag, "\"x\"");
  EXPECT_EQ(got[1].status, 200);
  EXPECT_EQ(got[1].body_bytes, 3u);
  EXPECT_EQ(got[1].body, "");  // nothing asked for, and not an error
  EXPECT_EQ(got[2].status, 404);
  EXPECT_FALSE(got[2].ok());
  EXPECT_EQ(got[2].body, "<Error><Code>NoSuchKey</Code></Error>");
  EXPECT_EQ(connects, 2u);
}

TEST(HttpConnectionTest, RetriesOnceWhenTheServerDroppedTheIdleConnection) {
  HttpResponse first;
  HttpResponse second;
  std::uint64_t connects = 0;
  {
    // The server answers and then closes without saying so.
    ScriptedServer server({
        {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true},
        {"HTTP/1.1 204 No Content\r\n\r\n"},
    });
    WithConnection(server.endpoint(), [&](HttpConnection& conn) -> Task<void> {
      HttpRequest req;
      req.method = "PUT";
      req.target = "/b/k";
      std::string body(10000, 'z');  // larger than the 4-byte scratch buffer
      req.body = body;
      co_await conn.Send(req, first);
      co_await conn.Send(req, second);
      connects = conn.connects();
    });
    EXPECT_EQ(server.accepted(), 2);
    ASSERT_EQ(server.requests().size(), 2u);
    EXPECT_NE(server.requests()[1].find("Content-Length: 10000\r\n"), std::string::npos);
  }
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body_bytes, 2u);
  EXPECT_EQ(second.status, 204) << second.error;
  EXPECT_EQ(connects, 2u);
}

TEST(HttpConnectionTest, RefusedConnectionIsATransportError) {
  tcp::endpoint ep;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    ep = a.local_endpoint();
  }  // closed: nothing listens there now
  HttpResponse resp;
  WithConnection(ep, [&](HttpConnection& conn) -> Task<void> {
    HttpRequest req;
    req.method = "GET";
    req.target = "/";
    co_await conn.Send(req, resp);
  });
  EXPECT_EQ(resp.status, 0);
  EXPECT_NE(resp.error.find("connect"), std::string::npos);
}

}  // namespace http_client_test_internal
}  // namespace cairn::loadgen
