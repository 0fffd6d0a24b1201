// StringSource: a ByteSource over a string that hands out at most `chunk` bytes a Read, as a
// network peer does, for tests and fuzz targets.
#pragma once

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

#include "common/byte_stream.h"

namespace cairn::testing {

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string data, std::size_t chunk = 100000)
      : data_(std::move(data)), chunk_(chunk) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    const std::size_t n = std::min({buf.size(), chunk_, data_.size() - pos_});
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }

  std::size_t consumed() const { return pos_; }

 private:
  std::string data_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
};

}  // namespace cairn::testing
