#include "console/console.h"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <utility>
#include <variant>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "auth/signature.h"
#include "common/byte_stream.h"
#include "common/checksum.h"
#include "common/log.h"
#include "common/query.h"
#include "common/request_context.h"
#include "common/text.h"
#include "console/gateway.h"
#include "console/zip_download.h"
#include "crypto/keys.h"
#include "iam/iam.h"
#include "policy/policy.h"

namespace cairn::console {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kApi = "/api/v1/";
constexpr std::string_view kS3Gateway = "/api/v1/s3";
constexpr std::string_view kAdminGateway = "/api/v1/admin/";
constexpr std::string_view kAdminPath = "/minio/admin/v3/";
constexpr std::size_t kMaxJsonBody = 16 * 1024;
constexpr std::int64_t kMaxShareSeconds = 7 * 24 * 3600;  // SigV4's limit
constexpr std::chrono::milliseconds kFailedSignInPause{400};

Task<void> Pause(std::chrono::milliseconds d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  boost::system::error_code ec;  // cancelled at shutdown: answer at once
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

// What every answer of the console carries: no framing by other sites, no type sniffing, no
// referrer (share links carry signatures in their query).
void AddSecurityHeaders(http::Headers& h) {
  h.emplace_back("X-Frame-Options", "DENY");
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("Referrer-Policy", "no-referrer");
}

// The page's policy: scripts and styles only from the console itself; objects previewed from
// the gateway (same origin) or blob: URLs.
constexpr std::string_view kPageCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; frame-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// One JSON answer of the console's API.
struct Reply {
  int status = 200;
  Json body;
  http::Headers headers;
};

Reply Error(int status, std::string_view code, std::string_view message) {
  return Reply{status, Json{{"Code", code}, {"Message", message}}, {}};
}

Task<void> Send(http::Exchange& ex, Reply& reply) {
  http::Headers h = std::move(reply.headers);
  h.emplace_back("Content-Type", "application/json");
  h.emplace_back("Cache-Control", "no-store");
  AddSecurityHeaders(h);
  const std::string text = reply.body.dump(-1, ' ', false, Json::error_handler_t::replace);
  (void)co_await ex.Respond(reply.status, std::move(h), text);
}

bool IsSafeMethod(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS";
}

std::string HeaderOr(const http::Request& r, std::string_view name) {
  const std::string* v = r.Header(name);
  return v != nullptr ? *v : std::string();
}

// The cookie is Secure under TLS, also when a proxy in front terminates it.
bool Secure(const http::Request& r) {
  const std::string* proto = r.Header("x-forwarded-proto");
  return r.tls || (proto != nullptr && AsciiLower(*proto) == "https");
}

// The browser's exchange as the S3 or admin handler sees it: the signed request, the same
// body and response (Guard says what the response may not do).
class ForwardedExchange final : public http::Exchange {
 public:
  ForwardedExchange(http::Exchange& outer, http::Request request)
      : outer_(outer), request_(std::move(request)) {}

  const http::Request& request() const override { return request_; }

  ByteSource& body() override { return outer_.body(); }

  Task<Status> Respond(int status, http::Headers headers, std::string_view body) override {
    Guard(headers);
    co_return co_await outer_.Respond(status, std::move(headers), body);
  }

  Task<Status> BeginStream(int status, http::Headers headers,
                           std::optional<std::uint64_t> content_length) override {
    Guard(headers);
    co_return co_await outer_.BeginStream(status, std::move(headers), content_length);
  }

  ByteSink& sink() override { return outer_.sink(); }

  Task<Status> EndStream() override { return outer_.EndStream(); }

  bool response_started() const override { return outer_.response_started(); }

  void CloseAfterResponse() override { outer_.CloseAfterResponse(); }

  std::shared_ptr<std::atomic<bool>> cancelled() const override { return outer_.cancelled(); }

 private:
  // What an object served through the console may do: nothing. Every answer is sandboxed (an
  // HTML, SVG or "application/pdf, text/html" object runs no script in the console's origin;
  // the page previews PDFs from a blob of its own), and no CORS header of the bucket's rules
  // reaches the browser (the console is not a CORS client of its own API).
  static void Guard(http::Headers& h) {
    std::erase_if(
        h, [](const auto& kv) { return AsciiLower(kv.first).starts_with("access-control-"); });
    h.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
    h.emplace_back("X-Frame-Options", "SAMEORIGIN");
    h.emplace_back("X-Content-Type-Options", "nosniff");
    h.emplace_back("Cache-Control", "no-store");
  }

  http::Exchange& outer_;
  http::Request request_;
};

constexpr std::string_view kNotBuiltPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cairn console</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>cairn console</h1>
<p>The console's front end is not built on this machine. <code>./scripts/run.sh</code> builds
it, or <code>./scripts/build-console.sh</code> alone (it writes <code>console/dist</code>, which
cairn finds beside its build directory; <code>--console-dir</code> names another folder).</p>
<p>The admin API and the metrics are served on this port all the same.</p>
</body></html>
)";

std::string SessionKindName(iam::IdentityKind kind) {
  switch (kind) {
    case iam::IdentityKind::kRoot:
      return "root";
    case iam::IdentityKind::kUser:
      return "user";
    case iam::IdentityKind::kServiceAccount:
      return "serviceaccount";
    case iam::IdentityKind::kTemporary:
      return "temporary";
  }
  return "user";
}

std::int64_t ToNs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// A key in a URL path: its slashes kept (a readable link) unless a segment is empty, "." or
// "..", which a client would collapse; then the whole key as one escaped segment.
std::string KeyPath(std::string_view key) {
  bool dots = key.empty() || key.front() == '/' || key.back() == '/' ||
              key.find("//") != std::string_view::npos;
  for (std::size_t start = 0; start <= key.size() && !dots;) {
    const std::size_t slash = std::min(key.find('/', start), key.size());
    const std::string_view part = key.substr(start, slash - start);
    dots = part == "." || part == "..";
    start = slash + 1;
  }
  return UriEncode(key, !dots);
}

// "1.2.3.4:5678" or "[::1]:5678" -> the address alone.
std::string_view ClientIp(std::string_view remote) {
  if (remote.starts_with('[')) {
    return remote.substr(1, remote.find(']') - 1);
  }
  return remote.substr(0, remote.rfind(':'));
}

// For the log: at most 64 characters, anything unprintable as '?'.
std::string Printable(std::string_view s) {
  std::string out(s.substr(0, 64));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      c = '?';
    }
  }
  return out;
}

}  // namespace

