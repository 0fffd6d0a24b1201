// AdminApi: the admin REST API (/minio/admin/v3/...: heal start, status, list and stop, info,
// kms/..., and the IAM endpoints of admin_iam.h) and the Prometheus metrics pages
// (/minio/v2/metrics/{cluster,node}), served on the S3 port and on the console port. Requests
// are SigV4-signed (the same auth::Authenticate as S3; the metrics also take a bearer token,
// prometheus_token.h) by the root or by any IAM identity whose policies allow the endpoint's
// action (admin_access.h); answers are JSON, errors {"Code", "Message"}. Handlers parse, call
// the heal, KMS or IAM interfaces and render (admin_json.h, admin_iam_json.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "admin/admin_access.h"
#include "auth/signature.h"
#include "common/status.h"
#include "common/task.h"
#include "heal/heal_admin.h"
#include "http/exchange.h"

namespace cairn::kms {
class Kms;
}  // namespace cairn::kms

namespace cairn::iam {
class Iam;
}  // namespace cairn::iam

namespace cairn::audit {
class Logger;
}  // namespace cairn::audit

namespace cairn::admin {

inline constexpr std::string_view kAdminPrefix = "/minio/admin/";
inline constexpr std::string_view kMetricsPrefix = "/minio/v2/metrics/";

struct AdminOptions {
  std::string region = "us-east-1";
  std::string version;
  // The deployment id; read only once the object layer is up (it is known by then).
  std::function<std::string()> deployment_id;
  // Healing once the node serves, else nullptr (requests then get 503).
  std::function<heal::HealAdmin*()> heal;
  // The KMS once the node serves, nullptr when none is configured (kms/... requests then get
  // 501 NotImplemented); may be empty (no KMS).
  std::function<kms::Kms*()> kms;
  // The identity store once the node serves, else nullptr (IAM requests then get 503); may
  // be empty. With it, any identity may call what its policies allow (the provider given to
  // the constructor must then be this Iam); without it only the root user is accepted.
  std::function<iam::Iam*()> iam;
  // The root's access key: while `iam` is nullptr, a request signed by any other key is
  // refused. Empty: any key the provider knows counts as the root (a root-only provider).
  std::string root_access_key;
  // While `heal` is nullptr: what the node waits for (peers, drives, credentials). Only
  // authenticated admin requests are told; anonymous S3 clients get a bare 503.
  std::function<std::string()> not_ready_reason;
  // The nodes of the cluster for `info` ("nodes": node, version, uptimeSeconds, online, self);
  // may be empty (then no "nodes").
  std::function<Task<nlohmann::json>()> nodes;
  // The console's time series (metrics-history); may be empty (the endpoint then answers 501).
  std::function<nlohmann::json()> metrics_history;
  // Appended to both metrics pages (the S3 port's request counters); may be empty.
  std::function<void(std::string& out)> extra_metrics;
  // CAIRN_PROMETHEUS_AUTH_TYPE=public: the metrics pages need no credentials.
  bool metrics_public = false;
  // Injected clocks (tests). Wall clock: signatures, timestamps; steady: uptime.
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // The audit log: one record per admin API request (not the metrics pages) when set.
  audit::Logger* audit = nullptr;
};

// Where an admin error goes on the wire: HTTP status and the JSON "Code".
struct AdminError {
  int status = 500;
  std::string_view code;
};

// The one Errc -> {status, Code} table of the admin API (403 for every signature problem).
AdminError ErrorFor(Errc code);

// The audit log's API name of an admin path, as MinIO names its admin handlers ("ServerInfo",
// "Heal", "KMSCreateKey"); else the path's last segment in CamelCase ("add-user": "AddUser").
std::string AdminApiName(std::string_view path);

class AdminApi {
 public:
  // `creds` must outlive this object.
  AdminApi(AdminOptions opts, const auth::CredentialProvider& creds);
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // True when the path is the admin API's or the metrics' (then Handle answers it).
  static bool Owns(std::string_view path);

  // Answers a request for which Owns(path) is true; never throws. Any network thread.
  Task<void> Handle(http::Exchange& ex);

 private:
  struct Reply;
  struct Authenticated;
  Task<Reply> Serve(http::Exchange& ex, std::string& access_key);
  Task<Reply> ServeAdmin(http::Exchange& ex, const AdminRoute& route, const Authenticated& who,
                         heal::HealAdmin& healer);
  Task<Reply> ServeHeal(const http::Request& r, const AdminRoute& route, heal::HealAdmin& healer,
                        std::string_view access_key);
  Task<Reply> ServeIamRequest(http::Exchange& ex, const AdminRoute& route,
                              const Authenticated& who);
  Task<Reply> ServeMetrics(const http::Request& r, heal::HealAdmin& healer);
  // SigV4 (or V2) and then the caller: the root, or the IAM identity of the key.
  Result<Authenticated> Authenticate(const http::Request& r) const;
  // The metrics' credentials: a bearer token or a signature, allowed admin:Prometheus.
  Status AuthenticateMetrics(const http::Request& r) const;
  Result<AdminCaller> CallerFor(const std::string& access_key, const http::Request& r) const;
  std::int64_t NowNs() const;

  AdminOptions opts_;
  const auth::CredentialProvider& creds_;
};

}  // namespace cairn::admin
