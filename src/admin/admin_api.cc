#include "admin/admin_api.h"

#include <array>
#include <exception>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "admin/admin_heal.h"
#include "admin/admin_iam.h"
#include "admin/admin_json.h"
#include "admin/admin_kms.h"
#include "admin/metrics.h"
#include "admin/prometheus_token.h"
#include "audit/logger.h"
#include "common/checksum.h"
#include "common/log.h"
#include "common/query.h"
#include "common/text.h"
#include "iam/iam.h"

namespace cairn::admin {
namespace {

using Params = QueryParams;
using Json = nlohmann::json;

constexpr std::string_view kV3 = "/minio/admin/v3/";
// The largest request body (MinIO's limit for admin JSON).
constexpr std::size_t kMaxBody = 256 << 10;

Json ErrorJson(const Status& st) {
  const AdminError e = ErrorFor(st.code());
  std::string message = st.message();
  if (message.empty()) {
    message = std::string(ErrcName(st.code()));
  }
  return Json{{"Code", e.code}, {"Message", message}};
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "ip:port" or "[ip6]:port" -> the address (aws:SourceIp).
std::string_view SourceIp(std::string_view remote) {
  if (remote.starts_with('[')) {
    const std::size_t close = remote.find(']');
    return close == std::string_view::npos ? remote.substr(1) : remote.substr(1, close - 1);
  }
  const std::size_t colon = remote.rfind(':');
  return colon == std::string_view::npos ? remote : remote.substr(0, colon);
}

Status Denied(std::string_view what, std::string_view action) {
  return Status(Errc::kAccessDenied, fmt::format("access denied: {} needs {}", what, action));
}

}  // namespace

struct AdminApi::Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Status error;  // what an error reply says, for the audit log

  static Reply Ok(const Json& j) { return Reply{200, "application/json", j.dump(), {}}; }

  static Reply Error(const Status& st) {
    return Reply{ErrorFor(st.code()).status, "application/json", ErrorJson(st).dump(), st};
  }

  static Reply From(const Result<Json>& r) { return r.ok() ? Ok(*r) : Error(r.status()); }
};

struct AdminApi::Authenticated {
  AdminCaller caller;
  // The body's SHA-256 (lowercase hex) when the signature covers it, else empty.
  std::string payload_sha256_hex;
  bool streaming = false;  // an aws-chunked body (not taken here)
};

AdminApi::AdminApi(AdminOptions opts, const auth::CredentialProvider& creds)
    : opts_(std::move(opts)), creds_(creds) {}

bool AdminApi::Owns(std::string_view path) {
  return StartsWith(path, kAdminPrefix) || StartsWith(path, kMetricsPrefix);
}

std::int64_t AdminApi::NowNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(opts_.now().time_since_epoch())
      .count();
}

Result<AdminCaller> AdminApi::CallerFor(const std::string& access_key,
                                        const http::Request& r) const {
  iam::Iam* iam = opts_.iam ? opts_.iam() : nullptr;
  if (iam == nullptr) {
    if (!opts_.root_access_key.empty() && access_key != opts_.root_access_key) {
      return Status(Errc::kAccessDenied,
                    "only the root user may use the admin API until the server is up");
    }
    return AdminCaller::Root(access_key);
  }
  std::string_view token;
  const Params q = ParseQueryLenient(r.query);
  if (const std::string* header = r.Header("x-amz-security-token")) {
    token = *header;
  } else if (auto in_query = q.Get("X-Amz-Security-Token")) {
    token = *in_query;
  }
  ASSIGN_OR_RETURN(iam::IdentityPtr identity, iam->Check(access_key, token));
  return AdminCaller::FromIdentity(std::move(identity), SourceIp(r.remote_address), r.tls);
}

