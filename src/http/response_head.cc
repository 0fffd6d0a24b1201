#include "http/response_head.h"

#include <time.h>

#include <charconv>
#include <ctime>

namespace cairn::http::internal {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (x != lower[i]) {
      return false;
    }
  }
  return true;
}

// Appends s, replacing CR and LF (and NUL) so a value can never end the header line.
void AppendSanitized(std::string& out, std::string_view s) {
  std::size_t start = out.size();
  out.append(s);
  for (std::size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0') {
      out[i] = ' ';
    }
  }
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 499:
      return "Client Closed Request";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    case 507:
      return "Insufficient Storage";
    default:
      return "Unknown";
  }
}

void AppendDecimal(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

void AppendHex(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, 16);
  out.append(buf, r.ptr);
}

void AppendStatusLine(std::string& out, int status) {
  if (status < 100 || status > 999) {
    status = 500;
  }
  out.append("HTTP/1.1 ");
  AppendDecimal(out, static_cast<std::uint64_t>(status));
  out.push_back(' ');
  out.append(ReasonPhrase(status));
  out.append("\r\n");
}

void AppendHeaders(std::string& out, const Headers& headers) {
  bool has_date = false;
  bool has_server = false;
  for (const auto& [name, value] : headers) {
    if (name.empty() || EqualsIgnoreCase(name, "content-length") ||
        EqualsIgnoreCase(name, "transfer-encoding") || EqualsIgnoreCase(name, "connection")) {
      continue;
    }
    has_date = has_date || EqualsIgnoreCase(name, "date");
    has_server = has_server || EqualsIgnoreCase(name, "server");
    AppendSanitized(out, name);
    out.append(": ");
    AppendSanitized(out, value);
    out.append("\r\n");
  }
  if (!has_date) {
    AppendDate(out);
  }
  if (!has_server) {
    out.append("Server: cairn\r\n");
  }
}

std::optional<std::uint64_t> FindContentLength(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (EqualsIgnoreCase(name, "content-length")) {
      std::uint64_t v = 0;
      auto r = std::from_chars(value.data(), value.data() + value.size(), v);
      if (r.ec == std::errc() && r.ptr == value.data() + value.size() && !value.empty()) {
        return v;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void AppendDate(std::string& out) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local char line[64];
  thread_local std::size_t line_len = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    struct tm tm;
    gmtime_r(&now, &tm);
    char* p = line;
    auto put2 = [&p](int v) {
      *p++ = static_cast<char>('0' + v / 10);
      *p++ = static_cast<char>('0' + v % 10);
    };
    auto puts = [&p](const char* s) {
      while (*s != '\0') {
        *p++ = *s++;
      }
    };
    puts("Date: ");
    puts(kDays[tm.tm_wday]);
    puts(", ");
    put2(tm.tm_mday);
    *p++ = ' ';
    puts(kMonths[tm.tm_mon]);
    *p++ = ' ';
    int year = tm.tm_year + 1900;
    put2(year / 100);
    put2(year % 100);
    *p++ = ' ';
    put2(tm.tm_hour);
    *p++ = ':';
    put2(tm.tm_min);
    *p++ = ':';
    put2(tm.tm_sec);
    puts(" GMT\r\n");
    line_len = static_cast<std::size_t>(p - line);
    cached_second = now;
  }
  out.append(line, line_len);
}

}  // namespace cairn::http::internal
