// HealQueue: where the object layer reports an object that a write or a read found missing,
// stale or corrupt on some drive of its set, for healing in the background. The erasure set
// sees only this narrow interface; the heal module's MRF queue implements it and its worker
// heals what is queued (heal/mrf_queue.h, heal/mrf_worker.h).
#pragma once

#include <string_view>

namespace cairn::object {

class ErasureSet;

class HealQueue {
 public:
  virtual ~HealQueue() = default;

  // Queues set/bucket/key/version (empty version_id = the null version) for healing; `deep`
  // asks for a heal that also verifies every shard's bitrot hash (a read met a corrupt
  // shard). False when it was queued already or the queue is full (then it is dropped: the
  // scanner finds it). Never blocks on I/O; any thread.
  virtual bool Push(ErasureSet* set, std::string_view bucket, std::string_view key,
                    std::string_view version_id, bool deep) = 0;
};

}  // namespace cairn::object
