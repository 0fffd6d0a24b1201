// The digest helpers of auth/, on top of common/checksum.h.
#include "auth/crypto.h"

#include "common/checksum.h"

namespace cairn::auth::internal {

std::string Sha256(std::string_view data) {
  return cairn::Sha256(data);
}

std::string Sha256Hex(std::string_view data) {
  return HexEncode(cairn::Sha256(data));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  return cairn::HmacSha256(key, data);
}

std::string HmacSha1(std::string_view key, std::string_view data) {
  return cairn::HmacSha1(key, data);
}

std::string Hex(std::string_view raw) {
  return HexEncode(raw);
}

std::string Base64(std::string_view raw) {
  return Base64Encode(raw);
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return cairn::ConstantTimeEqual(a, b);
}

struct Sha256Stream::Impl {
  std::unique_ptr<Hasher> hasher = NewSha256Hasher();
};

Sha256Stream::Sha256Stream() : impl_(std::make_unique<Impl>()) {}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Update(const void* data, std::size_t size) {
  impl_->hasher->Update(std::span<const std::byte>(static_cast<const std::byte*>(data), size));
}

std::string Sha256Stream::FinishHex() {
  return HexEncode(impl_->hasher->Finish());
}

}  // namespace cairn::auth::internal
