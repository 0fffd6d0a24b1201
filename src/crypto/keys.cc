#include "crypto/keys.h"

#include <cstring>
#include <memory>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/checksum.h"
#include "common/status.h"
#include "crypto/evp.h"

namespace cairn::crypto {
namespace {

using internal::AsUchar;
using internal::CipherCtx;
using internal::EvpCipher;

constexpr std::uint8_t kSealVersion = 1;
constexpr std::size_t kSealNonce = 12;
constexpr std::size_t kSealTag = 16;

}  // namespace

Key RandomKey() {
  Key k;
  RELEASE_ASSERT(RAND_bytes(AsUchar(k.data()), static_cast<int>(k.size())) == 1,
                 "RAND_bytes failed");
  return k;
}

namespace {

// version (1) | nonce (12) | ciphertext | tag (16), AES-256-GCM.
std::string Seal(const Key& kek, std::string_view plaintext, std::string_view associated) {
  std::string out(1 + kSealNonce + plaintext.size() + kSealTag, '\0');
  out[0] = static_cast<char>(kSealVersion);
  RELEASE_ASSERT(RAND_bytes(AsUchar(out.data() + 1), kSealNonce) == 1, "RAND_bytes failed");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  char* const sealed = out.data() + 1 + kSealNonce;
  RELEASE_ASSERT(ctx && EVP_EncryptInit_ex(ctx.get(), EvpCipher(Cipher::kAes256Gcm), nullptr,
                                           AsUchar(kek.data()), AsUchar(out.data() + 1)) == 1,
                 "AES-GCM init failed");
  RELEASE_ASSERT(EVP_EncryptUpdate(ctx.get(), nullptr, &n, AsUchar(associated.data()),
                                   static_cast<int>(associated.size())) == 1,
                 "AES-GCM aad failed");
  RELEASE_ASSERT(EVP_EncryptUpdate(ctx.get(), AsUchar(sealed), &n, AsUchar(plaintext.data()),
                                   static_cast<int>(plaintext.size())) == 1,
                 "AES-GCM seal failed");
  RELEASE_ASSERT(EVP_EncryptFinal_ex(ctx.get(), AsUchar(sealed + plaintext.size()), &n) == 1,
                 "AES-GCM final failed");
  RELEASE_ASSERT(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kSealTag,
                                     sealed + plaintext.size()) == 1,
                 "AES-GCM tag failed");
  return out;
}

// Opens Seal's output into `out` (sized to the plaintext). False when it does not open.
bool Open(const Key& kek, std::string_view sealed, std::string_view associated, char* out) {
  const std::size_t size = sealed.size() - 1 - kSealNonce - kSealTag;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  std::string tag(sealed.substr(1 + kSealNonce + size, kSealTag));
  return ctx &&
         EVP_DecryptInit_ex(ctx.get(), EvpCipher(Cipher::kAes256Gcm), nullptr, AsUchar(kek.data()),
                            AsUchar(sealed.data() + 1)) == 1 &&
         EVP_DecryptUpdate(ctx.get(), nullptr, &n, AsUchar(associated.data()),
                           static_cast<int>(associated.size())) == 1 &&
         EVP_DecryptUpdate(ctx.get(), AsUchar(out), &n, AsUchar(sealed.data() + 1 + kSealNonce),
                           static_cast<int>(size)) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kSealTag, tag.data()) == 1 &&
         EVP_DecryptFinal_ex(ctx.get(), AsUchar(out) + size, &n) == 1;
}

bool IsSealed(std::string_view sealed) {
  return sealed.size() >= 1 + kSealNonce + kSealTag &&
         static_cast<std::uint8_t>(sealed[0]) == kSealVersion;
}

}  // namespace

std::string SealKey(const Key& kek, const Key& key, std::string_view associated) {
  return Seal(kek, KeyBytes(key), associated);
}

Result<Key> UnsealKey(const Key& kek, std::string_view sealed, std::string_view associated) {
  Key key;
  if (sealed.size() != kSealedKeySize || !IsSealed(sealed)) {
    return Status(Errc::kObjectTampered, "not a sealed key");
  }
  if (!Open(kek, sealed, associated, reinterpret_cast<char*>(key.data()))) {
    return Status(Errc::kObjectTampered, "the sealed key does not open with this key");
  }
  return key;
}

std::string SealBytes(const Key& kek, std::string_view plaintext, std::string_view associated) {
  return Seal(kek, plaintext, associated);
}

Result<std::string> OpenBytes(const Key& kek, std::string_view sealed,
                              std::string_view associated) {
  if (!IsSealed(sealed)) {
    return Status(Errc::kObjectTampered, "not sealed data");
  }
  std::string out(sealed.size() - 1 - kSealNonce - kSealTag, '\0');
  if (!Open(kek, sealed, associated, out.data())) {
    return Status(Errc::kObjectTampered, "the sealed data does not open with this key");
  }
  return out;
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
