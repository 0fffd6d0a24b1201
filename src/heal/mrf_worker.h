// MrfWorker: the reactive heal worker. One coroutine on the heal strand takes due entries of
// the MRF queue and heals a few at a time (so healing never crowds out client traffic),
// retries what failed with a doubling delay, keeps what waits for an offline drive until the
// drive is back, and polls the drives: a drive that comes back online first gets the buckets
// it lacks, then every entry that waited for a drive is retried. The queue survives restarts
// (mrf_record.cc): the worker saves it as the system record "mrf/<node id>" on the drives of
// each set while it changes and when it stops, and queues the saved entries again when it
// starts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/request_context.h"
#include "common/task.h"
#include "heal/heal_runner.h"
#include "heal/mrf_queue.h"
#include "object/server_pools.h"

namespace cairn::heal {

struct MrfWorkerOptions {
  std::chrono::milliseconds idle_poll{100};       // how often an idle worker looks again
  std::chrono::milliseconds drive_poll{1000};     // how often drives' IsOnline is polled
  std::chrono::milliseconds retry_base{500};      // first retry of a failed heal; doubles
  std::chrono::milliseconds retry_max{30000};     // cap of the retry delay
  int max_attempts = 10;                          // failed heals before an entry is dropped
  std::size_t concurrency = 4;                    // objects healed at once
  std::string node_id = "local";                  // this node's host:port; names the record
  std::chrono::milliseconds save_interval{5000};  // at most one save per interval
};

class MrfWorker {
 public:
  // Everything passed outlives the worker.
  MrfWorker(object::ServerPools& pools, MrfQueue& queue, HealRunner& runner, MrfWorkerOptions opts);

  // Starts the worker on the runner (it saves the queue and ends when the runner stops).
  void Start();

  // Drive polls done (each looks at every drive's IsOnline) and heals tried since the start:
  // what a test waits for instead of sleeping.
  std::uint64_t drive_polls() const { return drive_polls_; }

  std::uint64_t heals_tried() const { return heals_tried_; }

 private:
  Task<void> Loop();
  Task<void> HealEntry(MrfQueue::Entry& e);
  // Queues the union of the records on each set's drives (mrf_record.cc).
  Task<void> Load(const RequestContext& ctx);
  // Writes each set's changed record to its online drives when the queue changed and
  // (`force` or the save interval passed).
  Task<void> Save(const RequestContext& ctx, bool force);

  object::ServerPools& pools_;
  MrfQueue& queue_;
  HealRunner& runner_;
  const MrfWorkerOptions opts_;
  std::atomic<std::uint64_t> drive_polls_{0};
  std::atomic<std::uint64_t> heals_tried_{0};
  // Heal strand only: the record last written per set (AllSets order; nullopt = unknown),
  // the queue generation it reflects, and when Save may write next.
  std::vector<std::optional<std::string>> saved_;
  std::uint64_t saved_gen_ = 0;
  std::chrono::steady_clock::time_point next_save_{};
};

}  // namespace cairn::heal
