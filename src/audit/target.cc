#include "audit/target.h"

#include <algorithm>

namespace cairn::audit {

Target::Target(std::string id, DeliveryOptions options) : id_(std::move(id)), options_(options) {}

Target::~Target() {
  // Subclasses stop the thread before their members go; this is for a target never started.
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Target::Offer(Record record) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= options_.queue_size || stopping_) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(record));
    // The thread waits only for a first record or for a full batch: wake it for those alone
    // (a wake is a syscall on the request's thread).
    wake = queue_.size() == 1 || queue_.size() == options_.batch_size;
  }
  if (wake) {
    cv_.notify_one();
  }
}

TargetStats Target::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return TargetStats{id_, sent_, dropped_, failed_, queue_.size()};
}

void Target::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Target::Stop(std::chrono::steady_clock::time_point deadline) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      deadline_ = deadline;
    }
    cv_.notify_all();
    if (thread_.joinable() && !done_cv_.wait_until(lock, deadline, [&] { return done_; })) {
      lock.unlock();
      Abort();
    }
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Target::Run() {
  const std::size_t batch_size = std::max<std::size_t>(1, options_.batch_size);
  std::chrono::milliseconds backoff{0};
  std::vector<Record> batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (backoff.count() > 0) {
      cv_.wait_for(lock, backoff, [&] { return stopping_; });
    }
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      break;  // stopping, and everything was delivered
    }
    if (queue_.size() < batch_size && !stopping_) {
      cv_.wait_for(lock, options_.flush_interval,
                   [&] { return stopping_ || queue_.size() >= batch_size; });
    }
    // The batch stays queued (and counted) until it is delivered; only this thread pops.
    const std::size_t n = std::min(batch_size, queue_.size());
    batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();
    const bool ok = Deliver(batch);
    batch.clear();
    lock.lock();
    if (ok) {
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      sent_ += n;
      backoff = std::chrono::milliseconds(0);
      if (stopping_ && std::chrono::steady_clock::now() >= deadline_) {
        break;
      }
    } else {
      failed_ += n;
      if (stopping_) {
        break;  // no retries at shutdown: what is left is lost
      }
      backoff =
          backoff.count() == 0 ? options_.min_backoff : std::min(backoff * 2, options_.max_backoff);
    }
  }
  done_ = true;
  done_cv_.notify_all();
}

}  // namespace cairn::audit
