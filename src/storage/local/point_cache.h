// PointCache: the latest encoded object entries of one drive, by RocksDB key, for the point
// reads of GET and HEAD. Internal to NamespaceStore. A hit costs a hash lookup instead of a
// search of a 64 MiB memtable skip list and a copy of the entry out of it.
//
// Consistency: every write of an entry invalidates its key after the RocksDB write and
// before the write is acknowledged. A reader that missed takes the shard's generation
// before its RocksDB read and inserts what it read only if no invalidation of that shard
// happened since; so a value read before a write can never be inserted after the write's
// invalidation, and a read that starts after an acknowledged write never sees older data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cairn::storage::internal {

class PointCache {
 public:
  using Value = std::shared_ptr<const std::string>;

  // At most `capacity_bytes` of keys and values (0: the cache is off).
  explicit PointCache(std::size_t capacity_bytes);

  bool enabled() const { return shard_capacity_ > 0; }

  // The cached value of `key`, or null.
  Value Find(std::string_view key);
  // Take before reading the store; pass to Insert.
  std::uint64_t Generation(std::string_view key);
  // Caches `value` for `key` unless the key's shard was invalidated since `generation` or
  // the entry is too large for it.
  void Insert(std::string_view key, std::string_view value, std::uint64_t generation);
  void Invalidate(std::string_view key);
  void InvalidateAll();

 private:
  struct Entry {
    std::string key;
    Value value;
  };

  struct Shard {
    std::mutex mu;
    std::uint64_t generation = 0;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // keys in lru
    std::size_t bytes = 0;
  };

  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kEntryOverhead = 96;

  Shard& ShardOf(std::string_view key);
  static void EraseLocked(Shard& s, std::list<Entry>::iterator it);

  const std::size_t shard_capacity_;
  Shard shards_[kShards];
};

}  // namespace cairn::storage::internal
