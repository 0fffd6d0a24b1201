// MrfQueue: the reactive heal queue ("most recent failures", as MinIO calls it). A write that
// committed on fewer than all drives of its set, or a read that met a missing, stale or
// corrupt copy, pushes the object here (the object layer sees it as an object::HealQueue);
// the MRF worker (heal/mrf_worker.h) takes due entries and heals them. Bounded: past `capacity`
// queued entries a push is dropped and counted (the scanner will find what was dropped). An object
// already queued is not queued twice. Thread-safe. The queued entries survive a restart as
// "mrf/<node id>" system records on the drives of their set (EncodeMrfRecord here; the MRF worker
// saves and loads them, mrf_record.cc).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "object/heal_queue.h"

namespace cairn::heal {

using object::ErasureSet;

class MrfQueue final : public object::HealQueue {
 public:
  using Clock = std::chrono::steady_clock;

  struct Entry {
    ErasureSet* set = nullptr;
    std::string bucket;
    std::string key;
    std::string version_id;
    int attempts = 0;         // heals that failed (bounded)
    int waits = 0;            // heals that found a drive offline (bounded, larger)
    Clock::time_point due{};  // not taken before this
    bool deep = false;        // verify shard hashes too (a read met a corrupt shard)
    bool waits_for_drive = false;
    std::vector<bool> offline;  // drives of the set that were offline at the last try
  };

  struct Stats {
    std::uint64_t pushed = 0;
    std::uint64_t dropped = 0;  // the queue was full
    std::uint64_t healed = 0;
    std::uint64_t failed = 0;  // given up after the bounded retries
    std::size_t queued = 0;
  };

  explicit MrfQueue(std::size_t capacity = 10000) : capacity_(capacity) {}

  MrfQueue(const MrfQueue&) = delete;
  MrfQueue& operator=(const MrfQueue&) = delete;

  // Queues set/bucket/key/version, due now; `deep` asks for a heal that verifies shard
  // hashes. False when it was already queued (then `deep` is added to it) or the queue is
  // full (counted as a drop). Never blocks on I/O; any thread.
  bool Push(ErasureSet* set, std::string_view bucket, std::string_view key,
            std::string_view version_id, bool deep) override;
  // Removes and returns up to `max` entries due at `now`, oldest first.
  std::vector<Entry> TakeDue(Clock::time_point now, std::size_t max);
  // Puts a taken entry back, due at e.due (dropped if the object was queued again meanwhile).
  void Requeue(Entry e);
  // A taken entry is finished: healed, or given up.
  void Finish(bool healed);
  // A drive came back online: every entry waiting for a drive is due now.
  void WakeWaiting();

  Stats stats() const;

  // Copies of the queued entries, oldest first (entries taken and not yet requeued or
  // finished are not included).
  std::vector<Entry> Snapshot() const;
  // Grows whenever the queued objects change: an entry added, one finished, one dropped.
  // (A take followed by a requeue is no change.)
  std::uint64_t generation() const;

 private:
  static std::string Id(const ErasureSet* set, std::string_view bucket, std::string_view key,
                        std::string_view version_id);

  const std::size_t capacity_;
  mutable std::mutex mu_;
  // Queued entries in push order and their ids (no duplicates). GUARDED_BY(mu_).
  std::deque<Entry> entries_;
  std::unordered_set<std::string> ids_;
  Stats stats_;                   // GUARDED_BY(mu_); stats_.queued is entries_.size() when read
  std::uint64_t generation_ = 0;  // GUARDED_BY(mu_)
};

// What a saved queue entry keeps: the object and the deep flag, not the retry state.
struct MrfRecordEntry {
  std::string bucket;
  std::string key;
  std::string version_id;
  bool deep = false;

  bool operator==(const MrfRecordEntry&) const = default;
};

// The bytes of an "mrf/<node id>" system record (docs/format.md): a sealed record, magic
// "MRFQ" version 1, whose payload is a varint count, then per entry str bucket, str key,
// str version_id, u8 flags (bit 0: deep). Entries that would take the record past
// `max_bytes` are left out (counted in `*left_out` when not null; the scanner finds them).
std::string EncodeMrfRecord(const std::vector<MrfRecordEntry>& entries, std::size_t max_bytes,
                            std::size_t* left_out = nullptr);
// kFileCorrupt when the record is damaged or of another version.
Result<std::vector<MrfRecordEntry>> DecodeMrfRecord(std::string_view bytes);

}  // namespace cairn::heal
