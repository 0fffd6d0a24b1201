#include "admin/admin_command.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"
#include "admin/admin_client.h"
#include "admin/admin_format.h"
#include "admin/admin_iam_command.h"
#include "admin/prometheus_token.h"
#include "common/environment.h"
#include "common/text.h"
#include "common/units.h"
#include "http/endpoint.h"

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
// How long `heal` keeps polling through transport errors (a node restarting) before giving up.
constexpr std::chrono::seconds kPollGiveUp{60};

// The root credentials as `cairn server` reads them (common/environment.h), else the
// defaults. Errors: half a pair, an unreadable _FILE.
Status CredentialsFromEnvironment(ClientConfig& cfg) {
  ASSIGN_OR_RETURN(auto found, RootCredentialsFromEnvironment(ProcessEnvironment()));
  cfg.access_key = found ? found->access_key : "cairnadmin";
  cfg.secret_key = found ? found->secret_key : "cairnadmin";
  return Status::Ok();
}

void Print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

// The admin API's JSON answers (CallJson) for the commands below.
class Session {
 public:
  explicit Session(AdminClient& client) : client_(client) {}

  Result<Json> Get(std::string_view method, std::string_view op, std::string_view query) {
    return CallJson(client_, method, op, query);
  }

 private:
  AdminClient& client_;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "cairn admin: %s\n", st.message().c_str());
  return kExitFailed;
}

