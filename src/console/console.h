// The web console on the console port: the front end's files (assets.h), sign-in and
// sign-out (session.h), and the gateway through which the signed-in browser calls cairn's own
// S3 and admin APIs. The browser never holds a secret: /api/v1/s3/<path> and
// /api/v1/admin/<path> are signed here with the session's credentials (SigV4, as any S3
// client signs) and handed to the S3 and admin handlers in process, so they authenticate and
// authorize them exactly as they do any client's request: a console user may do what its
// policies allow and nothing else, and nothing the console does is beyond an S3 client or
// `cairn admin`.
//
//   POST /api/v1/login     {"accessKey","secretKey"} -> the session cookie and {user, csrf, ...}
//   GET  /api/v1/session   who is signed in (401 when nobody), with the CSRF token
//   POST /api/v1/logout    clears the cookie, revokes the session's temporary credentials
//   POST /api/v1/share     {"bucket","key","versionId"?,"expires"} -> a presigned GET URL
//   *    /api/v1/s3/...    S3's API as the session's user (CSRF token on every change)
//   *    /api/v1/admin/... /minio/admin/v3/... as the session's user (CSRF token likewise)
//   GET  anything else     the front end (index.html for the app's own routes)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/task.h"
#include "console/assets.h"
#include "console/session.h"
#include "http/exchange.h"

namespace cairn::iam {
class Iam;
}  // namespace cairn::iam

namespace cairn::console {

struct ConsoleOptions {
  std::string root_access_key;
  std::string root_secret_key;
  std::string region = "us-east-1";
  // How long a sign-in lasts (CAIRN_BROWSER_SESSION_DURATION; MinIO's default, 12 h).
  std::chrono::seconds session_duration = std::chrono::hours(12);
  // The S3 endpoint as browsers reach it, for share links (CAIRN_SERVER_URL, MinIO's
  // MINIO_SERVER_URL); empty: the console request's host name with the S3 port.
  std::string server_url;
  std::uint16_t s3_port = 9000;
  bool s3_tls = false;
  // The front end (empty: the console answers a page that says how to build it).
  std::shared_ptr<const Assets> assets;
  // The identity store once the node serves, else nullptr (sign-in then gets 503).
  std::function<iam::Iam*()> iam;
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

// Failed sign-ins per client address and per access key: after kMaxFailures within
// kWindowSeconds either one is refused (429) until the window passes; a success clears both.
// Thread-safe; bounded (forgets everything past kMaxTracked names rather than grow).
class SignInThrottle {
 public:
  static constexpr int kMaxFailures = 20;
  static constexpr std::int64_t kWindowSeconds = 300;
  static constexpr std::size_t kMaxTracked = 10000;

  bool Allowed(const std::string& ip, const std::string& key, std::int64_t now_ns);
  void Failed(const std::string& ip, const std::string& key, std::int64_t now_ns);
  void Succeeded(const std::string& ip, const std::string& key);

 private:
  struct Counter {
    int failures = 0;
    std::int64_t since_ns = 0;
  };

  static bool Expired(const Counter& c, std::int64_t now_ns);
  static Counter& Slot(std::map<std::string, Counter>& m, const std::string& key,
                       std::int64_t now_ns);

  std::mutex mu_;
  std::map<std::string, Counter> by_ip_;   // GUARDED_BY(mu_)
  std::map<std::string, Counter> by_key_;  // GUARDED_BY(mu_)
};

class Console {
 public:
  // `s3` and `admin` are the S3 and admin APIs' handlers; they must outlive this object.
  Console(ConsoleOptions opts, http::Handler s3, http::Handler admin);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // Answers any request of the console port that is not the admin API's, the metrics' or a
  // health check's. Never throws.
  Task<void> Handle(http::Exchange& ex);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The S3 endpoint's base URL for a browser that reached the console at `host_header`
// ("console.example.com:9001", "[::1]:9001"): `server_url` when set, else that host with
// `s3_port`.
std::string S3BaseUrl(std::string_view server_url, std::string_view host_header,
                      std::uint16_t s3_port, bool tls);

}  // namespace cairn::console
