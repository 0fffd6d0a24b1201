#include "heal/heal_sequence.h"

#include <algorithm>
#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

namespace cairn::heal {

using object::HealDriveState;

Task<void> HealSleep(std::chrono::nanoseconds d) {
  auto ex = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(ex);
  timer.expires_after(d);
  auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  (void)ec;
}

void CountHealResult(HealProgress& p, const HealResult& r, bool dry_run) {
  ++p.objects_scanned;
  p.bytes_scanned += static_cast<std::uint64_t>(std::max<std::int64_t>(r.size, 0));
  p.objects_dangling += r.dangling ? 1 : 0;
  const int changed = r.Count(HealDriveState::kHealed) + r.Count(HealDriveState::kPurged);
  if (changed > 0 || (dry_run && r.would_change > 0)) {
    ++p.objects_healed;
    p.bytes_healed += static_cast<std::uint64_t>(std::max<std::int64_t>(r.size, 0));
  }
  p.objects_failed += r.Count(HealDriveState::kFailed) > 0 ? 1 : 0;
}

std::string EncodeHealTracker(const HealProgress& p) {
  nlohmann::json j;
  j["id"] = p.id;
  j["drive"] = p.drive;
  j["started_ns"] = p.started_ns;
  j["objects_scanned"] = p.objects_scanned;
  j["objects_healed"] = p.objects_healed;
  j["objects_failed"] = p.objects_failed;
  j["objects_dangling"] = p.objects_dangling;
  j["bytes_scanned"] = p.bytes_scanned;
  j["bytes_healed"] = p.bytes_healed;
  j["objects_total"] = p.objects_total;
  j["last_bucket"] = p.last_bucket;
  j["last_key"] = p.last_key;
  return j.dump();
}

Result<HealProgress> DecodeHealTracker(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(Errc::kFileCorrupt, "heal tracker is not a JSON object");
  }
  HealProgress p;
  p.kind = HealSequenceKind::kDrive;
  auto str = [&](const char* name, std::string& out) {
    if (j.contains(name) && j[name].is_string()) {
      out = j[name].get<std::string>();
    }
  };
  auto num = [&](const char* name, auto& out) {
    if (j.contains(name) && j[name].is_number_integer()) {
      out = j[name].get<std::remove_reference_t<decltype(out)>>();
    }
  };
  str("id", p.id);
  str("drive", p.drive);
  str("last_bucket", p.last_bucket);
  str("last_key", p.last_key);
  num("started_ns", p.started_ns);
  num("objects_scanned", p.objects_scanned);
  num("objects_healed", p.objects_healed);
  num("objects_failed", p.objects_failed);
  num("objects_dangling", p.objects_dangling);
  num("bytes_scanned", p.bytes_scanned);
  num("bytes_healed", p.bytes_healed);
  num("objects_total", p.objects_total);
  return p;
}

}  // namespace cairn::heal
