// Shard files of LocalDrive: a sequential writer that coalesces small writes into large
// ones and fdatasyncs on Close, and a pread-based reader. Blocking syscalls run on the
// drive's thread pool; the pool must outlive the writer or reader.
//
// A writer given a file opened with O_DIRECT writes whole aligned chunks from an aligned
// buffer, pads the last one and truncates the file to its size on Close: the bytes go to
// the disk once, by DMA, instead of being copied into the page cache and written back by
// the fdatasync (which bounded large PUTs at the page cache's writeback rate).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/storage_api.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace cairn::storage {

class LocalShardWriter final : public ShardWriter {
 public:
  // Bytes buffered before a write(2); larger writes go straight to the file.
  static constexpr std::size_t kBufferSize = 256 << 10;

  // O_DIRECT: buffer and file offsets are multiples of this; one write(2) per chunk.
  static constexpr std::size_t kDirectAlign = 4096;
  static constexpr std::size_t kDirectChunk = 1 << 20;
  // The most memory one writer holds: the O_DIRECT buffer, the larger of the two
  // (LocalDrive::max_writer_buffer_bytes).
  static constexpr std::size_t kMaxBufferBytes = kDirectChunk + kDirectAlign;
  static_assert(kBufferSize <= kMaxBufferBytes);

  // Takes ownership of `fd`, opened for writing (with O_DIRECT when `direct`).
  LocalShardWriter(boost::asio::thread_pool& pool, int fd, std::string path, bool fsync,
                   bool direct = false);
  ~LocalShardWriter() override;

  Task<Status> Write(std::span<const std::byte> data) override;
  Task<Status> Close() override;

 private:
  // Writes the buffer and then `extra` with writev; blocking.
  Status Flush(std::span<const std::byte> extra);
  // O_DIRECT: writes the buffer's whole aligned blocks (all of it, zero padded, when
  // `last`) at the file offset written so far; blocking.
  Status FlushDirect(bool last);
  Task<Status> WriteDirect(std::span<const std::byte> data);

  boost::asio::thread_pool& pool_;
  int fd_;
  const std::string path_;
  const bool fsync_;
  const bool direct_;

  struct AlignedFree {
    void operator()(std::byte* p) const;
  };

  std::unique_ptr<std::byte[], AlignedFree> buffer_;
  std::size_t buffered_ = 0;
  std::uint64_t written_ = 0;    // O_DIRECT: bytes of the file already written
  std::uint64_t size_ = 0;       // O_DIRECT: bytes given to Write
  bool direct_refused_ = false;  // a write failed with EINVAL; O_DIRECT was turned off
  Status error_;                 // sticky: after a failed write every call fails
};

class LocalShardReader final : public ShardReader {
 public:
  // Takes ownership of `fd`, opened for reading. With `cached_inline`, a read the page cache
  // holds is copied on the calling thread (no hop to `pool` and back); only what is not cached
  // is read on `pool`.
  LocalShardReader(boost::asio::thread_pool& pool, int fd, std::string path, std::uint64_t size,
                   bool cached_inline);
  ~LocalShardReader() override;

  std::uint64_t size() const override { return size_; }

  Task<Result<std::size_t>> ReadAt(std::uint64_t offset, std::span<std::byte> buf) override;

 private:
  boost::asio::thread_pool& pool_;
  const int fd_;
  const std::string path_;
  const std::uint64_t size_;
  const bool cached_inline_;
};

}  // namespace cairn::storage
