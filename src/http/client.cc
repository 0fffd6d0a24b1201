#include "http/client.h"

#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace cairn::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

bool IsTimeout(const error_code& ec) {
  return ec == beast::error::timeout;
}

bool IsIpAddress(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

struct Client::Connection {
  explicit Connection(asio::any_io_executor ex) : plain(std::in_place, std::move(ex)) {}

  // The TCP stream: `plain`, or the lowest layer of `secure` once TLS wraps it.
  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
};

namespace {

// One request written and its response read, on whichever stream the connection has.
// (No co_await inside ?: — GCC 12 miscompiles it.)
template <class Parser>
Task<error_code> RoundTrip(Client::Connection& c, bhttp::request<bhttp::string_body>& req,
                           Parser& parser) {
  error_code ec;
  if (c.secure) {
    auto [wec, w] = co_await bhttp::async_write(*c.secure, req, kAwait);
    ec = wec;
    if (!ec) {
      auto [rec, n] = co_await bhttp::async_read(*c.secure, c.buffer, parser, kAwait);
      ec = rec;
    }
  } else {
    auto [wec, w] = co_await bhttp::async_write(*c.plain, req, kAwait);
    ec = wec;
    if (!ec) {
      auto [rec, n] = co_await bhttp::async_read(*c.plain, c.buffer, parser, kAwait);
      ec = rec;
    }
  }
  co_return ec;
}

}  // namespace

const std::string* ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return &value;
    }
  }
  return nullptr;
}

Client::Client(asio::any_io_executor executor, std::string host, std::uint16_t port,
               ClientOptions options)
    : executor_(std::move(executor)),
      host_(std::move(host)),
      port_(port),
      options_(std::move(options)) {}

Client::~Client() = default;

Task<Result<std::unique_ptr<Client::Connection>>> Client::Connect() {
  tcp::resolver resolver(executor_);
  auto [rec, endpoints] = co_await resolver.async_resolve(host_, std::to_string(port_), kAwait);
  if (rec) {
    co_return Status(Errc::kNodeOffline, "cannot resolve " + host_ + ": " + rec.message());
  }
  auto conn = std::make_unique<Connection>(executor_);
  conn->tcp().expires_after(options_.connect_timeout);
  auto [ec, ep] = co_await conn->tcp().async_connect(endpoints, kAwait);
  if (ec) {
    co_return Status(
        IsTimeout(ec) ? Errc::kTimeout : Errc::kNodeOffline,
        "cannot connect to " + host_ + ":" + std::to_string(port_) + ": " + ec.message());
  }
  conn->tcp().socket().set_option(tcp::no_delay(true), ec);
  if (options_.tls) {
    if (!tls_) {
      tls_ = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
      tls_->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                        asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      error_code cec;
      if (!options_.tls_ca_file.empty()) {
        tls_->load_verify_file(options_.tls_ca_file, cec);
      } else {
        tls_->set_default_verify_paths(cec);
      }
      if (cec) {
        tls_.reset();
        co_return Status(Errc::kInvalidArgument, "TLS CA: " + cec.message());
      }
      tls_->set_verify_mode(options_.tls_insecure ? asio::ssl::verify_none
                                                  : asio::ssl::verify_peer);
    }
    conn->secure.emplace(std::move(*conn->plain), *tls_);
    conn->plain.reset();
    SSL* ssl = conn->secure->native_handle();
    SSL_set_tlsext_host_name(ssl, host_.c_str());  // SNI
    if (!options_.tls_insecure) {
      // The certificate must name the host (a DNS name or an IP address).
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      if (IsIpAddress(host_)) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(param, host_.c_str(), host_.size());
      }
    }
    auto [hec] = co_await conn->secure->async_handshake(asio::ssl::stream_base::client, kAwait);
    if (hec) {
      co_return Status(Errc::kNodeOffline, "TLS handshake with " + host_ + ":" +
                                               std::to_string(port_) + " failed: " + hec.message());
    }
  }
  co_return conn;
}

Task<Result<ClientResponse>> Client::Send(std::string_view method, std::string_view target,
                                          const Headers& headers, std::string_view body) {
  bhttp::request<bhttp::string_body> req;
  bhttp::verb verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) {
    if (method.empty()) {
      co_return Status(Errc::kInvalidArgument, "empty HTTP method");
    }
    req.method_string(method);
  } else {
    req.method(verb);
  }
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
  for (const auto& [name, value] : headers) {
    req.insert(name, value);
  }
  req.body().assign(body);
  req.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> conn;
    bool reused = false;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
      reused = true;
    } else {
      auto fresh = co_await Connect();
      if (!fresh.ok()) {
        co_return fresh.status();
      }
      conn = std::move(*fresh);
    }
    conn->tcp().expires_after(options_.request_timeout);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options_.max_response_body);
    error_code ec = co_await RoundTrip(*conn, req, parser);
    if (ec) {
      // A kept-alive connection the server closed while idle fails before any response
      // byte; the request never reached a handler, so one retry on a new connection is safe.
      if (reused && attempt == 0 && !parser.got_some() && !IsTimeout(ec)) {
        continue;
      }
      if (ec == bhttp::error::body_limit) {
        co_return Status(Errc::kEntityTooLarge, "response body over the client's limit");
      }
      co_return Status(IsTimeout(ec) ? Errc::kTimeout : Errc::kNodeOffline,
                       std::string(method) + " " + std::string(target) + " to " + host_ + ":" +
                           std::to_string(port_) + " failed: " + ec.message());
    }
    auto& res = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      out.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(res.body());
    if (res.keep_alive() && idle_.size() < options_.max_idle_connections) {
      conn->tcp().expires_never();
      idle_.push_back(std::move(conn));
    }
    co_return out;
  }
}

}  // namespace cairn::http
