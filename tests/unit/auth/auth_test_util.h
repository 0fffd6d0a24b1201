// Helpers shared by the auth tests: a fixed credential store, times, and a ByteSource over a
// string that hands out bytes in sizes chosen by a seeded RNG.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>

#include "auth/canonical.h"
#include "auth/signature.h"

namespace cairn::auth::testing {

class MapCredentials final : public CredentialProvider {
 public:
  MapCredentials(std::initializer_list<std::pair<const std::string, std::string>> keys)
      : keys_(keys) {}

  std::optional<std::string> SecretKey(std::string_view access_key) const override {
    auto it = keys_.find(std::string(access_key));
    if (it == keys_.end()) {
      return std::nullopt;
    }
    return it->second;
  }

 private:
  std::map<std::string, std::string> keys_;
};

inline constexpr const char* kDocAccessKey = "AKIAIOSFODNN7EXAMPLE";
inline constexpr const char* kDocSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
inline constexpr const char* kEmptySha =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

inline const MapCredentials& DocCredentials() {
  static const MapCredentials creds{{kDocAccessKey, kDocSecret}};
  return creds;
}

inline std::chrono::system_clock::time_point At(std::string_view amz_date) {
  return *internal::ParseAmzDate(amz_date);
}

// A ByteSource over `data`; each Read returns between 1 and max_step bytes (seeded RNG).
class StringSource final : public ByteSource {
 public:
  StringSource(std::string data, std::uint32_t seed, std::size_t max_step)
      : data_(std::move(data)), rng_(seed), max_step_(max_step) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    std::size_t left = data_.size() - pos_;
    std::size_t step = std::uniform_int_distribution<std::size_t>(1, max_step_)(rng_);
    std::size_t n = std::min({left, buf.size(), step});
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
  std::mt19937 rng_;
  std::size_t max_step_;
};

}  // namespace cairn::auth::testing
