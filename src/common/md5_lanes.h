// MD5 of many independent streams at once: 16 lanes of an AVX-512 register, each its own
// stream (the idea of MinIO's md5-simd). MD5 is serial within a stream (~0.65 GB/s a core),
// and the ETag of every PUT is the MD5 of its body, so a node taking many large PUTs spends a
// large share of its CPU there; sixteen streams cost about what one does.
//
// Md5Compress* work on whole 64-byte blocks of a state (the caller keeps partial blocks and
// pads at the end); Md5Hub batches the blocks of the PUTs in flight onto one thread;
// BatchedMd5 is one stream's hasher on top of both.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "common/task.h"

namespace cairn {

using Md5State = std::array<std::uint32_t, 4>;
inline constexpr Md5State kMd5Init = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
inline constexpr std::size_t kMd5Block = 64;

// `blocks` 64-byte blocks of `data` into `state`, on this thread.
void Md5Compress(Md5State& state, const std::byte* data, std::size_t blocks);

// Whether this CPU has the 16-lane kernel (AVX-512F).
bool Md5LanesSupported();

// `blocks` blocks of data[i] into states[i] for each lane i whose data[i] is not null; the
// other lanes' states are left alone. One lane at a time without Md5LanesSupported().
void Md5Compress16(Md5State* const states[16], const std::byte* const data[16], std::size_t blocks);

// One thread that hashes the blocks of every stream submitted to it, up to 16 at once.
class Md5Hub {
 public:
  Md5Hub();
  ~Md5Hub();
  Md5Hub(const Md5Hub&) = delete;
  Md5Hub& operator=(const Md5Hub&) = delete;

  // The process's hub, or null when the CPU lacks the kernel or CAIRN_MD5_LANES=off.
  static Md5Hub* Get();

  // Runs `blocks` blocks of `data` into `state` and resumes the caller on its own executor.
  // `state` and `data` must stay valid until then.
  Task<void> Compress(Md5State& state, const std::byte* data, std::size_t blocks);

  struct Job;

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job*> queue_;
  bool stop_ = false;
  std::thread thread_;
};

// One stream's MD5 that sends large updates to the hub and hashes small ones itself.
class BatchedMd5 {
 public:
  explicit BatchedMd5(Md5Hub& hub) : hub_(hub) {}

  Task<void> Update(std::span<const std::byte> data);
  // The raw 16-byte digest; the hasher starts over.
  std::string Finish();

  // Updates of at least this many bytes (after filling a partial block) go to the hub.
  static constexpr std::size_t kHubMin = 16 * 1024;

 private:
  Md5Hub& hub_;
  Md5State state_ = kMd5Init;
  std::array<std::byte, kMd5Block> partial_{};
  std::size_t partial_len_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace cairn
