#include "crypto/keys.h"

#include <cstring>
#include <memory>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/checksum.h"
#include "common/status.h"

namespace cairn::crypto {
namespace {

constexpr std::uint8_t kSealVersion = 1;
constexpr std::size_t kSealNonce = 12;
constexpr std::size_t kSealTag = 16;

struct SealCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

using SealCtx = std::unique_ptr<EVP_CIPHER_CTX, SealCtxFree>;

const unsigned char* Uc(const void* p) {
  return static_cast<const unsigned char*>(p);
}

unsigned char* Um(void* p) {
  return static_cast<unsigned char*>(p);
}

// Fetched once (OpenSSL 3 otherwise looks the cipher up on every init).
const EVP_CIPHER* AesGcm() {
  static const EVP_CIPHER* const fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return fetched != nullptr ? fetched : EVP_aes_256_gcm();
}

}  // namespace

Key RandomKey() {
  Key k;
  RELEASE_ASSERT(RAND_bytes(Um(k.data()), static_cast<int>(k.size())) == 1, "RAND_bytes failed");
  return k;
}

std::string SealKey(const Key& kek, const Key& key, std::string_view associated) {
  std::string out(kSealedKeySize, '\0');
  out[0] = static_cast<char>(kSealVersion);
  RELEASE_ASSERT(RAND_bytes(Um(out.data() + 1), kSealNonce) == 1, "RAND_bytes failed");
  SealCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  RELEASE_ASSERT(ctx && EVP_EncryptInit_ex(ctx.get(), AesGcm(), nullptr, Uc(kek.data()),
                                           Um(out.data() + 1)) == 1,
                 "AES-GCM init failed");
  RELEASE_ASSERT(EVP_EncryptUpdate(ctx.get(), nullptr, &n, Uc(associated.data()),
                                   static_cast<int>(associated.size())) == 1,
                 "AES-GCM aad failed");
  RELEASE_ASSERT(EVP_EncryptUpdate(ctx.get(), Um(out.data() + 1 + kSealNonce), &n, Uc(key.data()),
                                   static_cast<int>(key.size())) == 1,
                 "AES-GCM seal failed");
  RELEASE_ASSERT(
      EVP_EncryptFinal_ex(ctx.get(), Um(out.data() + 1 + kSealNonce + kKeySize), &n) == 1,
      "AES-GCM final failed");
  RELEASE_ASSERT(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kSealTag,
                                     out.data() + 1 + kSealNonce + kKeySize) == 1,
                 "AES-GCM tag failed");
  return out;
}

Result<Key> UnsealKey(const Key& kek, std::string_view sealed, std::string_view associated) {
  if (sealed.size() != kSealedKeySize || static_cast<std::uint8_t>(sealed[0]) != kSealVersion) {
    return Status(Errc::kObjectTampered, "not a sealed key");
  }
  SealCtx ctx(EVP_CIPHER_CTX_new());
  Key key;
  int n = 0;
  std::string tag(sealed.substr(1 + kSealNonce + kKeySize, kSealTag));
  bool ok = ctx &&
            EVP_DecryptInit_ex(ctx.get(), AesGcm(), nullptr, Uc(kek.data()),
                               Uc(sealed.data() + 1)) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &n, Uc(associated.data()),
                              static_cast<int>(associated.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), Um(key.data()), &n, Uc(sealed.data() + 1 + kSealNonce),
                              static_cast<int>(kKeySize)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kSealTag, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), Um(key.data()) + kKeySize, &n) == 1;
  if (!ok) {
    return Status(Errc::kObjectTampered, "the sealed key does not open with this key");
  }
  return key;
}

Key DeriveKey(const Key& key, std::string_view label) {
  std::string mac = HmacSha256(KeyBytes(key), label);
  Key out;
  std::memcpy(out.data(), mac.data(), out.size());
  return out;
}

std::optional<Key> KeyFromBytes(std::string_view raw) {
  if (raw.size() != kKeySize) {
    return std::nullopt;
  }
  Key k;
  std::memcpy(k.data(), raw.data(), kKeySize);
  return k;
}

std::string_view KeyBytes(const Key& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

}  // namespace cairn::crypto
