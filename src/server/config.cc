#include "server/config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include "cluster/endpoints.h"
#include "common/units.h"

extern char** environ;

namespace cairn::server {
namespace {

constexpr int kUsageExitCode = 2;

// The secret in `path`: the file's text without a trailing newline (as `echo` writes it).
// A listen address's host is a loopback one ("127.x.y.z", "[::1]", "localhost").
bool LoopbackAddress(std::string_view address) {
  const std::string_view host = address.substr(0, address.rfind(':'));
  return host.starts_with("127.") || host == "[::1]" || host == "localhost";
}

// The root credentials of the environment (common/environment.h), else the defaults.
Status CredentialsFromEnvironment(const Environment& env, ServerConfig& cfg) {
  ASSIGN_OR_RETURN(auto found, RootCredentialsFromEnvironment(env));
  if (found) {
    cfg.access_key = std::move(found->access_key);
    cfg.secret_key = std::move(found->secret_key);
    return Status::Ok();
  }
  cfg.access_key = std::string(kDefaultAccessKey);
  cfg.secret_key = std::string(kDefaultSecretKey);
  cfg.default_credentials = true;
  return Status::Ok();
}

// Which of the flags that have defaults the command line gave.
struct GivenFlags {
  bool access = false;
  bool secret = false;
  bool address = false;
  bool console_address = false;
  bool lifecycle_day = false;
};

// An on/off variable (MinIO's "on" and "off"; true/false and 1/0 too); nullopt when unset.
Result<std::optional<bool>> EnvSwitch(const Environment& env, const char* var) {
  auto v = env(var);
  if (!v) {
    return std::optional<bool>();
  }
  if (*v == "on" || *v == "true" || *v == "1") {
    return std::optional<bool>(true);
  }
  if (v->empty() || *v == "off" || *v == "false" || *v == "0") {
    return std::optional<bool>(false);
  }
  return Status(Errc::kInvalidArgument, std::string(var) + " must be \"on\" or \"off\"");
}

// CAIRN_<name>, else MINIO_<name>.
std::optional<std::string> EnvEither(const Environment& env, const std::string& name) {
  if (auto v = env(("CAIRN_" + name).c_str())) {
    return v;
  }
  return env(("MINIO_" + name).c_str());
}

// The OpenID Connect provider's settings (ServerConfig::openid).
Status OpenIdFromEnvironment(const Environment& env, ServerConfig::OpenId& out) {
  auto get = [&env](const char* name) {
    return std::string(EnvEither(env, std::string("IDENTITY_OPENID_") + name).value_or(""));
  };
  out.config_url = get("CONFIG_URL");
  out.jwks_url = get("JWKS_URL");
  out.issuer = get("ISSUER");
  out.client_id = get("CLIENT_ID");
  if (std::string claim = get("CLAIM_NAME"); !claim.empty()) {
    out.claim_name = std::move(claim);
  }
  if (out.config_url.empty() && out.jwks_url.empty()) {
    return Status::Ok();
  }
  if (out.config_url.empty() && out.issuer.empty()) {
    return Status(Errc::kInvalidArgument,
                  "CAIRN_IDENTITY_OPENID_JWKS_URL needs CAIRN_IDENTITY_OPENID_ISSUER (or a "
                  "MINIO_IDENTITY_OPENID_CONFIG_URL to discover it)");
  }
  if (out.client_id.empty()) {
    return Status(
        Errc::kInvalidArgument,
        "an OpenID provider needs MINIO_IDENTITY_OPENID_CLIENT_ID (the tokens' audience)");
  }
  for (const std::string* url : {&out.config_url, &out.jwks_url}) {
    if (!url->empty() && !url->starts_with("http://") && !url->starts_with("https://")) {
      return Status(Errc::kInvalidArgument, "the OpenID provider's URL must be http(s): " + *url);
    }
  }
  return Status::Ok();
}

// A positive count from the environment, or `def` when unset.
Result<std::size_t> EnvCount(const Environment& env, const std::string& name, std::size_t def) {
  auto v = EnvEither(env, name);
  if (!v) {
    return def;
  }
  char* end = nullptr;
  const long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || n < 1) {
    return Status(Errc::kInvalidArgument, name + " must be a positive number");
  }
  return static_cast<std::size_t>(n);
}

// CAIRN_AUDIT_FILE (unless --audit-file), _MAX_SIZE, _KEEP and CAIRN_AUDIT_HEADERS.
Status AuditFromEnvironment(const Environment& env, AuditConfig& audit) {
  if (auto v = env("CAIRN_AUDIT_FILE"); v && audit.file.empty()) {
    audit.file = *v;
  }
  if (auto v = env("CAIRN_AUDIT_FILE_MAX_SIZE")) {
    auto size = ParseSize(*v);
    if (!size.ok() || *size == 0) {
      return Status(Errc::kInvalidArgument,
                    "CAIRN_AUDIT_FILE_MAX_SIZE must be a size such as 100MiB");
    }
    audit.file_max_size = *size;
  }
  if (auto v = env("CAIRN_AUDIT_FILE_KEEP")) {
    char* end = nullptr;
    const long n = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || n < 0 || n > 1000) {
      return Status(Errc::kInvalidArgument,
                    "CAIRN_AUDIT_FILE_KEEP must be a number from 0 to 1000");
    }
    audit.file_keep = static_cast<int>(n);
  }
  if (auto v = env("CAIRN_AUDIT_HEADERS")) {
    std::stringstream list(*v);
    for (std::string item; std::getline(list, item, ',');) {
      if (!item.empty()) {
        audit.headers.push_back(item);
      }
    }
  }
  return Status::Ok();
}