Result<AdminApi::Authenticated> AdminApi::Authenticate(const http::Request& r) const {
  auth::RequestView view;
  view.method = r.method;
  view.path = r.path;
  view.query = r.query;
  view.headers = &r.headers;
  view.now = opts_.now();
  ASSIGN_OR_RETURN(auth::AuthResult result, auth::Authenticate(view, creds_));
  if (result.anonymous) {
    return Status(Errc::kAccessDenied, "the admin API needs a request signed with SigV4");
  }
  if (result.service != "s3") {  // MinIO signs admin requests for "s3"
    return Status(result.presigned ? Errc::kAuthorizationQueryParametersError
                                   : Errc::kAuthorizationHeaderMalformed,
                  "incorrect service \"" + result.service + "\". This endpoint belongs to \"s3\".");
  }
  ASSIGN_OR_RETURN(AdminCaller caller, CallerFor(result.access_key, r));
  Authenticated who;
  who.caller = std::move(caller);
  if (result.payload == auth::PayloadKind::kSigned) {
    who.payload_sha256_hex = result.payload_sha256_hex;
  }
  who.streaming = auth::IsStreaming(result.payload);
  return who;
}

Status AdminApi::AuthenticateMetrics(const http::Request& r) const {
  if (opts_.metrics_public) {
    return Status::Ok();
  }
  const std::string* authorization = r.Header("authorization");
  Result<AdminCaller> caller;
  if (authorization != nullptr && authorization->starts_with("Bearer ")) {
    ASSIGN_OR_RETURN(
        std::string access_key,
        VerifyPrometheusToken(std::string_view(*authorization).substr(7), creds_, opts_.now()));
    caller = CallerFor(access_key, r);
  } else {
    Result<Authenticated> who = Authenticate(r);
    if (!who.ok()) {
      return who.status();
    }
    caller = std::move(who->caller);
  }
  if (!caller.ok()) {
    return caller.status();
  }
  if (!caller->Allowed(kPrometheusAction)) {
    return Denied("the metrics", kPrometheusAction);
  }
  return Status::Ok();
}

std::string AdminApiName(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"info", "ServerInfo"},
      {"heal/start", "Heal"},
      {"heal/status", "HealStatus"},
      {"heal/list", "HealList"},
      {"heal/stop", "HealStop"},
      {"kms/status", "KMSStatus"},
      {"kms/key/create", "KMSCreateKey"},
      {"kms/key/list", "KMSListKeys"},
      {"kms/key/status", "KMSKeyStatus"},
      {"kms/key/disable", "KMSDisableKey"},
      {"kms/key/enable", "KMSEnableKey"},
  };
  std::string_view op = path;
  if (StartsWith(op, kV3)) {
    op.remove_prefix(kV3.size());
  }
  for (const auto& [suffix, name] : kNames) {
    if (op == suffix) {
      return std::string(name);
    }
  }
  while (!op.empty() && op.back() == '/') {
    op.remove_suffix(1);
  }
  const std::string_view last = op.substr(op.rfind('/') + 1);
  std::string out;
  bool upper = true;
  for (char c : last) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out.empty() ? std::string("Admin") : out;
}

Task<void> AdminApi::Handle(http::Exchange& ex) {
  const auto start = std::chrono::steady_clock::now();
  const bool audited = opts_.audit != nullptr && !StartsWith(ex.request().path, kMetricsPrefix);
  const auto arrived =
      audited ? std::chrono::system_clock::now() : std::chrono::system_clock::time_point();
  std::string access_key;
  Reply reply;
  try {
    reply = co_await Serve(ex, access_key);
  } catch (const std::exception& e) {
    LOG_ERROR("admin: exception on the request path: {}", e.what());
    reply = Reply::Error(Status(Errc::kInternal, "internal error"));
  }
  const bool head = ex.request().method == "HEAD";
  http::Headers headers = {{"cache-control", "no-store"}};
  if (reply.status != 204) {
    headers.emplace_back("content-type", reply.content_type);
  }
  const std::string request_id = audited ? opts_.audit->NewRequestId() : std::string();
  if (audited) {
    headers.emplace_back("x-amz-request-id", request_id);
  }
  const std::string_view body = head ? std::string_view() : std::string_view(reply.body);
  http::Headers logged;
  if (audited) {
    logged = headers;
  }
  const auto first_byte = std::chrono::steady_clock::now();
  Status sent = co_await ex.Respond(reply.status, std::move(headers), body);
  (void)sent;
  if (audited) {
    const std::string name = AdminApiName(ex.request().path);
    audit::Entry e;
    audit::FillFromRequest(e, ex.request());
    e.time = arrived;
    e.api_name = name;
    e.status_code = reply.status;
    if (!reply.error.ok()) {
      e.error_code = ErrorFor(reply.error.code()).code;
      e.error_message = reply.error.message();
    }
    e.request_id = request_id;
    e.access_key = access_key;
    e.response_headers = &logged;
    e.rx = ex.request().content_length.value_or(0);
    e.tx = body.size();
    e.time_to_first_byte = first_byte - start;
    e.time_to_response = std::chrono::steady_clock::now() - start;
    opts_.audit->Log(e);
  }
}

