// Internal to src/http: an HTTP/1.1 request parser on Beast's basic_parser that fills our
// Request directly (no intermediate fields container) and, for chunked bodies, copies the
// decoded bytes straight into the reader's buffer. One parser per request; the Request and
// its header strings are reused across the requests of a connection to avoid allocations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>

#include "http/exchange.h"

namespace cairn::http::internal {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // At most this many header fields; more fail the parse with header_limit (a 431), so that
  // what a request costs before its signature is checked stays bounded. S3 requests carry
  // a few dozen (user metadata is at most 2 KiB).
  static constexpr std::size_t kMaxHeaderFields = 256;

  // `header_limit` bounds the request line plus fields; the body is unlimited.
  RequestParser(Request& request, std::uint32_t header_limit);

  // Feeds bytes; returns how many were used. Out of line so that Beast's parser is compiled
  // only in request_parser.cc (GCC 12 raises false -Wmaybe-uninitialized inside it).
  std::size_t Put(boost::asio::const_buffer data, boost::system::error_code& ec);
  bool KeepAlive() const;

  bool expect_continue() const { return expect_continue_; }

  // The Content-Length header's value (Beast validated it). Read from the field instead of
  // basic_parser::content_length(), whose boost::optional trips GCC 12 -Wmaybe-uninitialized.
  std::optional<std::uint64_t> declared_length() const { return declared_length_; }

  bool is_head() const { return is_head_; }

  // Where the next decoded chunked-body bytes go; filled() tells how many arrived.
  void SetBodyTarget(std::span<std::byte> target) {
    target_ = target;
    filled_ = 0;
  }

  std::size_t filled() const { return filled_; }

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;

  void on_response_impl(int, string_view, int, error_code&) override {}

  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;

  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}

  std::size_t on_body_impl(string_view body, error_code& ec) override { return Copy(body, ec); }

  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return Copy(body, ec);
  }

  void on_finish_impl(error_code&) override {}

  std::size_t Copy(string_view body, error_code& ec);

  Request& req_;
  std::size_t header_count_ = 0;
  bool header_done_ = false;  // later fields are chunked trailers, which we ignore
  bool expect_continue_ = false;
  std::optional<std::uint64_t> declared_length_;
  bool is_head_ = false;
  std::span<std::byte> target_;
  std::size_t filled_ = 0;
};

}  // namespace cairn::http::internal
