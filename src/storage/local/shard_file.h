// Shard files of LocalDrive: a sequential writer that coalesces small writes into large
// ones and fdatasyncs on Close, and a pread-based reader. Blocking syscalls run on the
// drive's thread pool; the pool must outlive the writer or reader.
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

  // Takes ownership of `fd`, opened for writing.
  LocalShardWriter(boost::asio::thread_pool& pool, int fd, std::string path, bool fsync);
  ~LocalShardWriter() override;

  Task<Status> Write(std::span<const std::byte> data) override;
  Task<Status> Close() override;

 private:
  // Writes the buffer and then `extra` with writev; blocking.
  Status Flush(std::span<const std::byte> extra);

  boost::asio::thread_pool& pool_;
  int fd_;
  const std::string path_;
  const bool fsync_;
  std::unique_ptr<std::byte[]> buffer_;
  std::size_t buffered_ = 0;
  Status error_;  // sticky: after a failed write every call fails
};

class LocalShardReader final : public ShardReader {
 public:
  // Takes ownership of `fd`, opened for reading.
  LocalShardReader(boost::asio::thread_pool& pool, int fd, std::string path, std::uint64_t size);
  ~LocalShardReader() override;

  std::uint64_t size() const override { return size_; }

  Task<Result<std::size_t>> ReadAt(std::uint64_t offset, std::span<std::byte> buf) override;

 private:
  boost::asio::thread_pool& pool_;
  const int fd_;
  const std::string path_;
  const std::uint64_t size_;
};

}  // namespace cairn::storage