Task<AdminApi::Reply> AdminApi::Serve(http::Exchange& ex, std::string& access_key) {
  const http::Request& r = ex.request();
  const bool metrics = StartsWith(r.path, kMetricsPrefix);
  Result<Authenticated> who;
  if (metrics) {
    Status st = AuthenticateMetrics(r);
    if (!st.ok()) {
      co_return Reply::Error(st);
    }
  } else {
    who = Authenticate(r);
    if (!who.ok()) {
      co_return Reply::Error(who.status());
    }
    access_key = who->caller.access_key();
  }
  heal::HealAdmin* healer = opts_.heal ? opts_.heal() : nullptr;
  if (healer == nullptr) {
    std::string why = "the server is not initialized yet";
    if (opts_.not_ready_reason) {
      why += ": " + opts_.not_ready_reason();
    }
    co_return Reply::Error(Status(Errc::kServerNotInitialized, std::move(why)));
  }
  if (metrics) {
    co_return co_await ServeMetrics(r, *healer);
  }
  const AdminRoute* route = StartsWith(r.path, kV3)
                                ? FindAdminRoute(std::string_view(r.path).substr(kV3.size()))
                                : nullptr;
  if (route == nullptr) {
    co_return Reply::Error(Status(Errc::kNotFound, "no such admin API: " + r.path));
  }
  if (r.method != route->method) {
    co_return Reply::Error(
        Status(Errc::kMethodNotAllowed, fmt::format("{} takes {}", r.path, route->method)));
  }
  // Self-service routes check the caller against what the request names (admin_iam.cc).
  if (route->self == SelfService::kNone && !who->caller.Allowed(*route)) {
    co_return Reply::Error(Denied(route->op, route->action));
  }
  co_return co_await ServeAdmin(ex, *route, *who, *healer);
}

Task<AdminApi::Reply> AdminApi::ServeAdmin(http::Exchange& ex, const AdminRoute& route,
                                           const Authenticated& who, heal::HealAdmin& healer) {
  const http::Request& r = ex.request();
  switch (route.family) {
    case AdminFamily::kHeal:
    case AdminFamily::kInfo:
      co_return co_await ServeHeal(r, route, healer, who.caller.access_key());
    case AdminFamily::kKms: {
      kms::Kms* kms = opts_.kms ? opts_.kms() : nullptr;
      if (kms == nullptr) {
        co_return Reply::Error(
            Status(Errc::kKmsNotConfigured,
                   "no KMS is configured (set CAIRN_KMS_SECRET_KEY on the server)"));
      }
      const Params q = ParseQueryLenient(r.query);
      Result<Json> answer = co_await ServeKms(route.op, q, *kms);
      co_return Reply::From(answer);
    }
    case AdminFamily::kIam:
      co_return co_await ServeIamRequest(ex, route, who);
  }
  co_return Reply::Error(Status(Errc::kInternal, "unrouted admin request"));
}

