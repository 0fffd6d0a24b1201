#include "admin/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "admin/admin_json.h"

namespace cairn::admin {
namespace {

void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// Integers print without an exponent (Prometheus parses both; people read this one).
std::string FormatValue(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return fmt::format("{}", static_cast<std::int64_t>(v));
  }
  return fmt::format("{}", v);
}

constexpr heal::DriveState kDriveStates[] = {heal::DriveState::kOk, heal::DriveState::kOffline,
                                             heal::DriveState::kHealing, heal::DriveState::kFaulty};

// A drive counts as online while it answers: ok or healing.
bool Online(const heal::DriveStatus& d) {
  return d.state == heal::DriveState::kOk || d.state == heal::DriveState::kHealing;
}

void ClusterDrives(PrometheusWriter& w, const MetricsSnapshot& snap) {
  const auto online = std::count_if(snap.drives.begin(), snap.drives.end(), Online);
  const auto total = static_cast<std::int64_t>(snap.drives.size());
  w.Family("minio_cluster_drive_online_total", "gauge", "Total drives online in this cluster");
  w.Sample("minio_cluster_drive_online_total", static_cast<double>(online));
  w.Family("minio_cluster_drive_offline_total", "gauge", "Total drives offline in this cluster");
  w.Sample("minio_cluster_drive_offline_total", static_cast<double>(total - online));
  w.Family("minio_cluster_drive_total", "gauge", "Total drives in this cluster");
  w.Sample("minio_cluster_drive_total", static_cast<double>(total));
  w.Family("cairn_cluster_drives", "gauge", "Drives in this cluster by state");
  for (heal::DriveState s : kDriveStates) {
    const auto n = std::count_if(snap.drives.begin(), snap.drives.end(),
                                 [s](const heal::DriveStatus& d) { return d.state == s; });
    w.Sample("cairn_cluster_drives", {{"state", DriveStateName(s)}}, static_cast<double>(n));
  }
  std::uint64_t raw_total = 0;
  std::uint64_t raw_free = 0;
  for (const auto& d : snap.drives) {
    raw_total += d.total;
    raw_free += d.free;
  }
  w.Family("minio_cluster_capacity_raw_total_bytes", "gauge",
           "Total capacity online in the cluster");
  w.Sample("minio_cluster_capacity_raw_total_bytes", static_cast<double>(raw_total));
  w.Family("minio_cluster_capacity_raw_free_bytes", "gauge",
           "Total free capacity online in the cluster");
  w.Sample("minio_cluster_capacity_raw_free_bytes", static_cast<double>(raw_free));
}

void NodeDrives(PrometheusWriter& w, const MetricsSnapshot& snap) {
  w.Family("cairn_drive_state", "gauge", "1 for the state each drive is in");
  for (const auto& d : snap.drives) {
    const std::string pool = std::to_string(d.pool);
    const std::string set = std::to_string(d.set);
    for (heal::DriveState s : kDriveStates) {
      w.Sample("cairn_drive_state",
               {{"drive", d.endpoint}, {"pool", pool}, {"set", set}, {"state", DriveStateName(s)}},
               d.state == s ? 1 : 0);
    }
  }
  w.Family("minio_node_drive_total_bytes", "gauge", "Total storage on a drive");
  for (const auto& d : snap.drives) {
    w.Sample("minio_node_drive_total_bytes", {{"drive", d.endpoint}}, static_cast<double>(d.total));
  }
  w.Family("minio_node_drive_free_bytes", "gauge", "Total storage available on a drive");
  for (const auto& d : snap.drives) {
    w.Sample("minio_node_drive_free_bytes", {{"drive", d.endpoint}}, static_cast<double>(d.free));
  }
  w.Family("minio_node_drive_used_bytes", "gauge", "Total storage used on a drive");
  for (const auto& d : snap.drives) {
    const std::uint64_t used = d.total > d.free ? d.total - d.free : 0;
    w.Sample("minio_node_drive_used_bytes", {{"drive", d.endpoint}}, static_cast<double>(used));
  }
}

void Process(PrometheusWriter& w, const MetricsSnapshot& snap) {
  w.Family("minio_node_process_uptime_seconds", "gauge", "Uptime for the cairn process");
  w.Sample("minio_node_process_uptime_seconds", snap.uptime_seconds);
  if (snap.resident_bytes > 0) {
    w.Family("minio_node_process_resident_memory_bytes", "gauge", "Resident memory size in bytes");
    w.Sample("minio_node_process_resident_memory_bytes", static_cast<double>(snap.resident_bytes));
  }
}

void Heal(PrometheusWriter& w, const MetricsSnapshot& snap) {
  const heal::HealCounters& c = snap.counters;
  const std::pair<std::string_view, std::string_view> object_type = {"type", "object"};
  w.Family("minio_heal_objects_total", "counter", "Objects scanned by heal sequences");
  w.Sample("minio_heal_objects_total", {object_type}, static_cast<double>(c.objects_scanned));
  w.Family("minio_heal_objects_heal_total", "counter", "Objects healed");
  w.Sample("minio_heal_objects_heal_total", {object_type}, static_cast<double>(c.objects_healed));
  w.Family("minio_heal_objects_errors_heal_total", "counter", "Objects whose healing failed");
  w.Sample("minio_heal_objects_errors_heal_total", {object_type},
           static_cast<double>(c.objects_failed));
  w.Family("cairn_heal_bytes_healed_total", "counter", "Object bytes healed");
  w.Sample("cairn_heal_bytes_healed_total", static_cast<double>(c.bytes_healed));
  w.Family("cairn_scanner_cycles_total", "counter", "Complete background scanner passes");
  w.Sample("cairn_scanner_cycles_total", static_cast<double>(c.scanner_cycles));
  w.Family("cairn_scanner_orphans_removed_total", "counter",
           "Unreferenced data folders and stale tmp entries the scanner removed from drives");
  w.Sample("cairn_scanner_orphans_removed_total", static_cast<double>(c.orphans_removed));
  w.Family("cairn_scanner_orphan_bytes_removed_total", "counter",
           "Bytes of the unreferenced data the scanner removed");
  w.Sample("cairn_scanner_orphan_bytes_removed_total", static_cast<double>(c.orphan_bytes_removed));
  w.Family("cairn_lifecycle_expired_objects_total", "counter",
           "Current object versions lifecycle Expiration deleted (or covered by a delete marker)");
  w.Sample("cairn_lifecycle_expired_objects_total",
           static_cast<double>(c.lifecycle_expired_objects));
  w.Family("cairn_lifecycle_expired_versions_total", "counter",
           "Noncurrent versions lifecycle NoncurrentVersionExpiration removed");
  w.Sample("cairn_lifecycle_expired_versions_total",
           static_cast<double>(c.lifecycle_expired_versions));
  w.Family("cairn_lifecycle_expired_delete_markers_total", "counter",
           "Expired object delete markers lifecycle removed");
  w.Sample("cairn_lifecycle_expired_delete_markers_total",
           static_cast<double>(c.lifecycle_expired_delete_markers));
  w.Family("cairn_lifecycle_uploads_aborted_total", "counter",
           "Incomplete multipart uploads lifecycle AbortIncompleteMultipartUpload aborted");
  w.Sample("cairn_lifecycle_uploads_aborted_total",
           static_cast<double>(c.lifecycle_uploads_aborted));
  w.Family("cairn_mrf_pushed_total", "counter", "Objects queued for healing after a partial write");
  w.Sample("cairn_mrf_pushed_total", static_cast<double>(c.mrf_pushed));
  w.Family("cairn_mrf_dropped_total", "counter", "MRF entries dropped (queue full)");
  w.Sample("cairn_mrf_dropped_total", static_cast<double>(c.mrf_dropped));
  w.Family("cairn_mrf_healed_total", "counter", "MRF entries healed");
  w.Sample("cairn_mrf_healed_total", static_cast<double>(c.mrf_healed));
  w.Family("cairn_mrf_failed_total", "counter", "MRF entries that failed to heal");
  w.Sample("cairn_mrf_failed_total", static_cast<double>(c.mrf_failed));
  w.Family("cairn_mrf_queued", "gauge", "MRF entries waiting now");
  w.Sample("cairn_mrf_queued", static_cast<double>(c.mrf_queued));

  // Time since the last heal activity: 0 while a sequence runs; left out when none ran.
  std::int64_t last = 0;
  for (const auto& s : snap.sequences) {
    last = std::max(last, s.state == heal::HealSequenceState::kRunning ? snap.now_ns : s.ended_ns);
  }
  if (last > 0) {
    w.Family("minio_heal_time_last_activity_nano_seconds", "gauge",
             "Time elapsed (in nano seconds) since the last heal activity");
    w.Sample("minio_heal_time_last_activity_nano_seconds",
             static_cast<double>(std::max<std::int64_t>(0, snap.now_ns - last)));
  }
}

void Sequences(PrometheusWriter& w, const MetricsSnapshot& snap) {
  w.Family("cairn_heal_sequences", "gauge", "Heal sequences known to this node by kind and state");
  for (auto kind : {heal::HealSequenceKind::kAdmin, heal::HealSequenceKind::kDrive,
                    heal::HealSequenceKind::kScanner}) {
    for (auto state : {heal::HealSequenceState::kRunning, heal::HealSequenceState::kDone,
                       heal::HealSequenceState::kFailed, heal::HealSequenceState::kStopped}) {
      const auto n = std::count_if(
          snap.sequences.begin(), snap.sequences.end(),
          [&](const heal::HealProgress& p) { return p.kind == kind && p.state == state; });
      w.Sample("cairn_heal_sequences", {{"kind", KindName(kind)}, {"state", StateName(state)}},
               static_cast<double>(n));
    }
  }
}

}  // namespace

void PrometheusWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusWriter::Sample(
    std::string_view name,
    std::initializer_list<std::pair<std::string_view, std::string_view>> labels, double value) {
  out_ += name;
  if (labels.size() > 0) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) {
        out_ += ',';
      }
      first = false;
      out_ += k;
      out_ += "=\"";
      AppendEscaped(out_, v);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += FormatValue(value);
  out_ += '\n';
}

std::string RenderMetrics(MetricsScope scope, const MetricsSnapshot& snap) {
  std::string out;
  PrometheusWriter w(out);
  if (scope == MetricsScope::kCluster) {
    ClusterDrives(w, snap);
    Heal(w, snap);
    Sequences(w, snap);
  } else {
    NodeDrives(w, snap);
    Process(w, snap);
    Heal(w, snap);
  }
  return out;
}

std::uint64_t ResidentMemoryBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  if (!(statm >> size >> resident)) {
    return 0;
  }
  const long page = sysconf(_SC_PAGESIZE);
  return resident * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

}  // namespace cairn::admin
