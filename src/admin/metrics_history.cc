#include "admin/metrics_history.h"

#include <algorithm>
#include <map>

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

std::uint64_t Delta(std::uint64_t now, std::uint64_t before) {
  return now >= before ? now - before : now;
}

Json OrNull(std::optional<double> v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace

std::optional<double> Quantile(const std::vector<std::uint64_t>& counts,
                               const std::vector<double>& upper_bounds, double q) {
  std::uint64_t total = 0;
  for (const std::uint64_t c : counts) {
    total += c;
  }
  if (total == 0 || counts.size() != upper_bounds.size()) {
    return std::nullopt;
  }
  const double rank = q * static_cast<double>(total);
  double seen = 0;
  for (std::size_t b = 0; b < counts.size(); ++b) {
    const double lower = b == 0 ? 0.0 : upper_bounds[b - 1];
    if (counts[b] > 0 && seen + static_cast<double>(counts[b]) >= rank) {
      if (b + 1 == counts.size()) {
        return lower;  // the unbounded bucket: no upper end to interpolate to
      }
      const double within = (rank - seen) / static_cast<double>(counts[b]);
      return lower + within * (upper_bounds[b] - lower);
    }
    seen += static_cast<double>(counts[b]);
  }
  return upper_bounds.size() >= 2 ? upper_bounds[upper_bounds.size() - 2] : 0.0;
}

void MetricsHistory::Add(MetricsReading r) {
  std::lock_guard lock(mu_);
  if (!last_) {
    last_ = std::move(r);
    return;
  }
  const MetricsReading& b = *last_;
  const double seconds = std::max(0.001, static_cast<double>(r.time_ms - b.time_ms) / 1000.0);
  std::map<std::string, std::uint64_t> before(b.requests.begin(), b.requests.end());
  Json api = Json::object();
  std::uint64_t requests = 0;
  for (const auto& [label, n] : r.requests) {
    const auto it = before.find(label);
    const std::uint64_t d = Delta(n, it == before.end() ? 0 : it->second);
    if (d > 0) {
      api[label] = static_cast<double>(d) / seconds;
      requests += d;
    }
  }
  std::vector<std::uint64_t> latency(r.latency.size());
  for (std::size_t i = 0; i < latency.size(); ++i) {
    latency[i] = Delta(r.latency[i], i < b.latency.size() ? b.latency[i] : 0);
  }
  Json p = {
      {"t", r.time_ms},
      {"seconds", seconds},
      {"rps", static_cast<double>(requests) / seconds},
      {"api", std::move(api)},
      {"errors4xx", static_cast<double>(Delta(r.errors_4xx, b.errors_4xx)) / seconds},
      {"errors5xx", static_cast<double>(Delta(r.errors_5xx, b.errors_5xx)) / seconds},
      {"rxBps", static_cast<double>(Delta(r.received, b.received)) / seconds},
      {"txBps", static_cast<double>(Delta(r.sent, b.sent)) / seconds},
      {"p50Ms", OrNull(Quantile(latency, r.latency_bounds_ms, 0.50))},
      {"p90Ms", OrNull(Quantile(latency, r.latency_bounds_ms, 0.90))},
      {"p99Ms", OrNull(Quantile(latency, r.latency_bounds_ms, 0.99))},
      {"capacityTotal", r.capacity_total},
      {"capacityUsed", r.capacity_total - std::min(r.capacity_total, r.capacity_free)},
      {"drivesOnline", r.drives_online},
      {"drivesTotal", r.drives_total},
      {"healedObjects", Delta(r.objects_healed, b.objects_healed)},
      {"mrfHealed", Delta(r.mrf_healed, b.mrf_healed)},
      {"mrfQueued", r.mrf_queued},
  };
  points_.push_back(std::move(p));
  while (points_.size() > capacity_) {
    points_.pop_front();
  }
  last_ = std::move(r);
}

nlohmann::json MetricsHistory::ToJson() const {
  std::lock_guard lock(mu_);
  Json points = Json::array();
  for (const Json& p : points_) {
    points.push_back(p);
  }
  return Json{{"intervalSeconds", interval_seconds_}, {"points", std::move(points)}};
}

}  // namespace cairn::admin