Task<AdminApi::Reply> AdminApi::ServeIamRequest(http::Exchange& ex, const AdminRoute& route,
                                                const Authenticated& who) {
  iam::Iam* iam = opts_.iam ? opts_.iam() : nullptr;
  if (iam == nullptr) {
    co_return Reply::Error(
        Status(Errc::kServerNotInitialized, "identity and access management is not up yet"));
  }
  std::string body;
  if (route.body) {
    if (who.streaming) {
      co_return Reply::Error(
          Status(Errc::kInvalidRequest, "the admin API takes no aws-chunked bodies"));
    }
    Result<std::string> read = co_await ReadAll(ex.body(), kMaxBody);
    if (!read.ok()) {
      co_return Reply::Error(read.status());
    }
    body = std::move(*read);
    if (!who.payload_sha256_hex.empty() && HexEncode(Sha256(body)) != who.payload_sha256_hex) {
      co_return Reply::Error(Status(Errc::kContentSha256Mismatch,
                                    "the body's SHA-256 is not the x-amz-content-sha256 signed"));
    }
  }
  const Params q = ParseQueryLenient(ex.request().query);
  Result<IamReply> answer = co_await ServeIam(route, q, body, *iam, who.caller);
  if (!answer.ok()) {
    co_return Reply::Error(answer.status());
  }
  if (answer->status == 204) {
    co_return Reply{204, "", "", {}};
  }
  co_return Reply{answer->status, "application/json", answer->body.dump(), {}};
}

Task<AdminApi::Reply> AdminApi::ServeHeal(const http::Request& r, const AdminRoute& route,
                                          heal::HealAdmin& healer, std::string_view access_key) {
  const std::int64_t now_ns = NowNs();
  if (route.family == AdminFamily::kHeal) {
    const Params q = ParseQueryLenient(r.query);
    Result<Json> answer = co_await ServeHealSequences(route.op, q, healer, access_key, now_ns);
    co_return Reply::From(answer);
  }
  if (route.op == "datausageinfo") {
    RequestContext uctx = RequestContext::Background("admin-data-usage");
    const heal::DataUsage usage = co_await healer.GetDataUsage(uctx);
    co_return Reply::Ok(DataUsageJson(usage));
  }
  if (route.op == "metrics-history") {
    if (!opts_.metrics_history) {
      co_return Reply::Error(Status(Errc::kNotImplemented, "this node keeps no metrics history"));
    }
    co_return Reply::Ok(opts_.metrics_history());
  }
  RequestContext ctx = RequestContext::Background("admin-info");
  std::vector<heal::DriveStatus> drives = co_await healer.GetDriveStatus(ctx);
  Json drive_list = Json::array();
  for (const auto& d : drives) {
    drive_list.push_back(DriveJson(d));
  }
  const auto uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - opts_.started);
  Json nodes = Json::array();
  if (opts_.nodes) {
    nodes = co_await opts_.nodes();
  }
  co_return Reply::Ok(Json{
      {"nodes", std::move(nodes)},
      {"deploymentId", opts_.deployment_id ? opts_.deployment_id() : std::string()},
      {"version", opts_.version},
      {"uptimeSeconds", uptime.count()},
      {"region", opts_.region},
      {"drives", std::move(drive_list)},
      {"heal", CountersJson(healer.GetHealCounters())},
      {"sequences", SequencesJson(healer.ListHeals(), now_ns, true)},
  });
}

Task<AdminApi::Reply> AdminApi::ServeMetrics(const http::Request& r, heal::HealAdmin& healer) {
  const std::string_view which = std::string_view(r.path).substr(kMetricsPrefix.size());
  MetricsScope scope;
  if (which == "cluster" || which.empty()) {
    scope = MetricsScope::kCluster;
  } else if (which == "node") {
    scope = MetricsScope::kNode;
  } else {
    co_return Reply::Error(Status(Errc::kNotFound, "no such metrics page: " + r.path));
  }
  if (r.method != "GET" && r.method != "HEAD") {
    co_return Reply::Error(Status(Errc::kMethodNotAllowed, "metrics take GET"));
  }
  MetricsSnapshot snap;
  RequestContext ctx = RequestContext::Background("metrics");
  snap.drives = co_await healer.GetDriveStatus(ctx);
  snap.counters = healer.GetHealCounters();
  snap.sequences = healer.ListHeals();
  snap.now_ns = NowNs();
  snap.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - opts_.started).count();
  snap.resident_bytes = ResidentMemoryBytes();
  Reply reply{200, "text/plain; version=0.0.4; charset=utf-8", RenderMetrics(scope, snap), {}};
  if (opts_.extra_metrics) {
    opts_.extra_metrics(reply.body);
  }
  co_return reply;
}

}  // namespace cairn::admin