// Checks of the parsed values that CLI11 cannot express.
Status Validate(ServerConfig& cfg, const Environment& env, const GivenFlags& given) {
  if (given.secret && !cfg.secret_key_file.empty()) {
    return Status(Errc::kInvalidArgument, "give --secret-key or --secret-key-file, not both");
  }
  const bool secret_given = given.secret || !cfg.secret_key_file.empty();
  if (given.access != secret_given) {
    return Status(Errc::kInvalidArgument,
                  "--access-key and --secret-key (or --secret-key-file) go together; give both "
                  "or neither");
  }
  if (!cfg.secret_key_file.empty()) {
    ASSIGN_OR_RETURN(cfg.secret_key, ReadSecretFile(cfg.secret_key_file, "--secret-key-file"));
  }
  if (!given.access) {
    RETURN_IF_ERROR(CredentialsFromEnvironment(env, cfg));
  }
  if (auto v = env("CAIRN_LIFECYCLE_DAY_SECONDS"); v && !given.lifecycle_day) {
    const std::string text(*v);
    char* end = nullptr;
    const long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < 1) {
      return Status(Errc::kInvalidArgument,
                    "CAIRN_LIFECYCLE_DAY_SECONDS must be a positive number of seconds");
    }
    cfg.lifecycle_day_seconds = n;
  }
  if (auto v = env("CAIRN_IAM_RELOAD_SECONDS")) {
    const std::string text(*v);
    char* end = nullptr;
    const long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < 1) {
      return Status(Errc::kInvalidArgument,
                    "CAIRN_IAM_RELOAD_SECONDS must be a positive number of seconds");
    }
    cfg.iam_reload_seconds = n;
  }
  ASSIGN_OR_RETURN(cfg.storage_class, StorageClassFromEnvironment(env));
  RETURN_IF_ERROR(AuditFromEnvironment(env, cfg.audit));
  RETURN_IF_ERROR(OpenIdFromEnvironment(env, cfg.openid));
  ASSIGN_OR_RETURN(auto allow_http, EnvSwitch(env, "CAIRN_SSE_C_ALLOW_HTTP"));
  if (allow_http && *allow_http) {
    cfg.sse_c_allow_http = true;
  }
  if (auto v = env("CAIRN_DEFAULT_OBJECT_OWNERSHIP")) {
    if (*v != "ObjectWriter" && *v != "BucketOwnerPreferred" && *v != "BucketOwnerEnforced") {
      return Status(Errc::kInvalidArgument,
                    "CAIRN_DEFAULT_OBJECT_OWNERSHIP must be ObjectWriter, BucketOwnerPreferred "
                    "or BucketOwnerEnforced");
    }
    cfg.default_object_ownership = *v;
  }
  if (auto v = env("CAIRN_CONSOLE_DIR"); v && cfg.console_dir.empty()) {
    cfg.console_dir = *v;
  }
  for (const char* var : {"CAIRN_BROWSER_SESSION_DURATION", "MINIO_BROWSER_SESSION_DURATION"}) {
    if (auto v = env(var)) {
      Result<std::chrono::nanoseconds> d = ParseDuration(*v);
      if (!d.ok() || *d < std::chrono::seconds(1) || *d > std::chrono::hours(24 * 365)) {
        return Status(Errc::kInvalidArgument,
                      std::string(var) + " must be a duration such as 12h, 30m or 90s");
      }
      cfg.browser_session_duration = std::chrono::duration_cast<std::chrono::seconds>(*d);
      break;
    }
  }
  if (auto v = env("CAIRN_METRICS_HISTORY_INTERVAL")) {
    Result<std::chrono::nanoseconds> d = ParseDuration(*v);
    if (!d.ok() || *d < std::chrono::milliseconds(100)) {
      return Status(Errc::kInvalidArgument,
                    "CAIRN_METRICS_HISTORY_INTERVAL must be a duration of 100ms or more");
    }
    cfg.metrics_interval = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  for (const char* var : {"CAIRN_SERVER_URL", "MINIO_SERVER_URL"}) {
    if (auto v = env(var)) {
      if (!v->starts_with("http://") && !v->starts_with("https://")) {
        return Status(Errc::kInvalidArgument,
                      std::string(var) + " must be an http:// or https:// URL");
      }
      cfg.server_url = *v;
      break;
    }
  }
  for (const char* var : {"CAIRN_KMS_AUTO_ENCRYPTION", "MINIO_KMS_AUTO_ENCRYPTION"}) {
    ASSIGN_OR_RETURN(auto auto_encryption, EnvSwitch(env, var));
    if (auto_encryption) {
      cfg.kms_auto_encryption = cfg.kms_auto_encryption || *auto_encryption;
      break;
    }
  }
  for (const char* var : {"CAIRN_PROMETHEUS_AUTH_TYPE", "MINIO_PROMETHEUS_AUTH_TYPE"}) {
    if (auto v = env(var)) {
      cfg.metrics_public = *v == "public";
      break;
    }
  }
  if (cfg.access_key.size() < 3) {
    return Status(Errc::kInvalidArgument, "the access key must be at least 3 characters long");
  }
  if (cfg.secret_key.size() < 8) {
    return Status(Errc::kInvalidArgument, "the secret key must be at least 8 characters long");
  }
  if (cfg.cert_file.empty() != cfg.key_file.empty()) {
    return Status(Errc::kInvalidArgument, "--cert and --key go together; give both or neither");
  }
  auto s3_port = AddressPort(cfg.address);
  if (!s3_port.ok()) {
    return Status(Errc::kInvalidArgument, "--address: " + s3_port.status().message());
  }
  auto console_port = AddressPort(cfg.console_address);
  if (!console_port.ok()) {
    return Status(Errc::kInvalidArgument, "--console-address: " + console_port.status().message());
  }
  if (*s3_port != 0 && *s3_port == *console_port) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("--address and --console-address both use port {}; give the "
                              "console its own port",
                              *s3_port));
  }
  const int tls_flags = static_cast<int>(!cfg.cluster_cert.empty()) +
                        static_cast<int>(!cfg.cluster_key.empty()) +
                        static_cast<int>(!cfg.cluster_ca.empty());
  if (tls_flags != 0 && tls_flags != 3) {
    return Status(Errc::kInvalidArgument,
                  "--cluster-cert, --cluster-key and --cluster-ca go together; give all three "
                  "or none");
  }
  if (tls_flags == 3 && cfg.cluster_address.empty()) {
    return Status(Errc::kInvalidArgument,
                  "mutual TLS between nodes needs its own port: give --cluster-address with "
                  "--cluster-cert, --cluster-key and --cluster-ca");
  }
  if (!cfg.cluster_server_name.empty() && tls_flags == 0) {
    return Status(Errc::kInvalidArgument,
                  "--cluster-server-name needs --cluster-cert, --cluster-key and --cluster-ca");
  }
  if (!cfg.cluster_address.empty()) {
    auto cluster_port = AddressPort(cfg.cluster_address);
    if (!cluster_port.ok()) {
      return Status(Errc::kInvalidArgument,
                    "--cluster-address: " + cluster_port.status().message());
    }
    if (*cluster_port != 0 && (*cluster_port == *s3_port || *cluster_port == *console_port)) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("--cluster-address uses port {}, which --address or "
                                "--console-address already uses",
                                *cluster_port));
    }
  }
  for (const std::string& domain : cfg.domains) {
    if (domain.empty() || domain.find('/') != std::string::npos) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("--domain '{}' is not a domain name", domain));
    }
  }
  if (cfg.default_credentials) {
    // Everybody knows the default credentials: with them cairn serves this machine only.
    if (!given.address) {
      cfg.address = "127.0.0.1" + cfg.address;
    }
    if (!given.console_address) {
      cfg.console_address = "127.0.0.1" + cfg.console_address;
    }
    for (const std::string* address : {&cfg.address, &cfg.console_address, &cfg.cluster_address}) {
      if (!address->empty() && !LoopbackAddress(*address)) {
        return Status(Errc::kInvalidArgument,
                      fmt::format("the default credentials {} / {} are for a start on this machine "
                                  "only, so cairn does not listen on '{}' with them: give your own "
                                  "with --access-key and --secret-key (or CAIRN_ROOT_USER and "
                                  "CAIRN_ROOT_PASSWORD), or listen on 127.0.0.1",
                                  kDefaultAccessKey, kDefaultSecretKey, *address));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<AuditWebhookConfig>> AuditWebhooksFromEnvironment(
    const Environment& env, const std::vector<std::string>& names) {
  std::vector<std::string> ids;
  for (const std::string& name : names) {
    for (std::string_view prefix : {"CAIRN_AUDIT_WEBHOOK_ENABLE", "MINIO_AUDIT_WEBHOOK_ENABLE"}) {
      if (!name.starts_with(prefix)) {
        continue;
      }
      std::string_view rest = std::string_view(name).substr(prefix.size());
      if (!rest.empty() && rest.front() != '_') {
        continue;
      }
      std::string id(rest.empty() ? rest : rest.substr(1));
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
        ids.push_back(std::move(id));
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  std::vector<AuditWebhookConfig> out;
  for (const std::string& id : ids) {
    const std::string suffix = id.empty() ? "" : "_" + id;
    const std::string enable = "AUDIT_WEBHOOK_ENABLE" + suffix;
    const std::optional<std::string> on = EnvEither(env, enable);
    if (!on || *on == "off" || *on == "false" || *on == "0" || on->empty()) {
      continue;
    }
    if (*on != "on" && *on != "true" && *on != "1") {
      return Status(Errc::kInvalidArgument, "MINIO_" + enable + " must be \"on\" or \"off\"");
    }
    AuditWebhookConfig w;
    w.id = id;
    const std::string endpoint = "AUDIT_WEBHOOK_ENDPOINT" + suffix;
    w.endpoint = EnvEither(env, endpoint).value_or("");
    if (w.endpoint.empty()) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("MINIO_{} is on but MINIO_{} is not set", enable, endpoint));
    }
    w.auth_token = EnvEither(env, "AUDIT_WEBHOOK_AUTH_TOKEN" + suffix).value_or("");
    ASSIGN_OR_RETURN(w.batch_size, EnvCount(env, "AUDIT_WEBHOOK_BATCH_SIZE" + suffix, 1));
    ASSIGN_OR_RETURN(w.queue_size, EnvCount(env, "AUDIT_WEBHOOK_QUEUE_SIZE" + suffix, 100000));
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<std::string> EnvironmentNames() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    out.emplace_back(entry.substr(0, entry.find('=')));
  }
  return out;
}

ConnectionLimits ResolveConnectionLimits(const ServerConfig& config, std::uint64_t nofile) {
  ConnectionLimits out;
  const std::uint64_t derived = std::max<std::uint64_t>(64, nofile / 4 * 3);
  out.total = config.max_connections.value_or(static_cast<std::size_t>(derived));
  const std::size_t base = out.total != 0 ? out.total : static_cast<std::size_t>(derived);
  out.per_client = config.max_connections_per_client.value_or(std::max<std::size_t>(16, base / 4));
  return out;
}

std::uint64_t RaiseOpenFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    return 1024;
  }
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur =
        lim.rlim_max == RLIM_INFINITY ? std::max<rlim_t>(lim.rlim_cur, 1 << 20) : lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      lim = raised;
    }
  }
  return lim.rlim_cur == RLIM_INFINITY ? std::uint64_t{1} << 20 : lim.rlim_cur;
}

