#include "loadgen/http_client.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <fmt/format.h>

namespace cairn::loadgen {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

}  // namespace

Result<tcp::endpoint> Resolve(const Endpoint& ep) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(ep.host, std::to_string(ep.port), ec);
  if (ec || results.empty()) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("cannot resolve {}: {}", ep.host, ec ? ec.message() : "no address"));
  }
  return results.begin()->endpoint();
}

struct HttpConnection::Impl {
  Impl(asio::any_io_executor ex, tcp::endpoint e, std::string host, std::chrono::nanoseconds t,
       std::size_t scratch_size)
      : stream(ex), ep(e), host_header(std::move(host)), timeout(t), scratch(scratch_size) {}

  void Close() {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
    buffer.clear();
    connected = false;
  }

  beast::tcp_stream stream;
  tcp::endpoint ep;
  std::string host_header;
  std::chrono::nanoseconds timeout;
  std::vector<char> scratch;
  beast::flat_buffer buffer;
  std::string head;
  bool connected = false;
  std::uint64_t connects = 0;
};

HttpConnection::HttpConnection(asio::any_io_executor ex, tcp::endpoint ep, std::string host_header,
                               std::chrono::nanoseconds timeout, std::size_t scratch_size)
    : impl_(std::make_unique<Impl>(std::move(ex), ep, std::move(host_header), timeout,
                                   scratch_size)) {}

HttpConnection::~HttpConnection() = default;

std::uint64_t HttpConnection::connects() const {
  return impl_->connects;
}

Task<void> HttpConnection::Send(const HttpRequest& req, HttpResponse& resp,
                                std::size_t capture_limit) {
  Impl& c = *impl_;
  resp.status = 0;
  resp.body_bytes = 0;
  resp.body.clear();
  resp.etag.clear();
  resp.error.clear();

  c.head.clear();
  c.head.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\nHost: ");
  c.head.append(c.host_header).append("\r\n");
  if (!req.body.empty() || req.method == "PUT" || req.method == "POST") {
    c.head.append("Content-Length: ").append(std::to_string(req.body.size())).append("\r\n");
  }
  c.head.append(req.headers).append("\r\n");

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = c.connected;
    if (!c.connected) {
      c.stream.expires_after(c.timeout);
      auto [ec] = co_await c.stream.async_connect(c.ep, kNoThrow);
      if (ec) {
        c.Close();
        resp.error = "connect: " + ec.message();
        co_return;
      }
      boost::system::error_code ignored;
      c.stream.socket().set_option(tcp::no_delay(true), ignored);
      c.connected = true;
      ++c.connects;
    }
    std::array<asio::const_buffer, 2> out = {asio::buffer(c.head),
                                             asio::buffer(req.body.data(), req.body.size())};
    c.stream.expires_after(c.timeout);
    auto [wec, written] = co_await asio::async_write(c.stream, out, kNoThrow);
    (void)written;
    if (wec) {
      c.Close();
      if (reused && attempt == 0) {
        continue;
      }
      resp.error = "write: " + wec.message();
      co_return;
    }
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    parser.header_limit(64 << 10);
    if (req.head) {
      parser.skip(true);
    }
    auto [hec, hn] = co_await http::async_read_header(c.stream, c.buffer, parser, kNoThrow);
    (void)hn;
    if (hec) {
      c.Close();
      if (reused && attempt == 0 &&
          (hec == http::error::end_of_stream || hec == asio::error::connection_reset ||
           hec == asio::error::eof)) {
        continue;
      }
      resp.error = "read: " + hec.message();
      co_return;
    }
    auto& msg = parser.get();
    resp.status = static_cast<int>(msg.result_int());
    if (auto it = msg.find(http::field::etag); it != msg.end()) {
      resp.etag = std::string(it->value());
    }
    // Error bodies are kept (their first 4 KiB) whatever the caller asked for.
    const std::size_t limit =
        resp.ok() ? capture_limit : std::max<std::size_t>(capture_limit, 4096);
    auto keep = [&](const char* data, std::size_t n) {
      resp.body_bytes += n;
      if (resp.body.size() < limit) {
        resp.body.append(data, std::min(n, limit - resp.body.size()));
      }
    };
    if (!parser.is_done() && parser.content_length() && !parser.chunked()) {
      // The common case: a Content-Length body, read straight from the socket into the
      // scratch buffer, without the parser's copy.
      std::uint64_t remaining = *parser.content_length();
      std::size_t buffered =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining, c.buffer.size()));
      keep(static_cast<const char*>(c.buffer.data().data()), buffered);
      c.buffer.consume(buffered);
      remaining -= buffered;
      while (remaining > 0) {
        std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining, c.scratch.size()));
        c.stream.expires_after(c.timeout);
        auto [rec, got] =
            co_await c.stream.async_read_some(asio::buffer(c.scratch.data(), want), kNoThrow);
        if (rec) {
          c.Close();
          resp.status = 0;
          resp.error = "read body: " + rec.message();
          co_return;
        }
        keep(c.scratch.data(), got);
        remaining -= got;
      }
      if (!parser.keep_alive()) {
        c.Close();
      }
      co_return;
    }
    while (!parser.is_done()) {
      msg.body().data = c.scratch.data();
      msg.body().size = c.scratch.size();
      c.stream.expires_after(c.timeout);
      auto [bec, bn] = co_await http::async_read(c.stream, c.buffer, parser, kNoThrow);
      (void)bn;
      keep(c.scratch.data(), c.scratch.size() - msg.body().size);
      if (bec && bec != http::error::need_buffer) {
        c.Close();
        resp.status = 0;
        resp.error = "read body: " + bec.message();
        co_return;
      }
    }
    if (!parser.keep_alive()) {
      c.Close();
    }
    co_return;
  }
}

}  // namespace cairn::loadgen
