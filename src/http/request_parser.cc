#include "http/request_parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

#include <boost/beast/http/error.hpp>

#include "common/text.h"

namespace cairn::http::internal {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (x != b[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

RequestParser::RequestParser(Request& request, std::uint32_t header_limit) : req_(request) {
  this->header_limit(header_limit);
  this->body_limit(std::numeric_limits<std::uint64_t>::max());
}

std::size_t RequestParser::Put(boost::asio::const_buffer data, boost::system::error_code& ec) {
  return put(data, ec);
}

bool RequestParser::KeepAlive() const {
  return keep_alive();
}

void RequestParser::on_request_impl(boost::beast::http::verb method, string_view method_str,
                                    string_view target, int version, error_code&) {
  req_.method.assign(method_str.data(), method_str.size());
  req_.target.assign(target.data(), target.size());
  std::string_view t(target.data(), target.size());
  std::size_t q = t.find('?');
  if (q == std::string_view::npos) {
    req_.path.assign(t);
    req_.query.clear();
  } else {
    req_.path.assign(t.substr(0, q));
    req_.query.assign(t.substr(q + 1));
  }
  req_.version = version;
  is_head_ = method == boost::beast::http::verb::head;
}

void RequestParser::on_field_impl(boost::beast::http::field name, string_view name_string,
                                  string_view value, error_code& ec) {
  if (header_done_) {
    return;
  }
  if (header_count_ >= kMaxHeaderFields) {
    // Work done before authentication must not grow with what a client sends (431).
    ec = boost::beast::http::error::header_limit;
    return;
  }
  if (header_count_ == req_.headers.size()) {
    req_.headers.emplace_back();
  }
  auto& [lower, val] = req_.headers[header_count_++];
  lower.resize(name_string.size());
  for (std::size_t i = 0; i < name_string.size(); ++i) {
    char c = name_string[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view v = TrimBlanks(std::string_view(value.data(), value.size()));
  val.assign(v);
  if (name == boost::beast::http::field::expect && EqualsIgnoreCase(v, "100-continue")) {
    expect_continue_ = true;
  } else if (name == boost::beast::http::field::content_length) {
    std::uint64_t n = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec == std::errc() && r.ptr == v.data() + v.size()) {
      declared_length_ = n;
    }
  }
}

void RequestParser::on_header_impl(error_code&) {
  req_.headers.resize(header_count_);
  header_done_ = true;
}

std::size_t RequestParser::Copy(string_view body, error_code& ec) {
  std::size_t n = std::min(body.size(), target_.size() - filled_);
  if (n == 0) {
    if (!body.empty()) {
      ec = boost::beast::http::error::need_buffer;
    }
    return 0;
  }
  std::memcpy(target_.data() + filled_, body.data(), n);
  filled_ += n;
  return n;
}

}  // namespace cairn::http::internal
