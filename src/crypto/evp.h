// Private OpenSSL helpers of crypto/: the cipher context's owner, byte-pointer casts for the
// EVP calls, and the AEAD ciphers, fetched once.
#pragma once

#include <memory>

#include <openssl/evp.h>

#include "crypto/package.h"

namespace cairn::crypto::internal {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

inline const unsigned char* AsUchar(const void* p) {
  return static_cast<const unsigned char*>(p);
}

inline unsigned char* AsUchar(void* p) {
  return static_cast<unsigned char*>(p);
}

// Fetched once: OpenSSL 3 looks a legacy EVP_aes_256_gcm() up in its provider store on every
// init, which costs microseconds per small GET.
inline const EVP_CIPHER* EvpCipher(Cipher c) {
  static const EVP_CIPHER* const aes = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  static const EVP_CIPHER* const chacha = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  const EVP_CIPHER* fetched = c == Cipher::kAes256Gcm ? aes : chacha;
  if (fetched != nullptr) {
    return fetched;
  }
  return c == Cipher::kAes256Gcm ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
}

}  // namespace cairn::crypto::internal
