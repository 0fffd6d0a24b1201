// ServerConfig: everything `cairn server` is told on its command line and in its
// environment, parsed with CLI11. Kept apart from the wiring (server.h) so that flag
// handling is tested without starting anything.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/environment.h"
#include "common/status.h"
#include "kms/kms.h"
#include "server/storage_class.h"

namespace cairn::server {

inline constexpr std::string_view kVersion = "0.1.0";
inline constexpr std::string_view kDefaultAccessKey = "cairnadmin";
inline constexpr std::string_view kDefaultSecretKey = "cairnadmin";

// One audit webhook target (MinIO's audit_webhook settings).
struct AuditWebhookConfig {
  std::string id;  // the <ID> of MINIO_AUDIT_WEBHOOK_ENABLE_<ID>; "" for the unnamed one
  std::string endpoint;
  std::string auth_token;
  std::size_t batch_size = 1;
  std::size_t queue_size = 100000;
};

// The audit log's targets and the request headers its records carry.
struct AuditConfig {
  // --audit-file / CAIRN_AUDIT_FILE: JSON lines, rotated at file_max_size
  // (CAIRN_AUDIT_FILE_MAX_SIZE), file_keep rotated files kept (CAIRN_AUDIT_FILE_KEEP).
  std::string file;
  std::uint64_t file_max_size = std::uint64_t{100} << 20;
  int file_keep = 5;
  // MINIO_AUDIT_WEBHOOK_*[_<ID>] / CAIRN_AUDIT_WEBHOOK_*[_<ID>] (AuditWebhooksFromEnvironment).
  std::vector<AuditWebhookConfig> webhooks;
  // CAIRN_AUDIT_HEADERS: request headers recorded besides x-amz-* ("x-amz-meta-*,x-custom").
  std::vector<std::string> headers;
};

struct ServerConfig {
  // Drive arguments in order: the positional ones, then the items of --drives.
  std::vector<std::string> drives;
  bool default_drives = false;  // none were given: ./data/disk{1...4}
  std::string address = ":9000";
  std::string console_address = ":9001";
  std::optional<int> parity;
  std::optional<int> set_size;
  std::string access_key;
  std::string secret_key;
  std::string secret_key_file;  // --secret-key-file: where secret_key was read from
  // Neither flags nor environment gave them: then the listeners default to 127.0.0.1 and a
  // non-loopback address is refused.
  bool default_credentials = false;
  std::string cert_file;  // HTTPS on the S3 port when both are given
  std::string key_file;
  std::vector<std::string> domains;  // virtual-host style base domains
  std::string region = "us-east-1";
  std::string log_level = "info";
  bool log_json = false;
  bool access_log = false;   // one info line per S3 request
  std::string address_file;  // written once both listeners are bound
  std::size_t inline_limit = 128 << 10;
  // Shard files written with O_DIRECT (storage::LocalDriveOptions::direct_io).
  bool direct_io = true;
  // Buffers of writes in flight (object::ServerPoolsOptions::memory_budget_bytes).
  std::size_t memory_budget = std::size_t{512} << 20;
  // The metadata caches of all this node's drives together: RocksDB block cache, memtables
  // and point caches (storage::CacheBudget). 0: DefaultCacheSize().
  std::size_t cache_size = 0;
  // Connections open at once on the S3 port, in all and from one client address; nullopt:
  // derived from the open-file limit at start (ConnectionLimits); 0: no bound.
  std::optional<std::size_t> max_connections;
  std::optional<std::size_t> max_connections_per_client;
  // The scanner (object::ServerPoolsOptions::scanner*): seconds between cycles (0 = off), a
  // deep cycle (shard hashes verified) every Nth (0 = never), and the minimum age in seconds
  // of an unreferenced data dir before a cycle removes it.
  int scanner_interval = 60;
  int scanner_deep_every = 16;
  int orphan_min_age = 3600;
  // Seconds in a lifecycle rule's "day" (s3::S3Options::lifecycle_day_seconds); tests shorten it.
  std::int64_t lifecycle_day_seconds = 86400;
  // How often every node reads the whole identity store again (CAIRN_IAM_RELOAD_SECONDS): what
  // a node that missed a peer's change notice waits at most.
  std::int64_t iam_reload_seconds = 120;
  std::string node_host;
  // The other nodes (http(s)://host:port or host:port), checked against the drive URLs.
  std::vector<std::string> peers;
  // Inter-node RPC: its own port when given, else the S3 port under /cairn/rpc/.
  std::string cluster_address;
  // Mutual TLS on the cluster port: all three or none (then RPCs carry HMAC tokens only).
  std::string cluster_cert;
  std::string cluster_key;
  std::string cluster_ca;
  std::string cluster_server_name;  // the name in peers' certificates; default: the host
  // CAIRN_PROMETHEUS_AUTH_TYPE (or MINIO_PROMETHEUS_AUTH_TYPE) = public: the metrics pages
  // need no credentials.
  bool metrics_public = false;
  // CAIRN_STORAGE_CLASS_STANDARD / _RRS (or MINIO_...): the parity of each storage class,
  // checked against the topology by PlanTopology (server.h).
  StorageClassConfig storage_class;
  // --sse-c-allow-http (or CAIRN_SSE_C_ALLOW_HTTP=on): SSE-C keys accepted over plain HTTP.
  bool sse_c_allow_http = false;
  // CAIRN_DEFAULT_OBJECT_OWNERSHIP: the Object Ownership of buckets created without
  // x-amz-object-ownership: ObjectWriter (ACLs on), BucketOwnerPreferred or BucketOwnerEnforced.
  std::string default_object_ownership = "ObjectWriter";
  // The web console: --console-dir (or CAIRN_CONSOLE_DIR), the front end's built files (empty:
  // found beside the binary, console/assets.h); CAIRN_BROWSER_SESSION_DURATION (or
  // MINIO_BROWSER_SESSION_DURATION), how long a sign-in lasts (12 h); CAIRN_SERVER_URL (or
  // MINIO_SERVER_URL), the S3 endpoint as browsers reach it, for share links.
  std::string console_dir;
  std::chrono::seconds browser_session_duration = std::chrono::hours(12);
  std::string server_url;
  // CAIRN_METRICS_HISTORY_INTERVAL: how often the console's time series takes a reading (10 s;
  // an hour of them is kept).
  std::chrono::milliseconds metrics_interval = std::chrono::seconds(10);
  // CAIRN_KMS_AUTO_ENCRYPTION (or MINIO_KMS_AUTO_ENCRYPTION) = on: every object is written
  // with SSE-S3 unless the request asks otherwise. Needs a KMS (Server::Start refuses).
  bool kms_auto_encryption = false;
  // The built-in KMS's master key (kms::MasterKeyFromEnvironment, read by Main: not by
  // ParseCommandLine, which stays free of the key store); none = no KMS.
  std::optional<kms::MasterKey> kms_master_key;
  // The audit log (its webhooks are read by Main, from the environment's variable names).
  AuditConfig audit;

