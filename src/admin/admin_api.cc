#include "admin/admin_api.h"

#include <exception>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "admin/admin_json.h"
#include "admin/metrics.h"
#include "admin/prometheus_token.h"
#include "audit/logger.h"
#include "common/log.h"
#include "common/query.h"
#include "kms/kms.h"

namespace cairn::admin {
namespace {

using Params = QueryParams;
using Json = nlohmann::json;

constexpr std::string_view kV3 = "/minio/admin/v3/";

// "true", "1" or a bare flag ("?deep") is true; "false", "0" false. Absent: false.
Result<bool> BoolParam(const Params& q, std::string_view key) {
  std::optional<std::string_view> v = q.Get(key);
  if (!v || *v == "false" || *v == "0") {
    return false;
  }
  if (v->empty() || *v == "true" || *v == "1") {
    return true;
  }
  return Status(Errc::kInvalidArgument, fmt::format("{}={}: expected true or false", key, *v));
}

Result<std::string> RequiredParam(const Params& q, std::string_view key) {
  std::optional<std::string_view> v = q.Get(key);
  if (!v || v->empty()) {
    return Status(Errc::kInvalidArgument, fmt::format("the parameter {} is required", key));
  }
  return std::string(*v);
}

Task<Result<Json>> HealStart(const Params& q, heal::HealAdmin& healer, std::string_view key) {
  heal::HealScope scope;
  scope.bucket = std::string(q.Get("bucket").value_or(""));
  scope.prefix = std::string(q.Get("prefix").value_or(""));
  if (scope.bucket.empty() && !scope.prefix.empty()) {
    co_return Status(Errc::kInvalidArgument, "a prefix needs a bucket");
  }
  heal::HealSequenceOptions opts;
  CO_ASSIGN_OR_RETURN(opts.deep_scan, BoolParam(q, "deep"));
  CO_ASSIGN_OR_RETURN(opts.remove_dangling, BoolParam(q, "remove"));
  CO_ASSIGN_OR_RETURN(opts.dry_run, BoolParam(q, "dry-run"));
  // The sequence outlives this request: a context of its own, not the connection's.
  RequestContext ctx = RequestContext::Background("admin-heal");
  ctx.access_key = std::string(key);
  Result<std::string> id = co_await healer.StartHeal(ctx, scope, opts);
  if (!id.ok()) {
    co_return id.status();
  }
  co_return Json{{"id", *id}};
}

Result<Json> HealStatus(const Params& q, const heal::HealAdmin& healer, std::int64_t now_ns) {
  ASSIGN_OR_RETURN(std::string id, RequiredParam(q, "id"));
  ASSIGN_OR_RETURN(heal::HealProgress p, healer.GetHealProgress(id));
  return SequenceJson(p, now_ns);
}

Json SequencesJson(const std::vector<heal::HealProgress>& list, std::int64_t now_ns,
                   bool running_only) {
  Json out = Json::array();
  for (const auto& p : list) {
    if (!running_only || p.state == heal::HealSequenceState::kRunning) {
      out.push_back(SequenceJson(p, now_ns));
    }
  }
  return out;
}

Result<Json> HealStop(const Params& q, heal::HealAdmin& healer) {
  ASSIGN_OR_RETURN(std::string id, RequiredParam(q, "id"));
  RETURN_IF_ERROR(healer.StopHeal(id));
  return Json{{"id", id}, {"state", "stopped"}};
}

// --- The KMS: MinIO's /kms/status and /kms/key/{create,list,status}, and cairn's
// /kms/key/{disable,enable}. ---

bool IsKmsOp(std::string_view op) {
  return op == "kms/status" || op == "kms/key/create" || op == "kms/key/list" ||
         op == "kms/key/status" || op == "kms/key/disable" || op == "kms/key/enable";
}

std::string_view KmsMethod(std::string_view op) {
  return op == "kms/key/create" || op == "kms/key/disable" || op == "kms/key/enable" ? "POST"
                                                                                     : "GET";
}

Json KeyJson(const kms::KeyInfo& k) {
  return Json{{"name", k.name},
              {"enabled", k.enabled},
              {"default", k.is_default},
              {"createdAt", k.created_ns > 0 ? FormatRfc3339(k.created_ns) : std::string()}};
}

Task<Result<Json>> ServeKms(std::string_view op, const Params& q, kms::Kms& kms) {
  RequestContext ctx = RequestContext::Background("admin-kms");
  if (op == "kms/status") {
    co_return Json{
        {"configured", true}, {"name", "builtin"}, {"default-key-id", kms.default_key()}};
  }
  if (op == "kms/key/list") {
    const std::string pattern(q.Get("pattern").value_or("*"));
    CO_ASSIGN_OR_RETURN(std::vector<kms::KeyInfo> keys, co_await kms.ListKeys(ctx, pattern));
    Json out = Json::array();
    for (const auto& k : keys) {
      out.push_back(KeyJson(k));
    }
    co_return out;
  }
  // key-id: MinIO's status takes the default key when it is absent.
  std::string id(q.Get("key-id").value_or(""));
  if (id.empty()) {
    if (op != "kms/key/status") {
      co_return Status(Errc::kInvalidArgument, "the parameter key-id is required");
    }
    id = kms.default_key();
  }
  if (op == "kms/key/create") {
    CO_RETURN_IF_ERROR(co_await kms.CreateKey(ctx, id));
    co_return Json{{"key-id", id}};
  }
  if (op == "kms/key/disable" || op == "kms/key/enable") {
    const bool enable = op == "kms/key/enable";
    CO_RETURN_IF_ERROR(co_await kms.SetKeyEnabled(ctx, id, enable));
    co_return Json{{"key-id", id}, {"enabled", enable}};
  }
  // kms/key/status: the key, then a data key generated and opened with it (MinIO's test).
  CO_ASSIGN_OR_RETURN(kms::KeyInfo info, co_await kms.KeyStatus(ctx, id));
  const kms::Context context = {{"cairn", "kms key status"}};
  std::string encryption_error;
  std::string decryption_error;
  auto generated = co_await kms.GenerateKey(ctx, id, context);
  if (!generated.ok()) {
    encryption_error = generated.status().ToString();
  } else {
    auto opened = co_await kms.Decrypt(ctx, id, generated->sealed, context);
    if (!opened.ok()) {
      decryption_error = opened.status().ToString();
    } else if (*opened != generated->plaintext) {
      decryption_error = "the data key opened to another key";
    }
  }
  Json out = KeyJson(info);
  out["key-id"] = id;
  out["encryption-error"] = encryption_error;
  out["decryption-error"] = decryption_error;
  co_return out;
}

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

AdminError ErrorFor(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument:
    case Errc::kInvalidArgumentS3:
    case Errc::kInvalidBucketName:
    case Errc::kInvalidObjectName:
      return {400, "InvalidArgument"};
    case Errc::kNotFound:
      return {404, "NotFound"};
    case Errc::kNoSuchBucket:
      return {404, "NoSuchBucket"};
    case Errc::kMethodNotAllowed:
      return {405, "MethodNotAllowed"};
    case Errc::kNotImplemented:
    case Errc::kKmsNotConfigured:
      return {501, "NotImplemented"};
    case Errc::kKmsKeyNotFound:
      return {404, "KMS.NotFoundException"};
    case Errc::kKmsKeyDisabled:
      return {400, "KMS.DisabledException"};
    case Errc::kKmsKeyExists:
      return {409, "KMS.AlreadyExistsException"};
    case Errc::kKmsInternal:
      return {500, "KMS.InternalException"};
    case Errc::kServerNotInitialized:
    case Errc::kClusterNotReady:
      return {503, "XMinioServerNotInitialized"};
    case Errc::kReadQuorum:
    case Errc::kWriteQuorum:
      return {503, "XMinioServerNotInitialized"};
    case Errc::kSignatureDoesNotMatch:
      return {403, "SignatureDoesNotMatch"};
    case Errc::kInvalidAccessKeyId:
      return {403, "InvalidAccessKeyId"};
    case Errc::kRequestTimeTooSkewed:
      return {403, "RequestTimeTooSkewed"};
    case Errc::kAccessDenied:
    case Errc::kMissingAuthentication:
    case Errc::kRequestExpired:
    case Errc::kAuthorizationHeaderMalformed:
    case Errc::kAuthorizationQueryParametersError:
    case Errc::kMissingSecurityHeader:
    case Errc::kMalformedDate:
    case Errc::kUnsupportedSignature:
      return {403, "AccessDenied"};
    default:
      return {500, "InternalError"};
  }
}

AdminApi::AdminApi(AdminOptions opts, const auth::CredentialProvider& creds)
    : opts_(std::move(opts)), creds_(creds) {}

bool AdminApi::Owns(std::string_view path) {
  return StartsWith(path, kAdminPrefix) || StartsWith(path, kMetricsPrefix);
}

std::int64_t AdminApi::NowNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(opts_.now().time_since_epoch())
      .count();
}

