#include "crypto/package.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/evp.h"

#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace cairn::crypto {
namespace {

constexpr std::uint8_t kPackageVersion = 1;
constexpr std::uint8_t kFinalFlag = 1;
constexpr std::size_t kStreamNonce = 12;
constexpr std::int64_t kPlainPerPackage = static_cast<std::int64_t>(kPackagePayload);
constexpr std::int64_t kStoredPerPackage = static_cast<std::int64_t>(kPackageSize);
constexpr std::int64_t kOverheadPerPackage = static_cast<std::int64_t>(kPackageOverhead);

using internal::AsUchar;
using internal::EvpCipher;
using PackageCtx = internal::CipherCtx;

bool KnownCipher(std::uint8_t c) {
  return c == static_cast<std::uint8_t>(Cipher::kAes256Gcm) ||
         c == static_cast<std::uint8_t>(Cipher::kChaCha20Poly1305);
}

// The package's nonce: the stream nonce (header bytes 4..16) with the big-endian sequence
// number XORed into its last 4 bytes.
std::array<unsigned char, kStreamNonce> PackageNonce(const std::byte* header,
                                                     std::uint32_t sequence) {
  std::array<unsigned char, kStreamNonce> nonce;
  std::memcpy(nonce.data(), header + 4, kStreamNonce);
  for (int i = 0; i < 4; ++i) {
    nonce[kStreamNonce - 1 - i] ^= static_cast<unsigned char>(sequence >> (8 * i));
  }
  return nonce;
}

// One EVP context per stream: the key schedule is set up once per cipher, and each package
// only sets its nonce.
class Aead {
 public:
  explicit Aead(const Key& key) : key_(key), ctx_(EVP_CIPHER_CTX_new()) {
    RELEASE_ASSERT(ctx_ != nullptr, "EVP_CIPHER_CTX_new failed");
  }

  // Seals package[kPackageHeader, +len) in place (the header is filled in) and writes its tag.
  void Seal(Cipher cipher, std::byte* package, std::size_t len, std::uint32_t sequence) {
    Prepare(cipher, true);
    const auto nonce = PackageNonce(package, sequence);
    std::byte* payload = package + kPackageHeader;
    int n = 0;
    const bool ok =
        EVP_EncryptInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce.data()) == 1 &&
        EVP_EncryptUpdate(ctx_.get(), nullptr, &n, AsUchar(package), kPackageHeader) == 1 &&
        EVP_EncryptUpdate(ctx_.get(), AsUchar(payload), &n, AsUchar(payload),
                          static_cast<int>(len)) == 1 &&
        EVP_EncryptFinal_ex(ctx_.get(), AsUchar(payload + len), &n) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, kPackageTag, payload + len) == 1;
    RELEASE_ASSERT(ok, "sealing a package failed");
  }

  // Opens the whole package `package` (header, ciphertext, tag) into `out` (payload bytes).
  // False when the tag does not verify; `out` then holds unauthenticated bytes to discard.
  bool Open(Cipher cipher, std::span<const std::byte> package, std::byte* out,
            std::uint32_t sequence) {
    Prepare(cipher, false);
    const auto nonce = PackageNonce(package.data(), sequence);
    const std::size_t len = package.size() - kPackageOverhead;
    const std::byte* payload = package.data() + kPackageHeader;
    std::array<std::byte, kPackageTag> tag;
    std::memcpy(tag.data(), payload + len, kPackageTag);
    int n = 0;
    return EVP_DecryptInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce.data()) == 1 &&
           EVP_DecryptUpdate(ctx_.get(), nullptr, &n, AsUchar(package.data()), kPackageHeader) ==
               1 &&
           EVP_DecryptUpdate(ctx_.get(), AsUchar(out), &n, AsUchar(payload),
                             static_cast<int>(len)) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG, kPackageTag, tag.data()) == 1 &&
           EVP_DecryptFinal_ex(ctx_.get(), AsUchar(out + len), &n) == 1;
  }

 private:
  // (Re)initializes the context with the key when the cipher or the direction changes.
  void Prepare(Cipher cipher, bool encrypt) {
    if (ready_ && cipher == cipher_) {
      return;
    }
    const bool ok = EVP_CipherInit_ex(ctx_.get(), EvpCipher(cipher), nullptr, AsUchar(key_.data()),
                                      nullptr, encrypt ? 1 : 0) == 1;
    RELEASE_ASSERT(ok, "AEAD init failed");
    ready_ = true;
    cipher_ = cipher;
  }

  Key key_;
  PackageCtx ctx_;
  bool ready_ = false;
  Cipher cipher_ = Cipher::kAes256Gcm;
};

Status PackageTampered(const char* what) {
  return Status(Errc::kObjectTampered, what);
}

bool DetectAesGcmHardware() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul");
#elif defined(__aarch64__) && defined(__linux__)
  const unsigned long caps = getauxval(AT_HWCAP);
  return (caps & HWCAP_AES) != 0 && (caps & HWCAP_PMULL) != 0;