  // The OpenID Connect provider of AssumeRoleWithWebIdentity: CAIRN_/MINIO_IDENTITY_OPENID_
  // CONFIG_URL (discovery), _CLIENT_ID, _CLAIM_NAME (default "policy"), and for a provider
  // without discovery CAIRN_IDENTITY_OPENID_JWKS_URL with _ISSUER. None set: no provider.
  struct OpenId {
    std::string config_url;
    std::string jwks_url;
    std::string issuer;
    std::string client_id;
    std::string claim_name = "policy";
  } openid;
};

// The environment, injectable for tests (common/environment.h).
using cairn::Environment;
using cairn::ProcessEnvironment;

// What the command line asks for: run the server with `config`, or print `out` / `err` and
// exit with `exit_code` (help and version: 0; a bad flag: 2, with one sentence in `err`).
struct CommandLine {
  bool run = false;
  int exit_code = 0;
  std::string out;
  std::string err;
  ServerConfig config;
};

// Parses `cairn server [DRIVES...] [flags]`, `cairn --help`, `cairn --version`.
// Credentials: --access-key/--secret-key, else CAIRN_ROOT_USER/CAIRN_ROOT_PASSWORD, else
// MINIO_ROOT_USER/MINIO_ROOT_PASSWORD, else MINIO_ACCESS_KEY/MINIO_SECRET_KEY, else the
// defaults (cairnadmin / cairnadmin, flagged by default_credentials).
CommandLine ParseCommandLine(int argc, const char* const* argv, const Environment& env);

// The audit webhooks of the environment: for each <ID> with (CAIRN_|MINIO_)AUDIT_WEBHOOK_ENABLE
// [_<ID>] on (`names` holds the variables set, where the IDs are found), its _ENDPOINT[_<ID>]
// (required), _AUTH_TOKEN, _BATCH_SIZE (default 1), _QUEUE_SIZE (default 100000); CAIRN_ before
// MINIO_ for each variable. Errors: kInvalidArgument naming the variable.
Result<std::vector<AuditWebhookConfig>> AuditWebhooksFromEnvironment(
    const Environment& env, const std::vector<std::string>& names);

// The names of the process's environment variables.
std::vector<std::string> EnvironmentNames();

// The S3 port's connection bounds: the flags when given, else three quarters of the open-file
// limit `nofile` (the rest is for drives, RocksDB and peers) and a quarter of that per client.
struct ConnectionLimits {
  std::size_t total = 0;
  std::size_t per_client = 0;
};

ConnectionLimits ResolveConnectionLimits(const ServerConfig& config, std::uint64_t nofile);

// Raises the soft open-file limit to the hard one (as MinIO does) and returns it.
std::uint64_t RaiseOpenFileLimit();

// The port of a listen address (":9000", "127.0.0.1:0", "[::1]:9000", "host:9000").
// Errors: kInvalidArgument.
Result<std::uint16_t> AddressPort(std::string_view address);

// "host:port" that a client on this machine can connect to, for an address bound to `port`:
// the address's host, or 127.0.0.1 when it listens on every interface.
std::string ConnectAddress(std::string_view address, std::uint16_t port);

}  // namespace cairn::server
