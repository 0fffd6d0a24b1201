#include "loadgen/bench_command.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/environment.h"
#include "loadgen/bench.h"

namespace cairn::loadgen {
namespace {

constexpr int kExitUsage = 2;

// The root credentials as `cairn server` reads them (common/environment.h), else the AWS
// SDK's pair (for other stores). Errors: half a pair, an unreadable _FILE.
Status CredentialsFromEnvironment(BenchConfig& cfg) {
  const Environment env = ProcessEnvironment();
  ASSIGN_OR_RETURN(auto found, RootCredentialsFromEnvironment(env));
  if (found) {
    cfg.access_key = found->access_key;
    cfg.secret_key = found->secret_key;
  } else if (auto key = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
             key && secret) {
    cfg.access_key = *key;
    cfg.secret_key = *secret;
  }
  return Status::Ok();
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "cairn bench: %s (see 'cairn bench --help')\n", message.c_str());
  return kExitUsage;
}

}  // namespace

int RunBenchCommand(int argc, char** argv) {
  CLI::App app(
      "S3 load generator: prepares its objects, runs a workload for --duration (or --ops\n"
      "operations) on persistent connections, reports ops/s, MiB/s and latency percentiles\n"
      "per operation, and deletes what it created.\n\n"
      "  cairn bench get --endpoint http://127.0.0.1:9000 --access-key K --secret-key S \\\n"
      "      --obj-size 4KiB --concurrent 16 --duration 30s\n"
      "  cairn bench put --sse kms --sse-kms-key-id my-key ...\n"
      "  cairn bench put --target nginx --endpoint http://127.0.0.1:8080 --bucket dav\n",
      "cairn bench");
  app.name("cairn bench");
  BenchConfig cfg;
  if (Status st = CredentialsFromEnvironment(cfg); !st.ok()) {
    return Usage(st.message());
  }
  std::string mode = "mixed";
  std::string obj_size = "4KiB";
  std::string duration = "30s";
  std::string timeout = "60s";
  std::string mix;
  std::string cpus;
  std::string target = "s3";
  std::vector<std::uint64_t> pages;
  bool json = false;
  std::string json_out;
  bool quiet = false;
  bool plain = false;
  std::string sse = "none";

  app.add_option("MODE", mode, "put, get, stat, delete, list, multipart or mixed")
      ->check(CLI::IsMember({"put", "get", "stat", "delete", "list", "multipart", "mixed"}))
      ->capture_default_str();
  app.add_option("--endpoint", cfg.endpoint, "http://HOST:PORT")->capture_default_str();
  app.add_option("--access-key", cfg.access_key,
                 "Access key (else CAIRN_ROOT_USER, MINIO_ROOT_USER, MINIO_ACCESS_KEY, "
                 "AWS_ACCESS_KEY_ID)");
  app.add_option("--secret-key", cfg.secret_key, "Secret key (else the matching variable)");
  app.add_option("--region", cfg.region, "Region signed into requests")->capture_default_str();
  app.add_option("--target", target,
                 "s3 (SigV4) or nginx/plain (unsigned HTTP PUT/GET/HEAD/DELETE, WebDAV)")
      ->check(CLI::IsMember({"s3", "nginx", "plain"}))
      ->capture_default_str();
  app.add_flag("--plain", plain, "Same as --target plain");
  app.add_option("--obj-size", obj_size, "Object size (4KiB, 1MiB, 64MiB); multipart: part size")
      ->capture_default_str();
  app.add_option("--concurrent", cfg.concurrent, "Clients, each with one keep-alive connection")
      ->capture_default_str();
  app.add_option("--duration", duration, "Measured time (30s, 2m, 500ms)")->capture_default_str();
  app.add_option("--ops", cfg.max_ops, "Stop after this many operations (0: no limit)");
  app.add_option("--objects", cfg.objects,
                 "Objects to prepare (get, stat, delete, mixed, list; default depends on the "
                 "mode and size); put and multipart write a new key every time");
  app.add_option("--bucket", cfg.bucket, "Bucket (default cairn-bench-<random>, removed after)");
  app.add_option("--prefix", cfg.prefix, "Key prefix (default bench-<random>/)");
  app.add_flag("--keep", cfg.keep, "Keep the objects and the bucket");
  app.add_flag("--skip-prepare", cfg.skip_prepare,
               "The objects exist already (an earlier --keep run with the same --prefix)");
  app.add_option("--mix", mix, "mixed: weights, default get=45,stat=30,put=15,delete=10");
  app.add_option("--parts", cfg.parts, "multipart: parts per upload")->capture_default_str();
  app.add_option("--page-size", cfg.page_size, "list: keys per page (max-keys)")
      ->capture_default_str();
  app.add_option("--pages", pages, "list: 1-based pages to time (default: 1 and the 90% one)")
      ->delimiter(',');
  app.add_option("--threads", cfg.threads, "Worker threads (one io_context each)")
      ->capture_default_str();
  app.add_option("--cpu", cpus, "Pin worker threads to these CPUs (0,2-3)");
  app.add_option("--server-pid", cfg.server_pids,
                 "Report the CPU time of these processes (comma-separated) per operation")
      ->delimiter(',');
  app.add_option("--sse", sse,
                 "Server-side encryption of every PUT and CreateMultipartUpload: none, s3 "
                 "(SSE-S3, AES256), kms (SSE-KMS, aws:kms) or c (SSE-C: the key also goes with "
                 "every GET, HEAD and UploadPart). The server needs a KMS for s3 and kms "
                 "(CAIRN_KMS_SECRET_KEY), and --sse-c-allow-http for c over http")
      ->check(CLI::IsMember({"none", "s3", "kms", "c"}))
      ->capture_default_str();
  app.add_option("--sse-kms-key-id", cfg.sse_kms_key_id,
                 "--sse kms: the KMS key (default: the server's default key)");
  app.add_option("--sse-c-key", cfg.sse_c_key,
                 "--sse c: the key, base64 of 32 bytes (default: a fixed key, so kept objects "
                 "stay readable)");
  app.add_option("--timeout", timeout, "Per-request timeout")->capture_default_str();
  app.add_option("--seed", cfg.seed, "Random seed (0: random)");
  app.add_flag("--json", json, "Print the report as JSON on stdout instead of the table");
  app.add_option("--json-out", json_out, "Also write the JSON report to this file");
  app.add_flag("--quiet", quiet, "No live progress line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  auto parsed_mode = ParseMode(mode);
  auto parsed_sse = ParseSse(sse);
  auto size = ParseSize(obj_size);
  auto dur = ParseDuration(duration);
  auto tmo = ParseDuration(timeout);
  if (!parsed_mode.ok()) {
    return Usage(parsed_mode.status().message());
  }
  if (!parsed_sse.ok()) {
    return Usage(parsed_sse.status().message());
  }
  if (!size.ok()) {
    return Usage("--obj-size: " + size.status().message());
  }
  if (!dur.ok()) {
    return Usage("--duration: " + dur.status().message());
  }
  if (!tmo.ok()) {
    return Usage("--timeout: " + tmo.status().message());
  }
  cfg.mode = *parsed_mode;
  cfg.sse = *parsed_sse;
  cfg.obj_size = *size;
  cfg.duration = *dur;
  cfg.timeout = *tmo;
  cfg.plain = plain || target != "s3";
  cfg.pages = pages;
  if (!mix.empty()) {
    auto m = ParseMix(mix);
    if (!m.ok()) {
      return Usage("--mix: " + m.status().message());
    }
    cfg.mix = *m;
  }
  if (!cpus.empty()) {
    auto list = ParseCpuList(cpus);
    if (!list.ok()) {
      return Usage("--cpu: " + list.status().message());
    }
    cfg.cpus = *list;
  }

  bool tty = isatty(STDERR_FILENO) != 0;
  auto report = RunBench(cfg, quiet ? nullptr : &std::cerr, tty);
  if (!report.ok()) {
    std::fprintf(stderr, "cairn bench: %s\n", report.status().message().c_str());
    return report.code() == Errc::kInvalidArgument ? kExitUsage : 1;
  }
  std::string text = json ? FormatJson(*report) : FormatTable(*report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!json_out.empty()) {
    std::ofstream out(json_out, std::ios::trunc);
    out << FormatJson(*report);
    if (!out) {
      std::fprintf(stderr, "cairn bench: cannot write %s\n", json_out.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace cairn::loadgen
