#include "cluster/lock/lock_server.h"

#include <algorithm>
#include <utility>

namespace cairn::lock {

namespace {

Status CheckArgs(const LockArgs& args) {
  if (args.resource.empty()) {
    return Status(Errc::kInvalidArgument, "lock call without a resource");
  }
  if (args.uid.empty()) {
    return Status(Errc::kInvalidArgument, "lock call without a uid");
  }
  return Status::Ok();
}

}  // namespace

LockServer::LockServer(LockServerOptions options, Clock clock)
    : options_(options),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

std::chrono::milliseconds LockServer::EffectiveTtl(std::chrono::milliseconds requested) const {
  if (requested <= std::chrono::milliseconds::zero()) {
    return options_.default_ttl;
  }
  return std::min(requested, options_.max_ttl);
}

void LockServer::DropExpired(std::vector<Holder>& holders,
                             std::chrono::steady_clock::time_point now) {
  std::erase_if(holders, [now](const Holder& h) { return now - h.last_refresh > h.ttl; });
}

Result<bool> LockServer::Take(const LockArgs& args, bool write) {
  RETURN_IF_ERROR(CheckArgs(args));
  const auto now = clock_();
  std::lock_guard lock(mu_);
  auto& holders = table_[args.resource];
  DropExpired(holders, now);
  auto same = std::find_if(holders.begin(), holders.end(),
                           [&](const Holder& h) { return h.uid == args.uid && h.write == write; });
  if (same != holders.end()) {
    same->last_refresh = now;  // a retried call whose first reply was lost
    return true;
  }
  const bool free =
      write ? holders.empty()
            : std::none_of(holders.begin(), holders.end(), [](const Holder& h) { return h.write; });
  if (!free) {
    return false;
  }
  holders.push_back(
      Holder{args.uid, args.owner, args.source, write, now, now, EffectiveTtl(args.ttl)});
  return true;
}

Result<bool> LockServer::Release(const LockArgs& args, bool write) {
  RETURN_IF_ERROR(CheckArgs(args));
  std::lock_guard lock(mu_);
  auto it = table_.find(args.resource);
  if (it == table_.end()) {
    return false;
  }
  const auto removed = std::erase_if(
      it->second, [&](const Holder& h) { return h.uid == args.uid && h.write == write; });
  if (it->second.empty()) {
    table_.erase(it);
  }
  return removed > 0;
}

Result<bool> LockServer::Lock(const LockArgs& args) {
  return Take(args, true);
}

Result<bool> LockServer::RLock(const LockArgs& args) {
  return Take(args, false);
}

Result<bool> LockServer::Unlock(const LockArgs& args) {
  return Release(args, true);
}

Result<bool> LockServer::RUnlock(const LockArgs& args) {
  return Release(args, false);
}

Result<bool> LockServer::Refresh(const LockArgs& args) {
  RETURN_IF_ERROR(CheckArgs(args));
  const auto now = clock_();
  std::lock_guard lock(mu_);
  auto it = table_.find(args.resource);
  if (it == table_.end()) {
    return false;
  }
  DropExpired(it->second, now);
  bool found = false;
  for (auto& h : it->second) {
    if (h.uid == args.uid) {
      h.last_refresh = now;
      found = true;
    }
  }
  if (it->second.empty()) {
    table_.erase(it);
  }
  return found;
}

Result<bool> LockServer::ForceUnlock(const LockArgs& args) {
  if (args.resource.empty()) {
    return Status(Errc::kInvalidArgument, "force unlock without a resource");
  }
  std::lock_guard lock(mu_);
  auto it = table_.find(args.resource);
  if (it == table_.end()) {
    return false;
  }
  std::size_t removed = 0;
  if (args.uid.empty()) {
    removed = it->second.size();
    it->second.clear();
  } else {
    removed = std::erase_if(it->second, [&](const Holder& h) { return h.uid == args.uid; });
  }
  if (it->second.empty()) {
    table_.erase(it);
  }
  return removed > 0;
}

Result<bool> LockServer::Call(LockOp op, const LockArgs& args) {
  switch (op) {
    case LockOp::kLock:
      return Lock(args);
    case LockOp::kRLock:
      return RLock(args);
    case LockOp::kUnlock:
      return Unlock(args);
    case LockOp::kRUnlock:
      return RUnlock(args);
    case LockOp::kRefresh:
      return Refresh(args);
    case LockOp::kForceUnlock:
      return ForceUnlock(args);
  }
  return Status(Errc::kInvalidArgument, "unknown lock operation");
}

std::size_t LockServer::ExpireOld() {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  std::size_t dropped = 0;
  for (auto it = table_.begin(); it != table_.end();) {
    const auto before = it->second.size();
    DropExpired(it->second, now);
    dropped += before - it->second.size();
    if (it->second.empty()) {
      it = table_.erase(it);
    } else {
      ++it;
    }
  }
  return dropped;
}

std::vector<LockHolderInfo> LockServer::Snapshot() const {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  std::vector<LockHolderInfo> out;
  for (const auto& [resource, holders] : table_) {
    for (const auto& h : holders) {
      if (now - h.last_refresh > h.ttl) {
        continue;
      }
      out.push_back(LockHolderInfo{resource, h.uid, h.owner, h.source, h.write, h.granted,
                                   h.last_refresh, h.ttl});
    }
  }
  return out;
}

}  // namespace cairn::lock
