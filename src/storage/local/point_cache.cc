#include "storage/local/point_cache.h"

#include <functional>

namespace cairn::storage::internal {

PointCache::PointCache(std::size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

PointCache::Shard& PointCache::ShardOf(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

void PointCache::EraseLocked(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->key.size() + it->value->size() + kEntryOverhead;
  s.index.erase(std::string_view(it->key));
  s.lru.erase(it);
}

PointCache::Value PointCache::Find(std::string_view key) {
  if (!enabled()) {
    return nullptr;
  }
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) {
    return nullptr;
  }
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->value;
}

std::uint64_t PointCache::Generation(std::string_view key) {
  if (!enabled()) {
    return 0;
  }
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  return s.generation;
}

void PointCache::Insert(std::string_view key, std::string_view value, std::uint64_t generation) {
  const std::size_t cost = key.size() + value.size() + kEntryOverhead;
  if (!enabled() || cost > shard_capacity_ / 8) {
    return;
  }
  auto v = std::make_shared<const std::string>(value);  // copied outside the lock
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  if (s.generation != generation) {
    return;  // written since the value was read: it may be stale
  }
  if (auto it = s.index.find(key); it != s.index.end()) {
    EraseLocked(s, it->second);
  }
  s.lru.push_front(Entry{std::string(key), std::move(v)});
  s.index.emplace(std::string_view(s.lru.front().key), s.lru.begin());
  s.bytes += cost;
  while (s.bytes > shard_capacity_ && !s.lru.empty()) {
    EraseLocked(s, std::prev(s.lru.end()));
  }
}

void PointCache::Invalidate(std::string_view key) {
  if (!enabled()) {
    return;
  }
  Shard& s = ShardOf(key);
  std::lock_guard lock(s.mu);
  ++s.generation;
  if (auto it = s.index.find(key); it != s.index.end()) {
    EraseLocked(s, it->second);
  }
}

void PointCache::InvalidateAll() {
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    ++s.generation;
    s.index.clear();
    s.lru.clear();
    s.bytes = 0;
  }
}

}  // namespace cairn::storage::internal