Result<std::uint16_t> AddressPort(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("'{}' has no port; write HOST:PORT or :PORT", address));
  }
  const std::string_view host = address.substr(0, colon);
  if (host.find(':') != std::string_view::npos &&
      (host.size() < 2 || host.front() != '[' || host.back() != ']')) {
    return Status(
        Errc::kInvalidArgument,
        fmt::format("'{}': write an IPv6 address in brackets, as in [::1]:9000", address));
  }
  const std::string port(address.substr(colon + 1));
  char* end = nullptr;
  const long value = port.empty() ? -1 : std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 0 || value > 65535) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("'{}' is not a port number (0-65535) in '{}'", port, address));
  }
  return static_cast<std::uint16_t>(value);
}

std::string ConnectAddress(std::string_view address, std::uint16_t port) {
  std::string_view host = address.substr(0, address.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") {
    host = "127.0.0.1";
  }
  return fmt::format("{}:{}", host, port);
}

CommandLine ParseCommandLine(int argc, const char* const* argv, const Environment& env) {
  CommandLine result;
  ServerConfig& cfg = result.config;

  CLI::App app{"cairn: an S3-compatible object store.", "cairn"};
  app.set_version_flag("--version", fmt::format("cairn version {}", kVersion),
                       "Print the version and exit");
  app.require_subcommand(0, 1);

  // Handled before parsing (main.cc); listed here so that `cairn --help` shows it.
  app.add_subcommand("bench",
                     "Load generator: cairn bench put|get|stat|delete|list|multipart|mixed "
                     "(see cairn bench --help)");
  app.add_subcommand("admin",
                     "Administer a running server: cairn admin heal|heal-status|heal-stop|info "
                     "(see cairn admin --help)");
  CLI::App* server = app.add_subcommand(
      "server", "Serve S3 from the given drives (default: 4 drives under ./data)");
  server->footer(
      "DRIVES are local paths or http(s)://host:port/path URLs, with ellipses expanded by\n"
      "cairn: /mnt/disk{1...8}, http://node{1...4}:9000/data{01...16}, /d{a...d}.\n"
      "Each argument with ellipses is a pool; the arguments without form one pool.\n\n"
      "Credentials come from --access-key/--secret-key, else CAIRN_ROOT_USER and\n"
      "CAIRN_ROOT_PASSWORD, else MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, else\n"
      "MINIO_ACCESS_KEY and MINIO_SECRET_KEY; the password variable with _FILE appended\n"
      "(CAIRN_ROOT_PASSWORD_FILE, MINIO_ROOT_PASSWORD_FILE) names a file that holds it.\n"
      "With the default credentials cairnadmin / cairnadmin, cairn listens on 127.0.0.1 only.\n\n"
      "Storage classes: CAIRN_STORAGE_CLASS_STANDARD=EC:N and CAIRN_STORAGE_CLASS_RRS=EC:N\n"
      "(or MINIO_STORAGE_CLASS_*) set the parity of objects written with x-amz-storage-class\n"
      "STANDARD (the default) and REDUCED_REDUNDANCY; defaults: the pool's parity and EC:1.\n\n"
      "Encryption: CAIRN_KMS_SECRET_KEY=<key-name>:<base64 of 32 bytes> (or\n"
      "MINIO_KMS_SECRET_KEY; or CAIRN_KMS_SECRET_KEY_FILE / MINIO_KMS_SECRET_KEY_FILE naming a\n"
      "file that holds it) enables the built-in KMS for SSE-S3 and SSE-KMS: that master key\n"
      "is the default key, and `cairn admin kms key create` adds named keys, stored sealed\n"
      "under it (keep it: without it no encrypted object can be read). A malformed key stops\n"
      "the server. CAIRN_KMS_AUTO_ENCRYPTION=on (or MINIO_KMS_AUTO_ENCRYPTION) encrypts every\n"
      "new object with SSE-S3 (needs the KMS). CAIRN_SSE_C_ALLOW_HTTP=on is --sse-c-allow-http.\n\n"
      "Audit log: one JSON record per S3 and admin request (MinIO's audit format), to\n"
      "--audit-file / CAIRN_AUDIT_FILE (rotated at CAIRN_AUDIT_FILE_MAX_SIZE, default 100MiB,\n"
      "keeping CAIRN_AUDIT_FILE_KEEP files, default 5) and to webhooks:\n"
      "MINIO_AUDIT_WEBHOOK_ENABLE[_<ID>]=on, _ENDPOINT[_<ID>]=http(s)://..., _AUTH_TOKEN,\n"
      "_BATCH_SIZE (default 1), _QUEUE_SIZE (default 100000) (or CAIRN_AUDIT_WEBHOOK_*).\n"
      "CAIRN_AUDIT_HEADERS=x-custom,content-* adds request headers to the x-amz-* ones.\n\n"
      "STS: AssumeRole on the S3 port; AssumeRoleWithWebIdentity with the OpenID Connect\n"
      "provider of MINIO_IDENTITY_OPENID_CONFIG_URL (its /.well-known/openid-configuration),\n"
      "_CLIENT_ID (the tokens' audience) and _CLAIM_NAME (the claim naming the policies,\n"
      "default policy) (or CAIRN_IDENTITY_OPENID_*); a provider without discovery:\n"
      "CAIRN_IDENTITY_OPENID_JWKS_URL and CAIRN_IDENTITY_OPENID_ISSUER.\n");
  std::vector<std::string> positional;
  std::vector<std::string> drives_flag;
  int parity = 0;
  int set_size = 0;
  server->add_option("DRIVES", positional, "Drives, as described below");
  server->add_option("--drives", drives_flag,
                     "Drives as a comma-separated list (the same rules as DRIVES)");
  auto* address_opt =
      server
          ->add_option("--address", cfg.address,
                       "S3 API listen address (127.0.0.1:9000 with the default credentials)")
          ->capture_default_str();
  auto* console_opt = server
                          ->add_option("--console-address", cfg.console_address,
                                       "Console, admin API and health listen address "
                                       "(127.0.0.1:9001 with the default credentials)")
                          ->capture_default_str();
  server->add_option("--console-dir", cfg.console_dir,
                     "The web console's built files (default: found beside the binary; "
                     "scripts/build-console.sh builds them)");
  auto* parity_opt = server->add_option("--parity", parity,
                                        "Parity drives per erasure set (default: half the set)");
  auto* set_size_opt =
      server->add_option("--set-size", set_size, "Drives per erasure set (2 to 16)");
  auto* access_opt = server->add_option("--access-key", cfg.access_key, "Root access key");
  auto* secret_opt = server->add_option("--secret-key", cfg.secret_key, "Root secret key");
  server
      ->add_option("--secret-key-file", cfg.secret_key_file,
                   "A file holding the root secret key (kept out of the process list)")
      ->check(CLI::ExistingFile);
  server->add_option("--cert", cfg.cert_file, "TLS certificate (PEM) for HTTPS on the S3 port")
      ->check(CLI::ExistingFile);
  server->add_option("--key", cfg.key_file, "TLS private key (PEM) for HTTPS on the S3 port")
      ->check(CLI::ExistingFile);
  server
      ->add_option("--domain", cfg.domains,
                   "Domain(s) for virtual-host style requests, comma-separated")
      ->delimiter(',')
      ->allow_extra_args(false);  // one value per flag: a drive after it stays a drive
  server->add_option("--region", cfg.region, "The region the server reports")
      ->capture_default_str();
  server->add_option("--log-level", cfg.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  server->add_flag("--log-json", cfg.log_json, "Log one JSON object per line");
  server->add_flag("--sse-c-allow-http", cfg.sse_c_allow_http,
                   "Accept SSE-C keys over plain HTTP, for local tests (also "
                   "CAIRN_SSE_C_ALLOW_HTTP=on)");
  server->add_flag("--kms-auto-encryption", cfg.kms_auto_encryption,
                   "Encrypt every new object written without encryption headers with SSE-S3 "
                   "(needs the KMS; also CAIRN_KMS_AUTO_ENCRYPTION=on)");
  server->add_flag("--access-log", cfg.access_log,
                   "Log one line per S3 request (id, operation, status, bytes, time, key)");
  server->add_option("--audit-file", cfg.audit.file,
                     "Write the audit log (one JSON record per S3 and admin request) to this "
                     "file, rotated by size (also CAIRN_AUDIT_FILE; see below)");
  server->add_option("--address-file", cfg.address_file,
                     "Once listening, write \"s3=HOST:PORT\" and \"console=HOST:PORT\" here");
  server
      ->add_option("--inline-limit", cfg.inline_limit,
                   "Largest per-drive shard kept inline in metadata (bytes; KiB, MiB allowed)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  server
      ->add_option("--direct-io", cfg.direct_io,
                   "Write shard files with O_DIRECT where the file system allows it (true or "
                   "false)")
      ->capture_default_str();
  server
      ->add_option("--memory-budget", cfg.memory_budget,
                   "Most memory that writes in flight may hold in buffers; past it a write "
                   "waits, then gets 503 SlowDown (bytes; KiB, MiB, GiB allowed; 0 = no limit)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  server
      ->add_option("--cache-size", cfg.cache_size,
                   "Memory for the metadata caches of all local drives together: RocksDB "
                   "block cache, memtables and object entry caches (bytes; KiB, MiB, GiB "
                   "allowed; default 512MiB, or 1/16 of the machine's memory when less)")
      ->transform(CLI::AsSizeValue(false));
  server->add_option("--max-connections", cfg.max_connections,
                     "Most connections open at once on the S3 port (default: three quarters of "
                     "the open-file limit; 0 = no bound)");
  server->add_option("--max-connections-per-client", cfg.max_connections_per_client,
                     "Most connections one client address may hold open on the S3 port "
                     "(default: a quarter of --max-connections; 0 = no bound)");
  server
      ->add_option("--scanner-interval", cfg.scanner_interval,
                   "Seconds between the scanner's cycles over every set (0 = no scanner)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  server
      ->add_option("--scanner-deep-every", cfg.scanner_deep_every,
                   "Every Nth scanner cycle also verifies every shard's bitrot hash (0 = never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  server
      ->add_option("--orphan-min-age", cfg.orphan_min_age,
                   "Seconds before the scanner removes shard files no metadata references (at "
                   "least 600: a write in flight renames its shards before it commits them)")
      ->check(CLI::Range(600, 1 << 30))
      ->capture_default_str();
  auto* lifecycle_day_opt =
      server
          ->add_option("--lifecycle-day-seconds", cfg.lifecycle_day_seconds,
                       "The length of a lifecycle rule's day in seconds, for tests (also "
                       "CAIRN_LIFECYCLE_DAY_SECONDS)")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
  server->add_option("--node-host", cfg.node_host,
                     "This node's HOST or HOST:PORT in the drive URLs");
  server
      ->add_option("--peers", cfg.peers,
                   "The other nodes, comma-separated (http(s)://host:port); must match the "
                   "nodes the drive URLs name")
      ->delimiter(',')
      ->allow_extra_args(false);  // the next word is a drive, not another peer
  server->add_option("--cluster-address", cfg.cluster_address,
                     "Inter-node RPC listen address (default: the S3 port under /cairn/rpc/)");
  server
      ->add_option("--cluster-cert", cfg.cluster_cert,
                   "This node's certificate (PEM) for "
                   "mutual TLS on the cluster port")
      ->check(CLI::ExistingFile);
  server->add_option("--cluster-key", cfg.cluster_key, "Private key (PEM) of --cluster-cert")
      ->check(CLI::ExistingFile);
  server
      ->add_option("--cluster-ca", cfg.cluster_ca,
                   "CA (PEM) that every node's certificate must chain to")
      ->check(CLI::ExistingFile);
  server->add_option("--cluster-server-name", cfg.cluster_server_name,
                     "Name the nodes' certificates carry (default: the peer's host)");

  std::ostringstream out;
  std::ostringstream err;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e, out, err);
    result.out = out.str();
    return result;
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e, out, err);
    result.out = out.str();
    return result;
  } catch (const CLI::CallForVersion& e) {
    result.out = std::string(e.what()) + "\n";
    return result;
  } catch (const CLI::ParseError& e) {
    result.exit_code = kUsageExitCode;
    const char* help = server->parsed() ? "cairn server --help" : "cairn --help";
    result.err = fmt::format("cairn: {} (see '{}')\n", e.what(), help);
    return result;
  }
  if (!server->parsed()) {
    result.exit_code = kUsageExitCode;
    result.err = "cairn: a command is required: cairn server [DRIVES...]\n\n" + app.help();
    return result;
  }

  if (parity_opt->count() > 0) {
    cfg.parity = parity;
  }
  if (set_size_opt->count() > 0) {
    cfg.set_size = set_size;
  }
  cfg.drives = positional;
  for (const std::string& value : drives_flag) {
    for (std::string& item : cluster::SplitDrivesFlag(value)) {
      cfg.drives.push_back(std::move(item));
    }
  }
  if (cfg.drives.empty()) {
    cfg.drives = {"./data/disk{1...4}"};
    cfg.default_drives = true;
  }
  GivenFlags given;
  given.access = access_opt->count() > 0;
  given.secret = secret_opt->count() > 0;
  given.address = address_opt->count() > 0;
  given.console_address = console_opt->count() > 0;
  given.lifecycle_day = lifecycle_day_opt->count() > 0;
  Status st = Validate(cfg, env, given);
  if (!st.ok()) {
    result.exit_code = kUsageExitCode;
    result.err = fmt::format("cairn: {}\n", st.message());
    return result;
  }
  result.run = true;
  return result;
}

}  // namespace cairn::server
