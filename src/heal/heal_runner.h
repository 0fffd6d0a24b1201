// HealRunner: where the healer's background work runs and how it stops. Every coroutine of
// healing (the MRF worker, the scanner loop, each heal sequence) runs on one strand of the
// object layer's compute pool: coroutines of one logical thread, as a request's are on its
// network thread (the code below the object layer assumes that), while the pool's threads
// still do the coding and hashing. Keeps the registry of sequences (running ones and those
// finished lately, for the admin API) and a Gate over everything spawned, so Stop() can stop
// the sequences and wait for every coroutine to return.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/gate.h"
#include "common/status.h"
#include "common/task.h"
#include "heal/heal_sequence.h"

namespace cairn::heal {

class HealRunner {
 public:
  using Executor = boost::asio::strand<boost::asio::thread_pool::executor_type>;

  // `pool` outlives the runner. Finished sequences are kept for the admin API: at most
  // `finished_kept`, for at most an hour.
  HealRunner(boost::asio::thread_pool& pool, std::size_t finished_kept);
  HealRunner(const HealRunner&) = delete;
  HealRunner& operator=(const HealRunner&) = delete;
  ~HealRunner();  // Stop()

  // Registers `seq` (null: background work that is no sequence, like the MRF worker) and
  // runs `body` on the strand; the sequence ends in kDone, kFailed (body's error) or
  // kStopped (kCancelled). False once stopping: then nothing runs.
  bool Spawn(std::shared_ptr<HealSequence> seq, std::function<Task<Status>()> body);
  // Adds a sequence that the caller runs itself (a scanner cycle) to the registry.
  void Register(std::shared_ptr<HealSequence> seq);
  // Sets the sequence's end state from how its body ended, and its end time.
  static void Finish(HealSequence& seq, const Status& st);

  // Stops every sequence, makes stopping() true, and waits for every spawned coroutine to
  // return. Idempotent; not from the strand.
  void Stop();

  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  // What a walk checks between keys.
  bool Stopping(const HealSequence& seq) const { return stopping() || seq.stopping(); }

  // The running admin sequence over exactly `scope`, if any.
  std::shared_ptr<HealSequence> RunningAdmin(const HealScope& scope) const;
  // Errors: kNotFound.
  Result<HealProgress> Progress(std::string_view id) const;
  // Errors: kNotFound.
  Status StopSequence(std::string_view id);
  std::vector<HealProgress> List() const;
  // Running drive heals: drive endpoint -> sequence id.
  std::map<std::string, std::string> RunningDriveHeals() const;

  Executor& executor() { return strand_; }

 private:
  void PruneLocked();

  Executor strand_;
  const std::size_t finished_kept_;
  Gate gate_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  // Running sequences and those finished lately, oldest first. GUARDED_BY(mu_).
  std::vector<std::shared_ptr<HealSequence>> seqs_;
};

}  // namespace cairn::heal