Status AdminApi::Authenticate(const http::Request& r, std::string* access_key) const {
  auth::RequestView view;
  view.method = r.method;
  view.path = r.path;
  view.query = r.query;
  view.headers = &r.headers;
  view.now = opts_.now();
  Result<auth::AuthResult> result = auth::Authenticate(view, creds_);
  if (!result.ok()) {
    return result.status();
  }
  if (result->anonymous) {
    return Status(Errc::kAccessDenied, "the admin API needs a request signed with SigV4");
  }
  if (result->service != "s3") {  // MinIO signs admin requests for "s3"
    return Status(
        result->presigned ? Errc::kAuthorizationQueryParametersError
                          : Errc::kAuthorizationHeaderMalformed,
        "incorrect service \"" + result->service + "\". This endpoint belongs to \"s3\".");
  }
  *access_key = result->access_key;
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
  http::Headers headers = {{"content-type", reply.content_type}, {"cache-control", "no-store"}};
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
  const std::string* authorization = r.Header("authorization");
  if (metrics && !opts_.metrics_public && authorization != nullptr &&
      authorization->starts_with("Bearer ")) {
    Status st =
        VerifyPrometheusToken(std::string_view(*authorization).substr(7), creds_, opts_.now());
    if (!st.ok()) {
      co_return Reply::Error(st);
    }
  } else if (!(metrics && opts_.metrics_public)) {
    Status st = Authenticate(r, &access_key);
    if (!st.ok()) {
      co_return Reply::Error(st);
    }
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
  co_return co_await ServeAdmin(r, *healer, access_key);
}

Task<AdminApi::Reply> AdminApi::ServeAdmin(const http::Request& r, heal::HealAdmin& healer,
                                           std::string_view access_key) {
  if (!StartsWith(r.path, kV3)) {
    co_return Reply::Error(Status(Errc::kNotFound, "no such admin API: " + r.path));
  }
  const std::string_view op = std::string_view(r.path).substr(kV3.size());
  if (IsKmsOp(op)) {
    if (r.method != KmsMethod(op)) {
      co_return Reply::Error(
          Status(Errc::kMethodNotAllowed, fmt::format("{} takes {}", r.path, KmsMethod(op))));
    }
    kms::Kms* kms = opts_.kms ? opts_.kms() : nullptr;
    if (kms == nullptr) {
      co_return Reply::Error(
          Status(Errc::kKmsNotConfigured,
                 "no KMS is configured (set CAIRN_KMS_SECRET_KEY on the server)"));
    }
    const Params kq = ParseQueryLenient(r.query);
    Result<Json> answer = co_await ServeKms(op, kq, *kms);
    co_return Reply::From(answer);
  }
  const std::string_view want = op == "heal/start" || op == "heal/stop" ? "POST" : "GET";
  if (op != "heal/start" && op != "heal/stop" && op != "heal/status" && op != "heal/list" &&
      op != "info") {
    co_return Reply::Error(Status(Errc::kNotFound, "no such admin API: " + r.path));
  }
  if (r.method != want) {
    co_return Reply::Error(
        Status(Errc::kMethodNotAllowed, fmt::format("{} takes {}", r.path, want)));
  }
  const Params q = ParseQueryLenient(r.query);
  const std::int64_t now_ns = NowNs();
  if (op == "heal/start") {
    Result<Json> started = co_await HealStart(q, healer, access_key);
    co_return Reply::From(started);
  }
  if (op == "heal/status") {
    co_return Reply::From(HealStatus(q, healer, now_ns));
  }
  if (op == "heal/list") {
    co_return Reply::Ok(Json{{"sequences", SequencesJson(healer.ListHeals(), now_ns, false)}});
  }
  if (op == "heal/stop") {
    co_return Reply::From(HealStop(q, healer));
  }
  RequestContext ctx = RequestContext::Background("admin-info");
  std::vector<heal::DriveStatus> drives = co_await healer.GetDriveStatus(ctx);
  Json drive_list = Json::array();
  for (const auto& d : drives) {
    drive_list.push_back(DriveJson(d));
  }
  const auto uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - opts_.started);
  co_return Reply::Ok(Json{
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
