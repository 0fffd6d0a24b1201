// audit::Target: where audit records go. Each target owns a bounded queue of rendered records
// and one delivery thread; Offer() never blocks and never does I/O (a full queue drops the
// record and counts it), the thread delivers in batches and retries a failed delivery with
// exponential backoff while the records behind it keep queuing. Subclasses say how a batch
// is delivered: file_target.h (a size-rotated file), webhook_target.h (HTTP POST).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

namespace cairn::audit {

// One rendered record (a line of JSON), shared by every target's queue.
using Record = std::shared_ptr<const std::string>;

struct TargetStats {
  std::string id;
  std::uint64_t sent = 0;     // records delivered
  std::uint64_t dropped = 0;  // records refused because the queue was full
  std::uint64_t failed = 0;   // records of failed deliveries (a retried batch counts again)
  std::uint64_t queued = 0;   // records waiting now
};

struct DeliveryOptions {
  std::size_t queue_size = 100000;
  // Records per delivery; with fewer queued the thread waits up to `flush_interval` for more.
  std::size_t batch_size = 1;
  std::chrono::milliseconds flush_interval{1000};
  // After a failed delivery: wait `min_backoff`, doubling up to `max_backoff`, then retry.
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

class Target {
 public:
  Target(std::string id, DeliveryOptions options);
  virtual ~Target();  // subclasses call Stop() in theirs
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  const std::string& id() const { return id_; }

  // Queues a record, or drops and counts it when the queue is full. Any thread; never blocks
  // on I/O (holds the queue's mutex for a push).
  void Offer(Record record);

  TargetStats stats() const;

  // Starts the delivery thread. Call once.
  void Start();
  // Delivers what it can until `deadline`, then stops the thread (records still queued are
  // lost). Idempotent; not from the delivery thread.
  void Stop(std::chrono::steady_clock::time_point deadline);

 protected:
  // Delivers `batch` in order; true when it was accepted. Called on the delivery thread only.
  virtual bool Deliver(std::span<const Record> batch) = 0;

  // Called from Stop() once the deadline passed while a delivery may still run: make it
  // return soon (any thread).
  virtual void Abort() {}

 private:
  void Run();

  const std::string id_;
  const DeliveryOptions options_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;                      // records arrived, or stopping
  std::condition_variable done_cv_;                 // the thread finished
  std::deque<Record> queue_;                        // GUARDED_BY(mu_): at most options_.queue_size
  bool stopping_ = false;                           // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point deadline_;  // GUARDED_BY(mu_): set with stopping_
  bool done_ = false;                               // GUARDED_BY(mu_): Run() returned
  std::uint64_t sent_ = 0;                          // GUARDED_BY(mu_)
  std::uint64_t dropped_ = 0;                       // GUARDED_BY(mu_)
  std::uint64_t failed_ = 0;                        // GUARDED_BY(mu_)
};

}  // namespace cairn::audit
