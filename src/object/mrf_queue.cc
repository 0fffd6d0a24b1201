#include "object/mrf_queue.h"

#include <utility>

namespace cairn::object {

std::string MrfQueue::Id(const ErasureSet* set, std::string_view bucket, std::string_view key,
                         std::string_view version_id) {
  std::string id = std::to_string(reinterpret_cast<std::uintptr_t>(set));
  id.push_back('\0');
  id.append(bucket).push_back('\0');
  id.append(key).push_back('\0');
  id.append(version_id);
  return id;
}

bool MrfQueue::Push(ErasureSet* set, std::string_view bucket, std::string_view key,
                    std::string_view version_id, bool deep) {
  std::string id = Id(set, bucket, key, version_id);
  std::lock_guard lock(mu_);
  if (ids_.contains(id)) {
    if (deep) {
      for (auto& e : entries_) {
        if (e.set == set && e.bucket == bucket && e.key == key && e.version_id == version_id) {
          e.deep = true;
        }
      }
    }
    return false;
  }
  if (entries_.size() >= capacity_) {
    ++stats_.dropped;
    return false;
  }
  Entry e;
  e.set = set;
  e.bucket = std::string(bucket);
  e.key = std::string(key);
  e.version_id = std::string(version_id);
  e.deep = deep;
  e.due = Clock::now();
  entries_.push_back(std::move(e));
  ids_.insert(std::move(id));
  ++stats_.pushed;
  return true;
}

std::vector<MrfQueue::Entry> MrfQueue::TakeDue(Clock::time_point now, std::size_t max) {
  std::vector<Entry> out;
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end() && out.size() < max;) {
    if (it->due > now) {
      ++it;
      continue;
    }
    ids_.erase(Id(it->set, it->bucket, it->key, it->version_id));
    out.push_back(std::move(*it));
    it = entries_.erase(it);
  }
  return out;
}

void MrfQueue::Requeue(Entry e) {
  std::string id = Id(e.set, e.bucket, e.key, e.version_id);
  std::lock_guard lock(mu_);
  if (ids_.contains(id) || entries_.size() >= capacity_) {
    stats_.dropped += ids_.contains(id) ? 0 : 1;
    return;
  }
  entries_.push_back(std::move(e));
  ids_.insert(std::move(id));
}

void MrfQueue::Finish(bool healed) {
  std::lock_guard lock(mu_);
  ++(healed ? stats_.healed : stats_.failed);
}

void MrfQueue::WakeWaiting() {
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  for (auto& e : entries_) {
    if (e.waits_for_drive) {
      e.due = now;
    }
  }
}

MrfQueue::Stats MrfQueue::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.queued = entries_.size();
  return s;
}

}  // namespace cairn::object
