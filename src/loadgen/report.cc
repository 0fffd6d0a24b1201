// Mode names and the two renderings of a BenchReport: a table for people, JSON for scripts.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "loadgen/bench.h"

namespace cairn::loadgen {
namespace {

constexpr std::pair<Mode, std::string_view> kModes[] = {
    {Mode::kPut, "put"},       {Mode::kGet, "get"},   {Mode::kStat, "stat"},
    {Mode::kDelete, "delete"}, {Mode::kList, "list"}, {Mode::kMultipart, "multipart"},
    {Mode::kMixed, "mixed"},
};

std::string Latency(double us) {
  if (us >= 1e6) {
    return fmt::format("{:.2f}s", us / 1e6);
  }
  if (us >= 1e3) {
    return fmt::format("{:.2f}ms", us / 1e3);
  }
  return fmt::format("{:.0f}us", us);
}

std::string Row(const OpReport& r) {
  return fmt::format("{:<16} {:>10} {:>11.1f} {:>10.1f} {:>9} {:>9} {:>9} {:>9} {:>7}\n", r.name,
                     r.ops, r.ops_per_s, r.mib_per_s, Latency(r.p50_us), Latency(r.p90_us),
                     Latency(r.p99_us), Latency(r.max_us), r.errors);
}

nlohmann::json OpJson(const OpReport& r) {
  nlohmann::json j;
  j["name"] = r.name;
  j["ops"] = r.ops;
  j["bytes"] = r.bytes;
  j["errors"] = r.errors;
  j["error_kinds"] = r.error_kinds;
  if (!r.first_error.empty()) {
    j["first_error"] = r.first_error;
  }
  j["ops_per_s"] = r.ops_per_s;
  j["mib_per_s"] = r.mib_per_s;
  j["latency_us"] = {{"mean", r.mean_us},
                     {"p50", r.p50_us},
                     {"p90", r.p90_us},
                     {"p99", r.p99_us},
                     {"max", r.max_us}};
  return j;
}

}  // namespace

Result<Mode> ParseMode(std::string_view name) {
  for (const auto& [mode, text] : kModes) {
    if (text == name) {
      return mode;
    }
  }
  return Status(
      Errc::kInvalidArgument,
      fmt::format("unknown mode '{}' (put, get, stat, delete, list, multipart, mixed)", name));
}

std::string_view ModeName(Mode mode) {
  for (const auto& [m, text] : kModes) {
    if (m == mode) {
      return text;
    }
  }
  return "?";
}

std::string FormatTable(const BenchReport& r) {
  std::string out = fmt::format(
      "cairn bench {}: {} {} bucket {}, {} objects of {}, {} clients on {} thread(s){}\n", r.mode,
      r.target, r.endpoint, r.bucket, r.objects, FormatSize(r.obj_size), r.concurrent, r.threads,
      r.sse.empty() || r.sse == "none" ? "" : ", SSE " + r.sse);
  out += fmt::format("measured {:.2f}s (stopped by {}), prepare {:.2f}s, cleanup {:.2f}s\n\n",
                     r.elapsed_s, r.stop_reason, r.prepare_s, r.cleanup_s);
  out += fmt::format("{:<16} {:>10} {:>11} {:>10} {:>9} {:>9} {:>9} {:>9} {:>7}\n", "operation",
                     "ops", "ops/s", "MiB/s", "p50", "p90", "p99", "max", "errors");
  for (const OpReport& op : r.ops) {
    out += Row(op);
  }
  if (r.ops.size() > 1) {
    out += Row(r.total);
  }
  out += "\n";
  for (const OpReport& op : r.ops) {
    if (op.errors > 0) {
      std::string kinds;
      for (const auto& [kind, n] : op.error_kinds) {
        kinds += fmt::format("{}{} x{}", kinds.empty() ? "" : ", ", kind, n);
      }
      out += fmt::format("{} errors: {}; first: {}\n", op.name, kinds, op.first_error);
    }
  }
  out +=
      fmt::format("client CPU {:.2f}s ({:.0f}% of one core), {} new connections\n", r.client_cpu_s,
                  r.elapsed_s > 0 ? 100 * r.client_cpu_s / r.elapsed_s : 0, r.connects);
  if (r.server_cpu_s >= 0) {
    out += fmt::format("server CPU {:.2f}s ({:.0f}% of one core), {:.1f} us per operation\n",
                       r.server_cpu_s, r.elapsed_s > 0 ? 100 * r.server_cpu_s / r.elapsed_s : 0,
                       r.server_cpu_us_per_op);
  }
  for (const std::string& note : r.notes) {
    out += "note: " + note + "\n";
  }
  return out;
}

std::string FormatJson(const BenchReport& r) {
  nlohmann::json j;
  j["mode"] = r.mode;
  j["target"] = r.target;
  j["sse"] = r.sse;
  j["endpoint"] = r.endpoint;
  j["bucket"] = r.bucket;
  j["prefix"] = r.prefix;
  j["obj_size"] = r.obj_size;
  j["concurrent"] = r.concurrent;
  j["threads"] = r.threads;
  j["objects"] = r.objects;
  j["prepare_s"] = r.prepare_s;
  j["elapsed_s"] = r.elapsed_s;
  j["cleanup_s"] = r.cleanup_s;
  j["stop_reason"] = r.stop_reason;
  j["operations"] = nlohmann::json::array();
  for (const OpReport& op : r.ops) {
    j["operations"].push_back(OpJson(op));
  }
  j["total"] = OpJson(r.total);
  j["client_cpu_s"] = r.client_cpu_s;
  j["connects"] = r.connects;
  if (r.server_cpu_s >= 0) {
    j["server_cpu_s"] = r.server_cpu_s;
    j["server_cpu_us_per_op"] = r.server_cpu_us_per_op;
  }
  j["notes"] = r.notes;
  return j.dump(2) + "\n";
}

}  // namespace cairn::loadgen
