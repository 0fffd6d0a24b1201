#include "meta/file_info.h"

#include <string_view>

namespace cairn::meta {

const std::string& FileInfo::Meta(std::string_view key) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : metadata) {
    if (k == key) {
      return v;
    }
  }
  return kEmpty;
}

void FileInfo::SetMeta(std::string_view key, std::string value) {
  for (auto& [k, v] : metadata) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  metadata.emplace_back(std::string(key), std::move(value));
}

}  // namespace cairn::meta
