#include "admin/admin_json.h"

#include <ctime>

#include <fmt/format.h>

namespace cairn::admin {

std::string_view KindName(heal::HealSequenceKind kind) {
  switch (kind) {
    case heal::HealSequenceKind::kAdmin:
      return "admin";
    case heal::HealSequenceKind::kDrive:
      return "drive";
    case heal::HealSequenceKind::kScanner:
      return "scanner";
  }
  return "admin";
}

std::string_view StateName(heal::HealSequenceState state) {
  switch (state) {
    case heal::HealSequenceState::kRunning:
      return "running";
    case heal::HealSequenceState::kDone:
      return "done";
    case heal::HealSequenceState::kFailed:
      return "failed";
    case heal::HealSequenceState::kStopped:
      return "stopped";
  }
  return "failed";
}

std::string_view DriveStateName(heal::DriveState state) {
  switch (state) {
    case heal::DriveState::kOk:
      return "ok";
    case heal::DriveState::kOffline:
      return "offline";
    case heal::DriveState::kHealing:
      return "healing";
    case heal::DriveState::kFaulty:
      return "faulty";
  }
  return "faulty";
}

std::string FormatRfc3339(std::int64_t ns_since_epoch) {
  if (ns_since_epoch <= 0) {
    return "";
  }
  const std::time_t seconds = static_cast<std::time_t>(ns_since_epoch / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

nlohmann::json SequenceJson(const heal::HealProgress& p, std::int64_t now_ns) {
  const bool running = p.state == heal::HealSequenceState::kRunning;
  const std::int64_t end_ns = running || p.ended_ns == 0 ? now_ns : p.ended_ns;
  const double elapsed = p.started_ns > 0 && end_ns > p.started_ns
                             ? static_cast<double>(end_ns - p.started_ns) / 1e9
                             : 0.0;
  const double rate = elapsed > 0 ? static_cast<double>(p.objects_scanned) / elapsed : 0.0;
  nlohmann::json seconds_left = nullptr;
  if (!running) {
    seconds_left = 0.0;
  } else if (p.objects_total > 0 && rate > 0) {
    const std::uint64_t left =
        p.objects_total > p.objects_scanned ? p.objects_total - p.objects_scanned : 0;
    seconds_left = static_cast<double>(left) / rate;
  }
  return {
      {"id", p.id},
      {"kind", KindName(p.kind)},
      {"state", StateName(p.state)},
      {"bucket", p.scope.bucket},
      {"prefix", p.scope.prefix},
      {"drive", p.drive},
      {"deep", p.options.deep_scan},
      {"remove", p.options.remove_dangling},
      {"dryRun", p.options.dry_run},
      {"startedAt", FormatRfc3339(p.started_ns)},
      {"endedAt", running ? std::string() : FormatRfc3339(p.ended_ns)},
      {"objectsScanned", p.objects_scanned},
      {"objectsHealed", p.objects_healed},
      {"objectsFailed", p.objects_failed},
      {"objectsDangling", p.objects_dangling},
      {"bytesScanned", p.bytes_scanned},
      {"bytesHealed", p.bytes_healed},
      {"objectsTotal", p.objects_total},
      {"lastBucket", p.last_bucket},
      {"lastKey", p.last_key},
      {"error", p.error},
      {"elapsedSeconds", elapsed},
      {"objectsPerSecond", rate},
      {"secondsLeft", seconds_left},
  };
}

nlohmann::json DriveJson(const heal::DriveStatus& d) {
  return {
      {"endpoint", d.endpoint},
      {"pool", d.pool},
      {"set", d.set},
      {"index", d.index},
      {"state", DriveStateName(d.state)},
      {"total", d.total},
      {"free", d.free},
      {"healId", d.heal_id},
      {"parity", d.parity},
  };
}

nlohmann::json CountersJson(const heal::HealCounters& c) {
  return {
      {"mrfPushed", c.mrf_pushed},
      {"mrfDropped", c.mrf_dropped},
      {"mrfHealed", c.mrf_healed},
      {"mrfFailed", c.mrf_failed},
      {"mrfQueued", c.mrf_queued},
      {"scannerCycles", c.scanner_cycles},
      {"objectsScanned", c.objects_scanned},
      {"objectsHealed", c.objects_healed},
      {"objectsFailed", c.objects_failed},
      {"bytesHealed", c.bytes_healed},
      {"orphansRemoved", c.orphans_removed},
      {"orphanBytesRemoved", c.orphan_bytes_removed},
      {"lifecycleExpiredObjects", c.lifecycle_expired_objects},
      {"lifecycleExpiredVersions", c.lifecycle_expired_versions},
      {"lifecycleExpiredDeleteMarkers", c.lifecycle_expired_delete_markers},
      {"lifecycleUploadsAborted", c.lifecycle_uploads_aborted},
  };
}

nlohmann::json DataUsageJson(const heal::DataUsage& u) {
  nlohmann::json buckets = nlohmann::json::object();
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  for (const auto& [name, b] : u.buckets) {
    buckets[name] = {{"size", b.bytes}, {"objectsCount", b.objects}};
    objects += b.objects;
    bytes += b.bytes;
  }
  return {
      {"lastUpdate", u.updated_ns > 0 ? nlohmann::json(FormatRfc3339(u.updated_ns)) : nullptr},
      {"objectsCount", objects},
      {"objectsTotalSize", bytes},
      {"bucketsCount", u.buckets.size()},
      {"bucketsUsageInfo", std::move(buckets)},
  };
}

}  // namespace cairn::admin