SignInThrottle::Counter& SignInThrottle::Slot(std::map<std::string, Counter>& m,
                                              const std::string& key, std::int64_t now_ns) {
  if (m.size() > kMaxTracked) {
    std::erase_if(m, [&](const auto& kv) { return Expired(kv.second, now_ns); });
    if (m.size() > kMaxTracked) {
      m.clear();  // a flood of distinct names: forget rather than grow
    }
  }
  Counter& c = m[key];
  if (Expired(c, now_ns)) {
    c = Counter{0, now_ns};
  }
  return c;
}

bool SignInThrottle::Expired(const Counter& c, std::int64_t now_ns) {
  return now_ns - c.since_ns > kWindowSeconds * 1'000'000'000LL;
}

bool SignInThrottle::Allowed(const std::string& ip, const std::string& key, std::int64_t now_ns) {
  std::lock_guard lock(mu_);
  return Slot(by_ip_, ip, now_ns).failures < kMaxFailures &&
         Slot(by_key_, key, now_ns).failures < kMaxFailures;
}

void SignInThrottle::Failed(const std::string& ip, const std::string& key, std::int64_t now_ns) {
  std::lock_guard lock(mu_);
  ++Slot(by_ip_, ip, now_ns).failures;
  ++Slot(by_key_, key, now_ns).failures;
}

