// BufferPool: fixed-size byte buffers reused across requests, so the data path does not
// allocate (and page-fault) a fresh megabyte per block. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace cairn::object {

class BufferPool {
 public:
  struct Deleter {
    BufferPool* pool = nullptr;

    void operator()(std::byte* p) const { pool->Put(p); }
  };

  using Buffer = std::unique_ptr<std::byte[], Deleter>;

  // Buffers of `size` bytes; at most `max_free` are kept when returned.
  BufferPool(std::size_t size, std::size_t max_free) : size_(size), max_free_(max_free) {}

  ~BufferPool() = default;
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  std::size_t buffer_size() const { return size_; }

  Buffer Get() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        std::byte* p = free_.back().release();
        free_.pop_back();
        return Buffer(p, Deleter{this});
      }
    }
    return Buffer(std::make_unique_for_overwrite<std::byte[]>(size_).release(), Deleter{this});
  }

 private:
  void Put(std::byte* p) {
    std::unique_ptr<std::byte[]> owned(p);
    std::lock_guard lock(mu_);
    if (free_.size() < max_free_) {
      free_.push_back(std::move(owned));
    }
  }

  std::size_t size_;
  std::size_t max_free_;
  std::mutex mu_;
  std::vector<std::unique_ptr<std::byte[]>> free_;  // GUARDED_BY(mu_)
};

}  // namespace cairn::object
