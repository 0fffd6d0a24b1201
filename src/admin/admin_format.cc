#include "admin/admin_format.h"

#include <fmt/format.h>

#include "common/text.h"

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

std::uint64_t Count(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::uint64_t>() : 0;
}

double Number(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string Text(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

constexpr double kMiB = 1024.0 * 1024.0;

}  // namespace

std::string ProgressLine(const Json& seq) {
  std::string left = "?";
  auto it = seq.find("secondsLeft");
  if (it != seq.end() && it->is_number()) {
    left = fmt::format("{:.0f}", it->get<double>());
  }
  return fmt::format(
      "heal {} {}: {} scanned, {} healed, {} failed, {:.1f} MiB healed, {:.1f} obj/s, {} s left",
      Text(seq, "id"), Text(seq, "state"), Count(seq, "objectsScanned"),
      Count(seq, "objectsHealed"), Count(seq, "objectsFailed"),
      static_cast<double>(Count(seq, "bytesHealed")) / kMiB, Number(seq, "objectsPerSecond"), left);
}

std::string SummaryLine(const Json& seq) {
  std::string line = fmt::format(
      "heal {} {}: {} scanned, {} healed, {} failed, {} dangling, {:.1f} MiB healed in {:.1f} s",
      Text(seq, "id"), Text(seq, "state"), Count(seq, "objectsScanned"),
      Count(seq, "objectsHealed"), Count(seq, "objectsFailed"), Count(seq, "objectsDangling"),
      static_cast<double>(Count(seq, "bytesHealed")) / kMiB, Number(seq, "elapsedSeconds"));
  const std::string error = Text(seq, "error");
  if (!error.empty()) {
    line += ": " + error;
  }
  return line;
}

int HealExitCode(const Json& seq) {
  return Text(seq, "state") == "done" && Count(seq, "objectsFailed") == 0 ? 0 : 1;
}

std::string HumanBytes(double bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) {
    return fmt::format("{:.0f} B", bytes);
  }
  int unit = -1;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string InfoText(const Json& info) {
  std::string out =
      fmt::format("deployment {}  version {}  region {}  up {:.0f} s\n", Text(info, "deploymentId"),
                  Text(info, "version"), Text(info, "region"), Number(info, "uptimeSeconds"));
  out += fmt::format("{:<40} {:>4} {:>4} {:>5}  {:<8} {}\n", "DRIVE", "POOL", "SET", "INDEX",
                     "STATE", "USED/TOTAL");
  const Json drives = info.value("drives", Json::array());
  for (const Json& d : drives) {
    const double total = static_cast<double>(Count(d, "total"));
    const double used = total - static_cast<double>(Count(d, "free"));
    out += fmt::format("{:<40} {:>4} {:>4} {:>5}  {:<8} {} / {}\n", Text(d, "endpoint"),
                       Count(d, "pool"), Count(d, "set"), Count(d, "index"), Text(d, "state"),
                       HumanBytes(used > 0 ? used : 0), HumanBytes(total));
  }
  const Json sequences = info.value("sequences", Json::array());
  out += sequences.empty() ? "no heal sequence running\n" : "running heal sequences:\n";
  for (const Json& s : sequences) {
    out += ProgressLine(s) + "\n";
  }
  return out;
}

std::string KmsStatusText(const Json& status) {
  return fmt::format("KMS: {}\ndefault key: {}\n", Text(status, "name"),
                     Text(status, "default-key-id"));
}

std::string KmsKeysText(const Json& keys) {
  if (!keys.is_array() || keys.empty()) {
    return "no keys\n";
  }
  std::string out = fmt::format("{:<40} {:<9} {}\n", "KEY", "STATE", "CREATED");
  for (const Json& k : keys) {
    const bool is_default = k.value("default", false);
    out += fmt::format(
        "{:<40} {:<9} {}{}\n", Text(k, "name"), k.value("enabled", true) ? "enabled" : "disabled",
        Text(k, "createdAt"),
        is_default ? (Text(k, "createdAt").empty() ? "(default key)" : "  (default key)") : "");
  }
  return out;
}

std::string KmsKeyStatusText(const Json& status) {
  auto result = [&](const char* key) {
    const std::string error = Text(status, key);
    return error.empty() ? std::string("ok") : "failed: " + error;
  };
  return fmt::format("key: {}{}\nstate: {}\nencryption: {}\ndecryption: {}\n",
                     Text(status, "key-id"), status.value("default", false) ? " (default key)" : "",
                     status.value("enabled", true) ? "enabled" : "disabled",
                     result("encryption-error"), result("decryption-error"));
}

int KmsKeyStatusExitCode(const Json& status) {
  return Text(status, "encryption-error").empty() && Text(status, "decryption-error").empty() ? 0
                                                                                              : 1;
}

std::string SequencesText(const Json& sequences) {
  if (!sequences.is_array() || sequences.empty()) {
    return "no heal sequences\n";
  }
  std::string out;
  for (const Json& s : sequences) {
    out += (Text(s, "state") == "running" ? ProgressLine(s) : SummaryLine(s)) + "\n";
  }
  return out;
}

std::string HealStartQuery(std::string_view target, bool deep, bool remove, bool dry_run) {
  while (!target.empty() && target.front() == '/') {
    target.remove_prefix(1);
  }
  std::string_view bucket = target;
  std::string_view prefix;
  if (std::size_t slash = target.find('/'); slash != std::string_view::npos) {
    bucket = target.substr(0, slash);
    prefix = target.substr(slash + 1);
  }
  std::string q;
  auto add = [&q](std::string_view kv) {
    q += q.empty() ? "" : "&";
    q += kv;
  };
  if (!bucket.empty()) {
    add("bucket=" + UriEncode(bucket, false));
  }
  if (!prefix.empty()) {
    add("prefix=" + UriEncode(prefix, false));
  }
  if (deep) {
    add("deep=true");
  }
  if (remove) {
    add("remove=true");
  }
  if (dry_run) {
    add("dry-run=true");
  }
  return q;
}

}  // namespace cairn::admin