void SignInThrottle::Succeeded(const std::string& ip, const std::string& key) {
  std::lock_guard lock(mu_);
  by_ip_.erase(ip);
  by_key_.erase(key);
}

std::string S3BaseUrl(std::string_view server_url, std::string_view host_header,
                      std::uint16_t s3_port, bool tls) {
  if (!server_url.empty()) {
    while (server_url.size() > 1 && server_url.back() == '/') {
      server_url.remove_suffix(1);
    }
    return std::string(server_url);
  }
  std::string_view host = host_header;
  if (host.starts_with('[')) {
    host = host.substr(0, host.find(']') + 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty()) {
    host = "127.0.0.1";
  }
  // Browsers leave a default port out of Host: so must the signed link.
  if ((tls && s3_port == 443) || (!tls && s3_port == 80)) {
    return fmt::format("{}://{}", tls ? "https" : "http", host);
  }
  return fmt::format("{}://{}:{}", tls ? "https" : "http", host, s3_port);
}

struct Console::Impl {
  ConsoleOptions opts;
  http::Handler s3;
  http::Handler admin;
  SessionSealer sealer;
  SignInThrottle throttle;

  Impl(ConsoleOptions o, http::Handler s3_handler, http::Handler admin_handler)
      : opts(std::move(o)),
        s3(std::move(s3_handler)),
        admin(std::move(admin_handler)),
        sealer(opts.root_access_key, opts.root_secret_key) {}

  std::int64_t NowNs() const { return ToNs(opts.now()); }

  // What the pages may offer: the actions the session's policies allow on any resource (the
  // APIs still decide each request; this only hides what would be refused).
  Json Allowed(const Session& s) const {
    // Object actions are left out: a policy may allow them in one bucket and not on "*".
    static constexpr std::array kActions = {std::string_view("s3:ListAllMyBuckets"),
                                            std::string_view("s3:CreateBucket"),
                                            std::string_view("admin:ServerInfo"),
                                            std::string_view("admin:Heal"),
                                            std::string_view("admin:Prometheus"),
                                            std::string_view("admin:ListUsers"),
                                            std::string_view("admin:CreateUser"),
                                            std::string_view("admin:ListGroups"),
                                            std::string_view("admin:ListUserPolicies"),
                                            std::string_view("admin:CreatePolicy"),
                                            std::string_view("admin:ListServiceAccounts"),
                                            std::string_view("admin:CreateServiceAccount")};
    Json out = Json::object();
    iam::Iam* iam = opts.iam ? opts.iam() : nullptr;
    const iam::IdentityPtr id = iam != nullptr ? iam->Find(s.access_key) : nullptr;
    policy::ConditionValues conditions;
    iam::AddIdentityConditions(id.get(), conditions);
    for (const std::string_view action : kActions) {
      bool allowed = false;
      if (id != nullptr) {
        iam::AccessRequest request;
        request.identity = id.get();
        request.action = action;
        request.resource = action.starts_with("s3:") ? "arn:aws:s3:::*" : "";
        request.conditions = &conditions;
        allowed = iam::Authorize(request);
      }
      out[std::string(action)] = allowed;
    }
    return out;
  }

  Json SessionJson(const Session& s, const http::Request& r) const {
    return Json{
        {"user", s.user},
        {"allowed", Allowed(s)},
        {"kind", s.kind},
        {"expiresAt", s.expires_ns / 1000000},
        {"csrf", sealer.CsrfToken(s)},
        {"s3Url", S3BaseUrl(opts.server_url, HeaderOr(r, "host"), opts.s3_port, opts.s3_tls)}};
  }

  // The session of the request's cookie (and, for a change, its CSRF token); else the answer
  // that refuses the request.
  std::variant<Session, Reply> SessionOf(const http::Request& r, bool check_csrf = true) const {
    std::string cookies;
    for (const auto& [name, value] : r.headers) {
      if (name == "cookie") {
        cookies += (cookies.empty() ? "" : "; ") + value;
      }
    }
    const std::vector<std::string_view> found = CookieValues(cookies, kSessionCookie);
    if (found.empty()) {
      return Error(401, "Unauthorized", "Sign in first.");
    }
    // Two session cookies: one was planted (a page on another port of this host can set
    // cookies for it). Trust neither.
    if (found.size() > 1) {
      Reply reply = Error(401, "Unauthorized", "Sign in again.");
      reply.headers.emplace_back("Set-Cookie", SessionCookie("", 0, Secure(r)));
      return reply;
    }
    Result<Session> s = sealer.Open(found.front(), NowNs());
    if (s.ok()) {
      // Revoked since (signed out elsewhere, the user removed or disabled, a service account
      // deleted): the cookie is worth nothing any more.
      iam::Iam* iam = opts.iam ? opts.iam() : nullptr;
      if (iam != nullptr && !iam->Check(s->access_key, s->session_token).ok()) {
        s = Status(Errc::kAccessDenied, "revoked");
      }
    }
    if (!s.ok()) {
      const bool expired = s.status().code() == Errc::kExpiredToken;
      Reply reply = expired ? Error(401, "SessionExpired", "Your session expired: sign in again.")
                            : Error(401, "Unauthorized", "Sign in first.");
      reply.headers.emplace_back("Set-Cookie", SessionCookie("", 0, Secure(r)));
      return reply;
    }
    if (check_csrf && !IsSafeMethod(r.method) &&
        !sealer.CsrfMatches(*s, HeaderOr(r, kCsrfHeader))) {
      return Error(403, "InvalidCsrfToken",
                   "The request carries no valid CSRF token (reload the page).");
    }
    return std::move(*s);
  }

  Task<Reply> Login(http::Exchange& ex) {
    const http::Request& r = ex.request();
    // A JSON content type makes a cross-site form unable to send this without a preflight,
    // which the console never grants.
    if (!HeaderOr(r, "content-type").starts_with("application/json")) {
      co_return Error(415, "UnsupportedMediaType", "Send the keys as JSON.");
    }
    Result<std::string> body = co_await ReadAll(ex.body(), kMaxJsonBody);
    if (!body.ok()) {
      co_return Error(400, "InvalidRequest", body.status().message());
    }
    const Json in = Json::parse(*body, nullptr, false);
    if (!in.is_object() || !in.contains("accessKey") || !in.contains("secretKey") ||
        !in["accessKey"].is_string() || !in["secretKey"].is_string()) {
      co_return Error(400, "InvalidRequest", "Send {\"accessKey\": ..., \"secretKey\": ...}.");
    }
    const std::string ak = in["accessKey"].get<std::string>();
    const std::string sk = in["secretKey"].get<std::string>();
    iam::Iam* iam = opts.iam ? opts.iam() : nullptr;
    if (iam == nullptr) {
      co_return Error(503, "ServerNotInitialized",
                      "The server is starting; sign in again in a few seconds.");
    }
    const iam::IdentityPtr found = iam->Find(ak);
    const std::string ip(ClientIp(r.remote_address));
    if (!throttle.Allowed(ip, ak, NowNs())) {
      Reply reply =
          Error(429, "TooManyRequests",
                "Too many failed sign-ins from here or for this key: wait a few minutes.");
      reply.headers.emplace_back("Retry-After", std::to_string(SignInThrottle::kWindowSeconds));
      co_return reply;
    }
    if (found == nullptr || found->kind == iam::IdentityKind::kTemporary ||
        !ConstantTimeEqual(found->secret_key, sk)) {
      throttle.Failed(ip, ak, NowNs());
      LOG_INFO("console: a failed sign-in for access key '{}' from {}", Printable(ak),
               r.remote_address);
      // Each wrong guess costs the guesser a pause (the same whether the key exists or not).
      co_await Pause(kFailedSignInPause);
      co_return Error(403, "InvalidCredentials", "The access key or the secret key is wrong.");
    }
    throttle.Succeeded(ip, ak);
    Result<iam::IdentityPtr> checked = iam->Check(ak, "");
    if (!checked.ok()) {
      co_return Error(403, "AccessKeyDisabled", "This access key is disabled or expired.");
    }
    const iam::Identity& id = **checked;
    Session s;
    s.user = ak;
    s.kind = SessionKindName(id.kind);
    const crypto::Key nonce = crypto::RandomKey();
    s.nonce = HexEncode(std::string_view(reinterpret_cast<const char*>(nonce.data()), 16));
    const std::int64_t now = NowNs();
    const std::int64_t duration_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(opts.session_duration).count();
    if (id.kind == iam::IdentityKind::kServiceAccount) {
      // A service account cannot assume a role: its session signs with its own keys (sealed in
      // the cookie), for the session's length or until the account expires.
      s.access_key = ak;
      s.secret_key = sk;
      s.expires_ns = now + duration_ns;
      if (id.expires_ns != 0) {
        s.expires_ns = std::min(s.expires_ns, id.expires_ns);
      }
    } else {
      iam::TemporaryRequest temp;
      temp.parent_user = ak;
      temp.duration = opts.session_duration;
      RequestContext ctx = RequestContext::Background("console-login");
      Result<iam::Credentials> creds = co_await iam->AddTemporary(ctx, temp);
      if (!creds.ok()) {
        co_return Error(500, "InternalError", creds.status().message());
      }
      s.access_key = creds->access_key;
      s.secret_key = creds->secret_key;
      s.session_token = creds->session_token;
      s.expires_ns = creds->expires_ns;
    }
    const std::int64_t max_age = std::max<std::int64_t>(1, (s.expires_ns - now) / 1000000000);
    LOG_INFO("console: '{}' signed in from {}", Printable(ak), r.remote_address);
    Reply reply{200, SessionJson(s, r), {}};
    reply.headers.emplace_back("Set-Cookie", SessionCookie(sealer.Seal(s), max_age, Secure(r)));
    co_return reply;
  }

  Task<Reply> Logout(const Session& s, bool secure) {
    iam::Iam* iam = opts.iam ? opts.iam() : nullptr;
    if (iam != nullptr && !s.session_token.empty()) {
      RequestContext ctx = RequestContext::Background("console-logout");
      const Status st = co_await iam->RemoveTemporary(ctx, s.access_key);
      if (!st.ok() && st.code() != Errc::kInvalidAccessKeyId) {
        LOG_WARN("console: revoking the session of '{}': {}", s.user, st.ToString());
      }
    }
    Reply reply{200, Json{{"signedOut", true}}, {}};
    reply.headers.emplace_back("Set-Cookie", SessionCookie("", 0, secure));
    co_return reply;
  }

  Task<Reply> Share(http::Exchange& ex, const Session& s) {
    Result<std::string> body = co_await ReadAll(ex.body(), kMaxJsonBody);
    const Json in = body.ok() ? Json::parse(*body, nullptr, false) : Json();
    if (!in.is_object() || !in.contains("bucket") || !in.contains("key") ||
        !in["bucket"].is_string() || !in["key"].is_string() ||
        in["bucket"].get<std::string>().empty() || in["key"].get<std::string>().empty()) {
      co_return Error(400, "InvalidRequest", "Send {\"bucket\", \"key\", \"expires\": seconds}.");
    }
    std::int64_t expires = 3600;
    if (in.contains("expires")) {
      if (!in["expires"].is_number_integer() || in["expires"].get<std::int64_t>() < 1) {
        co_return Error(400, "InvalidRequest", "expires is a whole number of seconds.");
      }
      expires = in["expires"].get<std::int64_t>();
    }
    const auto now = opts.now();
    // A link signed with temporary credentials works only while they do (as on AWS).
    const std::int64_t remaining = (s.expires_ns - ToNs(now)) / 1000000000;
    expires = std::min({expires, kMaxShareSeconds, std::max<std::int64_t>(1, remaining)});
    const std::string base =
        S3BaseUrl(opts.server_url, HeaderOr(ex.request(), "host"), opts.s3_port, opts.s3_tls);
    const std::size_t scheme_end = base.find("://");
    const std::size_t authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    const std::size_t path_start = std::min(base.find('/', authority_start), base.size());
    const std::string authority = base.substr(authority_start, path_start - authority_start);
    auth::SignInput sign;
    sign.method = "GET";
    sign.path = base.substr(path_start) + "/" + UriEncode(in["bucket"].get<std::string>(), false) +
                "/" + KeyPath(in["key"].get<std::string>());
    if (in.contains("versionId") && in["versionId"].is_string() &&
        !in["versionId"].get<std::string>().empty()) {
      sign.query =
          fmt::format("versionId={}", UriEncode(in["versionId"].get<std::string>(), false));
    }
    if (!s.session_token.empty()) {
      sign.query += std::string(sign.query.empty() ? "" : "&") +
                    "X-Amz-Security-Token=" + UriEncode(s.session_token, false);
    }
    sign.region = opts.region;
    sign.access_key = s.access_key;
    sign.secret_key = s.secret_key;
    sign.now = now;
    const std::string query = auth::PresignV4(sign, authority, std::chrono::seconds(expires));
    const std::string url = base.substr(0, path_start) + sign.path + "?" + query;
    co_return Reply{200,
                    Json{{"url", url},
                         {"expiresAt", (ToNs(now) / 1000000) + expires * 1000},
                         {"expires", expires}},
                    {}};
  }

  // A form POST (the browser downloads the answer as a file, which fetch cannot): the CSRF
  // token travels as a form field.
  Task<void> Zip(http::Exchange& ex) {
    const http::Request& r = ex.request();
    std::variant<Session, Reply> who = SessionOf(r, false);
    if (Reply* refused = std::get_if<Reply>(&who)) {
      co_await Send(ex, *refused);
      co_return;
    }
    const Session& s = std::get<Session>(who);
    Result<std::string> body = co_await ReadAll(ex.body(), 4u << 20);
    std::optional<QueryParams> form;
    if (body.ok()) {
      form = ParseQuery(*body);
    }
    if (!form || !sealer.CsrfMatches(s, form->Get("csrf").value_or(""))) {
      Reply reply = Error(403, "InvalidCsrfToken", "The form carries no valid CSRF token.");
      co_await Send(ex, reply);
      co_return;
    }
    ZipRequest req;
    req.bucket = std::string(form->Get("bucket").value_or(""));
    req.prefix = std::string(form->Get("prefix").value_or(""));
    for (const QueryParam& p : form->all()) {
      if (p.key == "key" && !p.value.empty()) {
        req.keys.push_back(p.value);
      }
    }
    if (req.bucket.empty() || req.keys.empty()) {
      Reply reply = Error(400, "InvalidRequest", "Name a bucket and at least one key.");
      co_await Send(ex, reply);
      co_return;
    }
    co_await ServeZip(ex, s, req, s3, opts.region, opts.now);
  }

  Task<void> Gateway(http::Exchange& ex, const Session& s, const std::string& path,
                     bool admin_api) {
    const http::Request& r = ex.request();
    ForwardedExchange fwd(ex, internal::SignedRequest(r, r.method, path, r.query, r.headers, s,
                                                      opts.region, opts.now()));
    http::Handler& handler = admin_api ? admin : s3;
    co_await handler(fwd);
  }

  Task<void> ServeAsset(http::Exchange& ex) {
    const http::Request& r = ex.request();
    if (r.method != "GET" && r.method != "HEAD") {
      Reply reply = Error(405, "MethodNotAllowed", "The console's pages are read with GET.");
      reply.headers.emplace_back("Allow", "GET, HEAD");
      co_await Send(ex, reply);
      co_return;
    }
    http::Headers h;
    AddSecurityHeaders(h);
    if (opts.assets == nullptr || opts.assets->empty()) {
      h.emplace_back("Content-Type", "text/html; charset=utf-8");
      h.emplace_back("Cache-Control", "no-store");
      (void)co_await ex.Respond(200, std::move(h), r.method == "HEAD" ? "" : kNotBuiltPage);
      co_return;
    }
    const std::string_view path = r.path == "/" ? std::string_view("/index.html") : r.path;
    const Asset* a = opts.assets->Find(path);
    if (a == nullptr && !path.starts_with("/assets/")) {
      a = opts.assets->Index();  // the app's own routes (/browser/..., /cluster)
    }
    if (a == nullptr) {
      h.emplace_back("Content-Type", "text/plain; charset=utf-8");
      (void)co_await ex.Respond(404, std::move(h), "404 page not found\n");
      co_return;
    }
    h.emplace_back("Content-Type", a->content_type);
    h.emplace_back("ETag", a->etag);
    h.emplace_back("Cache-Control",
                   a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (a->content_type.starts_with("text/html")) {
      h.emplace_back("Content-Security-Policy", std::string(kPageCsp));
    }
    if (HeaderOr(r, "if-none-match") == a->etag) {
      (void)co_await ex.Respond(304, std::move(h), "");
      co_return;
    }
    // A view, not a std::string: GCC 12 mishandles a non-trivial temporary in a co_await.
    const std::string_view body = r.method == "HEAD" ? std::string_view() : a->body;
    (void)co_await ex.Respond(200, std::move(h), body);
  }
};

Console::Console(ConsoleOptions opts, http::Handler s3, http::Handler admin)
    : impl_(std::make_unique<Impl>(std::move(opts), std::move(s3), std::move(admin))) {}

Console::~Console() = default;

Task<void> Console::Handle(http::Exchange& ex) {
  const http::Request& r = ex.request();
  const std::string& path = r.path;
  const bool s3_gateway = path == kS3Gateway || path.starts_with(std::string(kS3Gateway) + "/");
  if (!s3_gateway && !path.starts_with(kApi)) {
    co_await impl_->ServeAsset(ex);
    co_return;
  }
  const std::string_view op = std::string_view(path).substr(kApi.size());
  if (op == "zip" && r.method == "POST") {
    co_await impl_->Zip(ex);
    co_return;
  }
  if (op == "login" && r.method == "POST") {
    Reply reply = co_await impl_->Login(ex);
    co_await Send(ex, reply);
    co_return;
  }
  std::variant<Session, Reply> who = impl_->SessionOf(r);
  if (Reply* refused = std::get_if<Reply>(&who)) {
    co_await Send(ex, *refused);
    co_return;
  }
  const Session& s = std::get<Session>(who);
  if (s3_gateway) {
    std::string rest = path.substr(kS3Gateway.size());
    if (rest.empty()) {
      rest = "/";
    }
    co_await impl_->Gateway(ex, s, rest, false);
    co_return;
  }
  if (path.starts_with(kAdminGateway)) {
    std::string admin_path = std::string(kAdminPath) + path.substr(kAdminGateway.size());
    co_await impl_->Gateway(ex, s, admin_path, true);
    co_return;
  }
  Reply reply;
  if (op == "session" && r.method == "GET") {
    reply = Reply{200, impl_->SessionJson(s, r), {}};
  } else if (op == "logout" && r.method == "POST") {
    reply = co_await impl_->Logout(s, Secure(r));
  } else if (op == "share" && r.method == "POST") {
    reply = co_await impl_->Share(ex, s);
  } else {
    reply = Error(404, "NotFound", "No such console API: " + path);
  }
  co_await Send(ex, reply);
}

}  // namespace cairn::console