#else
  return false;
#endif
}

}  // namespace

Cipher PreferredCipher() {
  static const Cipher kPreferred =
      DetectAesGcmHardware() ? Cipher::kAes256Gcm : Cipher::kChaCha20Poly1305;
  return kPreferred;
}

std::int64_t EncryptedSize(std::int64_t plain) {
  if (plain < 0) {
    return -1;
  }
  const std::int64_t packages =
      std::max<std::int64_t>(1, (plain + kPlainPerPackage - 1) / kPlainPerPackage);
  return plain + packages * kOverheadPerPackage;
}

std::int64_t PlainSize(std::int64_t encrypted) {
  if (encrypted <= 0) {
    return -1;
  }
  const std::int64_t full = encrypted / kStoredPerPackage;
  const std::int64_t rest = encrypted % kStoredPerPackage;
  if (rest == 0) {
    return full * kPlainPerPackage;
  }
  // A shorter last package holds at least one byte, unless it is the only one.
  if (rest < kOverheadPerPackage || (rest == kOverheadPerPackage && full > 0)) {
    return -1;
  }
  return full * kPlainPerPackage + rest - kOverheadPerPackage;
}

// ---- EncryptingSource ----

struct EncryptingSource::State {
  State(ByteSource& in, const Key& key, Cipher c) : inner(in), aead(key), cipher(c) {
    header[0] = std::byte{kPackageVersion};
    header[1] = std::byte{static_cast<std::uint8_t>(c)};
    RELEASE_ASSERT(RAND_bytes(AsUchar(header.data() + 4), kStreamNonce) == 1, "RAND_bytes failed");
  }

  ByteSource& inner;
  Aead aead;
  Cipher cipher;
  std::array<std::byte, kPackageHeader> header{};  // flags byte set per package
  std::vector<std::byte> package;                  // a sealed package being handed out
  std::size_t pos = 0;                             // package[pos, len) is still to hand out
  std::size_t len = 0;
  std::uint32_t sequence = 0;
  bool have_carry = false;  // read ahead to tell a full package from the final one
  std::byte carry{};
  bool done = false;  // the final package is sealed

  // Reads the next payload into target[kPackageHeader, ...) and seals it there; returns the
  // package's stored size.
  Task<Result<std::size_t>> Produce(std::span<std::byte> target) {
    std::span<std::byte> payload = target.subspan(kPackageHeader, kPackagePayload);
    std::size_t n = 0;
    if (have_carry) {
      payload[0] = carry;
      have_carry = false;
      n = 1;
    }
    CO_ASSIGN_OR_RETURN(std::size_t got, co_await ReadFull(inner, payload.subspan(n)));
    n += got;
    bool final = n < kPackagePayload;  // ReadFull stops short only at inner's end
    if (!final) {
      CO_ASSIGN_OR_RETURN(std::size_t more, co_await ReadFull(inner, std::span(&carry, 1)));
      have_carry = more == 1;
      final = !have_carry;
    }
    if (!final && sequence == UINT32_MAX) {
      co_return Status(Errc::kEntityTooLarge, "an encrypted stream holds at most 2^32 packages");
    }
    header[2] = std::byte{final ? kFinalFlag : std::uint8_t{0}};
    std::memcpy(target.data(), header.data(), kPackageHeader);
    aead.Seal(cipher, target.data(), n, sequence);
    ++sequence;
    done = final;
    co_return n + kPackageOverhead;
  }
};

EncryptingSource::EncryptingSource(ByteSource& inner, const Key& key, Cipher cipher)
    : state_(std::make_unique<State>(inner, key, cipher)) {}

EncryptingSource::~EncryptingSource() = default;

Task<Result<std::size_t>> EncryptingSource::Read(std::span<std::byte> buf) {
  State& s = *state_;
  if (buf.empty()) {
    co_return 0;
  }
  if (s.pos == s.len) {
    if (s.done) {
      co_return 0;
    }
    if (buf.size() >= kPackageSize) {
      // Seal straight into the caller's buffer: no copy.
      co_return co_await s.Produce(buf);
    }
    if (s.package.empty()) {
      s.package.resize(kPackageSize);
    }
    CO_ASSIGN_OR_RETURN(s.len, co_await s.Produce(s.package));
    s.pos = 0;
  }
  const std::size_t n = std::min(buf.size(), s.len - s.pos);
  std::memcpy(buf.data(), s.package.data() + s.pos, n);
  s.pos += n;
  co_return n;
}

// ---- PackageDecryptor ----

struct PackageDecryptor::State {
  State(const Key& key, std::uint32_t first) : aead(key), sequence(first) {}

  Aead aead;
  std::uint32_t sequence;
  std::vector<std::byte> partial;  // the start of a package split across Update calls
  std::array<std::byte, kStreamNonce> stream_nonce{};
  bool any = false;        // a package was opened (stream_nonce is set)
  bool saw_final = false;  // the last package opened was the stream's final one