int WaitForHeal(Session& s, const std::string& id, bool json) {
  const std::string query = "id=" + UriEncode(id, false);
  auto last_ok = std::chrono::steady_clock::now();
  for (;;) {
    Result<Json> seq = s.Get("GET", "heal/status", query);
    if (!seq.ok()) {
      if (seq.status().code() == Errc::kUnknown ||
          std::chrono::steady_clock::now() - last_ok > kPollGiveUp) {
        return Fail(seq.status());
      }
      std::fprintf(stderr, "cairn admin: %s; retrying\n", seq.status().message().c_str());
    } else {
      last_ok = std::chrono::steady_clock::now();
      if (seq->value("state", "") != "running") {
        Print(json ? seq->dump() + "\n" : SummaryLine(*seq) + "\n");
        return HealExitCode(*seq);
      }
      std::fprintf(stderr, "%s\n", ProgressLine(*seq).c_str());
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// What `mc admin prometheus generate` prints: a scrape job with a bearer token, valid for
// `expiry` (mc's is valid for 100 years; a long-lived secret should end).
int PrintScrapeConfig(const ClientConfig& cfg, std::string_view type, std::string_view expiry) {
  auto hp = http::ParseEndpoint(cfg.endpoint);
  if (!hp.ok()) {
    std::fprintf(stderr, "cairn admin: --endpoint: %s\n", hp.status().message().c_str());
    return kExitUsage;
  }
  auto lifetime = ParseDuration(expiry);
  if (!lifetime.ok() || lifetime->count() <= 0) {
    std::fprintf(stderr, "cairn admin: --expiry: %s\n",
                 lifetime.ok() ? "must be positive" : lifetime.status().message().c_str());
    return kExitUsage;
  }
  const auto expires = std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::seconds>(*lifetime);
  const std::string host =
      hp->host.find(':') != std::string::npos ? "[" + hp->host + "]" : hp->host;
  Print(
      fmt::format("scrape_configs:\n"
                  "- job_name: cairn-job\n"
                  "  bearer_token: {}\n"
                  "  metrics_path: /minio/v2/metrics/{}\n"
                  "  scheme: {}\n"
                  "  static_configs:\n"
                  "  - targets: ['{}:{}']\n",
                  MakePrometheusToken(cfg.access_key, cfg.secret_key, expires), type,
                  hp->https ? "https" : "http", host, hp->port));
  return 0;
}

}  // namespace

int RunAdminCommand(int argc, char** argv) {
  CLI::App app(
      "Administer a running cairn server through its admin API (SigV4-signed with the root\n"
      "credentials, or with a user's whose policies allow the command's admin:* action).\n\n"
      "  cairn admin heal mybucket/photos --deep\n"
      "  cairn admin heal-status\n"
      "  cairn admin info --endpoint http://10.0.0.1:9000\n"
      "  cairn admin kms key create my-app-key\n"
      "  cairn admin user add alice alice-secret-key\n"
      "  cairn admin policy attach readwrite --user alice\n",
      "cairn admin");
  app.name("cairn admin");
  app.require_subcommand(1);
  ClientConfig cfg;
  if (Status st = CredentialsFromEnvironment(cfg); !st.ok()) {
    std::fprintf(stderr, "cairn admin: %s\n", st.message().c_str());
    return kExitUsage;
  }
  bool json = false;
  app.add_option("--endpoint", cfg.endpoint, "http(s)://HOST:PORT of a node")
      ->capture_default_str();
  app.add_option("--access-key", cfg.access_key,
                 "Access key of the caller (else CAIRN_ROOT_USER, MINIO_ROOT_USER, "
                 "MINIO_ACCESS_KEY, cairnadmin)");
  app.add_option("--secret-key", cfg.secret_key,
                 "Secret key of the caller (else the matching password variable or its _FILE, "
                 "cairnadmin)");
  app.add_flag("--insecure", cfg.insecure, "HTTPS: accept a self-signed certificate");
  app.add_flag("--json", json, "Print JSON instead of text");

  std::string target;
  bool deep = false;
  bool remove = false;
  bool dry_run = false;
  bool no_wait = false;
  CLI::App* heal = app.add_subcommand("heal", "Heal the cluster, a bucket or a prefix");
  heal->add_option("TARGET", target, "BUCKET[/PREFIX] (default: the whole cluster)");
  heal->add_flag("--deep", deep, "Also verify every shard's bitrot hash (reads all data)");
  heal->add_flag("--remove", remove, "Purge dangling versions (below read quorum for good)");
  heal->add_flag("--dry-run", dry_run, "Only count what needs healing; change nothing");
  heal->add_flag("--no-wait", no_wait, "Print the sequence id and return at once");
  heal->add_flag("--json", json, "Print the final sequence as JSON");

  std::string id;
  CLI::App* status = app.add_subcommand("heal-status", "A heal sequence's progress (or all)");
  status->add_option("ID", id, "Sequence id (default: every sequence)");
  status->add_flag("--json", json, "Print JSON");
  CLI::App* stop = app.add_subcommand("heal-stop", "Stop a heal sequence");
  stop->add_option("ID", id, "Sequence id")->required();
  CLI::App* info = app.add_subcommand("info", "Drives, their state and space; running heals");
  info->add_flag("--json", json, "Print JSON");
  CLI::App* prometheus = app.add_subcommand("prometheus", "Prometheus scrape configuration");
  prometheus->require_subcommand(1);
  CLI::App* generate = prometheus->add_subcommand(
      "generate", "Print a scrape config with a bearer token for the metrics pages");
  std::string metrics_type = "cluster";
  generate->add_option("TYPE", metrics_type, "cluster or node")
      ->check(CLI::IsMember({"cluster", "node"}))
      ->capture_default_str();
  std::string expiry = "365d";
  generate->add_option("--expiry", expiry, "How long the token is valid (365d, 720h, 30d)")
      ->capture_default_str();
  CLI::App* kms = app.add_subcommand("kms", "The KMS of server-side encryption");
  kms->require_subcommand(1);
  CLI::App* kms_status =
      kms->add_subcommand("status", "Whether a KMS is configured; its default key");
  kms_status->add_flag("--json", json, "Print JSON");
  CLI::App* key = kms->add_subcommand("key", "Create, list, test, disable or enable keys");
  key->require_subcommand(1);
  std::string key_name;
  std::string pattern = "*";
  CLI::App* key_create = key->add_subcommand("create", "Create a named key");
  key_create->add_option("NAME", key_name, "1-64 of A-Z a-z 0-9 - _ .")->required();
  CLI::App* key_list = key->add_subcommand("list", "List the keys");
  key_list->add_option("PATTERN", pattern, "Names to list (a trailing * matches a prefix)")
      ->capture_default_str();
  CLI::App* key_status =
      key->add_subcommand("status", "A key's state, after a test encryption and decryption");
  key_status->add_option("NAME", key_name, "Key name (default: the default key)");
  CLI::App* key_disable =
      key->add_subcommand("disable", "Disable a key: objects under it cannot be read or written");
  key_disable->add_option("NAME", key_name, "Key name")->required();
  CLI::App* key_enable = key->add_subcommand("enable", "Enable a disabled key");
  key_enable->add_option("NAME", key_name, "Key name")->required();
  for (CLI::App* sub : {heal, status, stop, info, prometheus, generate, kms, kms_status, key,
                        key_create, key_list, key_status, key_disable, key_enable}) {
    sub->fallthrough();
  }
  IamCommands iam(app, json);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  if (*generate) {
    return PrintScrapeConfig(cfg, metrics_type, expiry);
  }
  auto client = AdminClient::Make(cfg);
  if (!client.ok()) {
    std::fprintf(stderr, "cairn admin: --endpoint: %s\n", client.status().message().c_str());
    return kExitUsage;
  }
  if (iam.Chosen()) {
    const int invalid = iam.Validate();
    return invalid != 0 ? invalid : iam.Run(**client);
  }
  Session session(**client);

  if (*heal) {
    Result<Json> started =
        session.Get("POST", "heal/start", HealStartQuery(target, deep, remove, dry_run));
    if (!started.ok()) {
      return Fail(started.status());
    }
    const std::string seq_id = started->value("id", "");
    if (no_wait) {
      Print(json ? started->dump() + "\n" : seq_id + "\n");
      return 0;
    }
    return WaitForHeal(session, seq_id, json);
  }
  if (*status) {
    Result<Json> r = id.empty() ? session.Get("GET", "heal/list", "")
                                : session.Get("GET", "heal/status", "id=" + UriEncode(id, false));
    if (!r.ok()) {
      return Fail(r.status());
    }
    if (json) {
      Print(r->dump() + "\n");
    } else if (id.empty()) {
      Print(SequencesText(r->value("sequences", Json::array())));
    } else {
      Print(SequencesText(Json::array({*r})));
    }
    return 0;
  }
  if (*kms_status) {
    Result<Json> r = session.Get("GET", "kms/status", "");
    if (!r.ok()) {
      return Fail(r.status());
    }
    Print(json ? r->dump() + "\n" : KmsStatusText(*r));
    return 0;
  }
  if (*key) {
    const std::string key_query = "key-id=" + UriEncode(key_name, false);
    if (*key_list) {
      Result<Json> r = session.Get("GET", "kms/key/list", "pattern=" + UriEncode(pattern, false));
      if (!r.ok()) {
        return Fail(r.status());
      }
      Print(json ? r->dump() + "\n" : KmsKeysText(*r));
      return 0;
    }
    if (*key_status) {
      Result<Json> r = session.Get("GET", "kms/key/status", key_name.empty() ? "" : key_query);
      if (!r.ok()) {
        return Fail(r.status());
      }
      Print(json ? r->dump() + "\n" : KmsKeyStatusText(*r));
      return KmsKeyStatusExitCode(*r);
    }
    const char* op = *key_create    ? "kms/key/create"
                     : *key_disable ? "kms/key/disable"
                                    : "kms/key/enable";
    Result<Json> r = session.Get("POST", op, key_query);
    if (!r.ok()) {
      return Fail(r.status());
    }
    const char* done = *key_create ? "created" : *key_disable ? "disabled" : "enabled";
    Print(json ? r->dump() + "\n" : fmt::format("key {} {}\n", key_name, done));
    return 0;
  }
  if (*stop) {
    Result<Json> r = session.Get("POST", "heal/stop", "id=" + UriEncode(id, false));
    if (!r.ok()) {
      return Fail(r.status());
    }
    Print(json ? r->dump() + "\n" : fmt::format("heal {} stopped\n", id));
    return 0;
  }
  Result<Json> r = session.Get("GET", "info", "");
  if (!r.ok()) {
    return Fail(r.status());
  }
  Print(json ? r->dump() + "\n" : InfoText(*r));
  return 0;
}

}  // namespace cairn::admin
