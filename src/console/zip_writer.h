// ZipWriter: a ZIP archive written as it goes to a ByteSink, for the console's "download as
// zip" (objects stream in one after the other; nothing is buffered but the central
// directory). Entries are stored (no compression: most objects worth zipping are compressed
// already, and storing keeps the CPU free), each followed by a data descriptor with its
// CRC-32, which is known only at its end. ZIP64 records appear only when needed (an entry or
// the archive past 4 GiB, or more than 65,535 entries), so small archives open everywhere.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_stream.h"
#include "common/checksum.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::console {

class ZipWriter {
 public:
  explicit ZipWriter(ByteSink& out);

  // Starts an entry of `size` bytes (its name in UTF-8, '/'-separated; `mtime_s` Unix time).
  // Then Write exactly `size` bytes, then EndEntry. Errors: the sink's.
  Task<Status> BeginEntry(std::string_view name, std::uint64_t size, std::int64_t mtime_s);
  Task<Status> Write(std::span<const std::byte> data);
  // Errors: kInternal when the bytes written differ from the size begun with.
  Task<Status> EndEntry();
  // The central directory and the end records. Call once, after the last EndEntry.
  Task<Status> Finish();

  std::uint64_t bytes_written() const { return offset_; }

  std::size_t entries() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    std::uint64_t size = 0;
    std::uint64_t offset = 0;  // of its local header
    std::uint32_t crc = 0;
    std::uint16_t time = 0;
    std::uint16_t date = 0;
  };

  Task<Status> Emit(std::string bytes);

  ByteSink& out_;
  std::uint64_t offset_ = 0;
  std::vector<Entry> entries_;
  bool in_entry_ = false;
  std::uint64_t written_ = 0;  // of the open entry
  std::unique_ptr<Hasher> crc_;
};

}  // namespace cairn::console
