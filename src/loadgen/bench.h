// The `cairn bench` load generator: configuration, the run, and its report. RunBench
// prepares the objects a workload needs, runs it against an S3 endpoint (SigV4,
// UNSIGNED-PAYLOAD) or a plain HTTP/WebDAV server, and removes what it created.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "loadgen/units.h"

namespace cairn::loadgen {

enum class Mode { kPut, kGet, kStat, kDelete, kList, kMultipart, kMixed };

// "put", "get", ...; nullopt-like failure as kInvalidArgument.
Result<Mode> ParseMode(std::string_view name);
std::string_view ModeName(Mode mode);

// Server-side encryption asked of the objects a run writes (--sse): none, SSE-S3 ("s3"),
// SSE-KMS ("kms") or SSE-C ("c"). sse.cc.
enum class Sse { kNone, kS3, kKms, kC };

Result<Sse> ParseSse(std::string_view name);  // "none", "s3", "kms", "c"; kInvalidArgument
std::string_view SseName(Sse sse);

struct BenchConfig {
  Mode mode = Mode::kMixed;
  std::string endpoint = "http://127.0.0.1:9000";
  std::string access_key;
  std::string secret_key;
  std::string region = "us-east-1";
  // Plain HTTP (nginx WebDAV and the like): PUT/GET/HEAD/DELETE of /<bucket>/<key>, no
  // bucket creation, no list or multipart. The requests are signed all the same (the server
  // ignores the Authorization header), so the client does the same work for either target.
  bool plain = false;
  std::uint64_t obj_size = 4 << 10;
  int concurrent = 16;
  std::chrono::nanoseconds duration = std::chrono::seconds(30);
  std::uint64_t max_ops = 0;  // 0: no limit; else the run stops after this many operations
  std::uint64_t objects = 0;  // 0: a default for the mode (DefaultObjects)
  std::string bucket;         // empty: cairn-bench-<random>
  std::string prefix;         // empty: bench-<random>/ ; every key starts with it
  bool keep = false;          // keep the objects (and the bucket) after the run
  bool skip_prepare = false;  // the objects exist already (an earlier --keep run, same prefix)
  Mix mix;
  int parts = 4;                     // multipart: parts per upload, each obj_size bytes
  std::uint64_t page_size = 1000;    // list: max-keys
  std::vector<std::uint64_t> pages;  // list: 1-based page positions; empty: 1 and 90%
  int threads = 1;                   // worker threads, each with its own io_context
  std::vector<int> cpus;             // pin worker i to cpus[i % size]; empty: no pinning
  // Report the CPU time these processes spent during the measured phase (summed: e.g. an
  // nginx master and its workers).
  std::vector<int> server_pids;
  std::chrono::nanoseconds timeout = std::chrono::seconds(60);  // per request
  std::uint64_t seed = 0;                                       // 0: random
  // Every PUT and CreateMultipartUpload asks for `sse`; with kC, GET, HEAD and UploadPart
  // send the key too. kKms: the key id (empty: the server's default key). kC: the key,
  // base64 of 32 bytes (empty: a fixed key, so that kept objects stay readable).
  Sse sse = Sse::kNone;
  std::string sse_kms_key_id;
  std::string sse_c_key;
};

// Objects prepared when --objects is not given; 0 for put and multipart, which prepare none
// (and ignore --objects).
std::uint64_t DefaultObjects(const BenchConfig& cfg);

struct OpReport {
  std::string name;  // "PUT", "GET", "STAT", "DELETE", "MULTIPART", "LIST page 900"
  std::uint64_t ops = 0;
  std::uint64_t bytes = 0;
  std::uint64_t errors = 0;
  std::map<std::string, std::uint64_t> error_kinds;  // "503", "transport", "bad response"
  std::string first_error;
  double ops_per_s = 0;
  double mib_per_s = 0;
  // Latencies of successful operations, in microseconds.
  double mean_us = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double max_us = 0;
};

struct BenchReport {
  std::string mode;
  std::string target;  // "s3" or "plain"
  std::string sse;     // "none", "s3", "kms", "c"
  std::string endpoint;
  std::string bucket;
  std::string prefix;
  std::uint64_t obj_size = 0;
  int concurrent = 0;
  int threads = 0;
  std::uint64_t objects = 0;
  double prepare_s = 0;
  double elapsed_s = 0;  // the measured phase
  double cleanup_s = 0;
  std::string stop_reason;  // "duration", "ops", "objects exhausted"
  std::vector<OpReport> ops;
  OpReport total;
  double client_cpu_s = 0;   // this process, during the measured phase
  double server_cpu_s = -1;  // -1: no --server-pid
  double server_cpu_us_per_op = -1;
  std::uint64_t connects = 0;  // TCP connections opened in the measured phase
  std::vector<std::string> notes;
};

// Runs the benchmark. `progress`, when given, receives a live status line about every
// second ("\r..." when `progress_tty`, else one line every 5 s). Errors: kInvalidArgument
// (bad configuration, unreachable endpoint), and the status of a failed setup or prepare
// step (the run cleans up what it created before returning it).
Result<BenchReport> RunBench(const BenchConfig& cfg, std::ostream* progress = nullptr,
                             bool progress_tty = false);

// The report as a human table, and as JSON.
std::string FormatTable(const BenchReport& report);
std::string FormatJson(const BenchReport& report);

}  // namespace cairn::loadgen