  // Opens one whole package (kPackageOverhead <= size <= kPackageSize) and appends its
  // payload to `out`; `out` is left as it was on error.
  Status Open(std::span<const std::byte> package, std::string& out) {
    if (saw_final) {
      return PackageTampered("encrypted stream: a package after the final package");
    }
    const auto version = static_cast<std::uint8_t>(package[0]);
    const auto cipher = static_cast<std::uint8_t>(package[1]);
    const auto flags = static_cast<std::uint8_t>(package[2]);
    if (version != kPackageVersion || !KnownCipher(cipher) || (flags & ~kFinalFlag) != 0 ||
        package[3] != std::byte{0}) {
      return PackageTampered("encrypted stream: not a package header");
    }
    const bool final = (flags & kFinalFlag) != 0;
    if (!final && package.size() != kPackageSize) {
      return PackageTampered("encrypted stream: a short package that is not the final one");
    }
    if (any && std::memcmp(stream_nonce.data(), package.data() + 4, kStreamNonce) != 0) {
      return PackageTampered("encrypted stream: a package of another stream");
    }
    const std::size_t old = out.size();
    const std::size_t len = package.size() - kPackageOverhead;
    out.resize(old + len);
    auto* dst = reinterpret_cast<std::byte*>(out.data() + old);
    if (!aead.Open(static_cast<Cipher>(cipher), package, dst, sequence)) {
      out.resize(old);
      return PackageTampered("encrypted stream: a package failed its tag");
    }
    if (!any) {
      std::memcpy(stream_nonce.data(), package.data() + 4, kStreamNonce);
      any = true;
    }
    saw_final = final;
    ++sequence;
    return Status();
  }

  // A package is complete once kPackageSize bytes are in; a shorter one only at the end.
  Status Update(std::span<const std::byte> in, std::string& out) {
    if (!in.empty() && saw_final) {
      return PackageTampered("encrypted stream: bytes after the final package");
    }
    if (!partial.empty()) {
      const std::size_t take = std::min(in.size(), kPackageSize - partial.size());
      partial.insert(partial.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
      in = in.subspan(take);
      if (partial.size() < kPackageSize) {
        return Status();
      }
      Status st = Open(partial, out);
      partial.clear();
      if (!st.ok()) {
        return st;
      }
    }
    while (in.size() >= kPackageSize) {
      Status st = Open(in.first(kPackageSize), out);
      if (!st.ok()) {
        return st;
      }
      in = in.subspan(kPackageSize);
    }
    if (!in.empty()) {
      if (saw_final) {
        return PackageTampered("encrypted stream: bytes after the final package");
      }
      if (partial.capacity() == 0) {
        partial.reserve(kPackageSize);
      }
      partial.assign(in.begin(), in.end());
    }
    return Status();
  }
};

PackageDecryptor::PackageDecryptor(const Key& key, std::uint32_t first_sequence)
    : state_(std::make_unique<State>(key, first_sequence)) {}

PackageDecryptor::~PackageDecryptor() = default;

Status PackageDecryptor::Update(std::span<const std::byte> in, std::string& out) {
  return state_->Update(in, out);
}

Status PackageDecryptor::Finish(bool expect_end, std::string& out) {
  State& s = *state_;
  if (!s.partial.empty()) {
    if (s.partial.size() < kPackageOverhead) {
      return PackageTampered("encrypted stream: a partial package at the end");
    }
    Status st = s.Open(s.partial, out);
    s.partial.clear();
    if (!st.ok()) {
      return st;
    }
    if (!s.saw_final) {
      return PackageTampered("encrypted stream: a partial package at the end");
    }
  }
  if (expect_end && !s.saw_final) {
    return PackageTampered("encrypted stream: cut short (no final package)");
  }
  return Status();
}

PackageRange PackagesFor(std::int64_t plain_size, std::int64_t offset, std::int64_t length) {
  ASSERT(offset >= 0 && length >= 0 && offset + length <= plain_size);
  PackageRange r;
  const std::int64_t packages =
      std::max<std::int64_t>(1, (plain_size + kPlainPerPackage - 1) / kPlainPerPackage);
  if (plain_size == 0) {
    // The whole (empty) stream: its one package still proves the object was not cut.
    r.encrypted_length = EncryptedSize(0);
    r.reaches_end = true;
    return r;
  }
  const std::int64_t first = offset / kPlainPerPackage;
  r.first_sequence = static_cast<std::uint32_t>(first);
  r.encrypted_offset = first * kStoredPerPackage;
  if (length == 0) {
    return r;  // nothing to read, nothing to skip
  }
  r.skip = offset - first * kPlainPerPackage;
  const std::int64_t last = (offset + length - 1) / kPlainPerPackage;
  r.reaches_end = last == packages - 1;
  const std::int64_t end =
      r.reaches_end ? EncryptedSize(plain_size) : (last + 1) * kStoredPerPackage;
  r.encrypted_length = end - r.encrypted_offset;
  return r;
}

}  // namespace cairn::crypto
