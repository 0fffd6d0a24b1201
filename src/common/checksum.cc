// Checksums (CRC32 and CRC32C with ISA-L, CRC64NVME in crc64_nvme.cc; SHA-1, SHA-256, MD5 and HMAC
// with OpenSSL EVP) and the hex / base64 helpers that S3 uses to carry them.
#include "common/checksum.h"

#include <array>
#include <cstring>
#include <initializer_list>

#include <isa-l.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/crc64_nvme.h"
#include "common/status.h"

namespace cairn {
namespace {

const std::uint8_t* Bytes(std::span<const std::byte> data) {
  return reinterpret_cast<const std::uint8_t*>(data.data());
}

// Appends `value` as `n` big-endian bytes, the way S3 encodes CRCs.
template <class T>
std::string BigEndian(T value) {
  std::string out(sizeof(T), '\0');
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out[sizeof(T) - 1 - i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

class Crc32Hasher final : public Hasher {
 public:
  void Update(std::span<const std::byte> data) override {
    // crc32_gzip_refl inverts on entry and exit, so the running value is the finished CRC.
    crc_ = crc32_gzip_refl(crc_, Bytes(data), data.size());
  }

  std::string Finish() override {
    std::string out = BigEndian(crc_);
    crc_ = 0;
    return out;
  }

 private:
  std::uint32_t crc_ = 0;
};

class Crc32cHasher final : public Hasher {
 public:
  void Update(std::span<const std::byte> data) override {
    // crc32_iscsi neither inverts nor takes more than INT_MAX bytes at once; the register
    // starts at all ones and is inverted in Finish.
    const std::uint8_t* p = Bytes(data);
    std::size_t n = data.size();
    constexpr std::size_t kMaxChunk = std::size_t{1} << 30;
    while (n > 0) {
      const std::size_t chunk = n < kMaxChunk ? n : kMaxChunk;
      reg_ = crc32_iscsi(const_cast<std::uint8_t*>(p), static_cast<int>(chunk), reg_);
      p += chunk;
      n -= chunk;
    }
  }

  std::string Finish() override {
    std::string out = BigEndian(static_cast<std::uint32_t>(~reg_));
    reg_ = 0xffffffffu;
    return out;
  }

 private:
  unsigned int reg_ = 0xffffffffu;
};

class Crc64NvmeHasher final : public Hasher {
 public:
  void Update(std::span<const std::byte> data) override {
    reg_ = internal::Crc64NvmeUpdate(reg_, Bytes(data), data.size());
  }

  std::string Finish() override {
    std::string out = BigEndian(~reg_);
    reg_ = ~std::uint64_t{0};
    return out;
  }

 private:
  std::uint64_t reg_ = ~std::uint64_t{0};
};

// ---- Combining CRCs. A reflected CRC whose register starts and ends inverted (all three
// S3 CRCs) satisfies crc(A || B) = crc(A) * x^(8 |B|) mod P xor crc(B), the products taken in
// GF(2)[x] modulo the polynomial P. In the reflected representation the highest bit of the
// register is x^0, so multiplying by x is a right shift that reduces with the reflected P.

struct CrcPoly {
  std::uint64_t reflected;  // the polynomial, bit-reversed, without its x^width term
  int width;                // 32 or 64
};

std::uint64_t One(const CrcPoly& p) {
  return std::uint64_t{1} << (p.width - 1);  // x^0
}

// a * b mod P.
std::uint64_t MulModP(const CrcPoly& p, std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  for (std::uint64_t bit = One(p); bit != 0 && a != 0; bit >>= 1) {
    if ((a & bit) != 0) {
      product ^= b;
      a &= ~bit;
    }
    b = (b & 1) != 0 ? (b >> 1) ^ p.reflected : b >> 1;  // b *= x
  }
  return product;
}

// x^(8 * n) mod P, by squaring: x^8, x^16, x^32, ... multiplied in for each set bit of n.
std::uint64_t XPow8nModP(const CrcPoly& p, std::uint64_t n) {
  std::uint64_t square = One(p) >> 8;  // x^8 (width >= 32, so no reduction yet)
  std::uint64_t result = One(p);
  while (n != 0) {
    if ((n & 1) != 0) {
      result = MulModP(p, square, result);
    }
    square = MulModP(p, square, square);
    n >>= 1;
  }
  return result;
}

std::optional<CrcPoly> PolyOf(ChecksumAlgorithm algo) {
  switch (algo) {
    case ChecksumAlgorithm::kCrc32:
      return CrcPoly{0xEDB88320u, 32};
    case ChecksumAlgorithm::kCrc32c:
      return CrcPoly{0x82F63B78u, 32};
    case ChecksumAlgorithm::kCrc64Nvme:
      return CrcPoly{0x9A6C9329AC4BC9B5ull, 64};
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      break;
  }
  return std::nullopt;
}

std::uint64_t FromBigEndian(std::string_view raw) {
  std::uint64_t v = 0;
  for (char c : raw) {
    v = (v << 8) | static_cast<std::uint8_t>(c);
  }
  return v;
}

// ---- OpenSSL digests. The EVP_MD objects are fetched once per process (an implicit fetch
// on every init is measurable on small inputs) and are immutable afterwards.

struct Digests {
  EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);

  Digests() {
    RELEASE_ASSERT(md5 != nullptr && sha1 != nullptr && sha256 != nullptr,
                   "OpenSSL lacks MD5, SHA1 or SHA256");
  }

  ~Digests() {
    EVP_MD_free(md5);
    EVP_MD_free(sha1);
    EVP_MD_free(sha256);
  }
};

const Digests& GetDigests() {
  static const Digests digests;
  return digests;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// One EVP_MD_CTX per Hasher, created once and re-initialised after each Finish.
class EvpHasher final : public Hasher {
 public:
  explicit EvpHasher(const EVP_MD* md) : md_(md), ctx_(EVP_MD_CTX_new()) {
    RELEASE_ASSERT(ctx_ != nullptr, "EVP_MD_CTX_new failed");
    Init();
  }

  void Update(std::span<const std::byte> data) override {
    RELEASE_ASSERT(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1,
                   "EVP_DigestUpdate failed");
  }

  std::string Finish() override {
    std::array<unsigned char, EVP_MAX_MD_SIZE> buf;
    unsigned int len = 0;
    RELEASE_ASSERT(EVP_DigestFinal_ex(ctx_.get(), buf.data(), &len) == 1,
                   "EVP_DigestFinal_ex failed");
    Init();
    return std::string(reinterpret_cast<const char*>(buf.data()), len);
  }

 private:
  void Init() {
    RELEASE_ASSERT(EVP_DigestInit_ex(ctx_.get(), md_, nullptr) == 1, "EVP_DigestInit_ex failed");
  }

  const EVP_MD* md_;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx_;
};

// A digest context per thread for the one-shot helpers, so SigV4's many small digests and
// HMACs neither allocate a context nor fetch an algorithm per call.
EVP_MD_CTX* ThreadContext() {
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  RELEASE_ASSERT(ctx != nullptr, "EVP_MD_CTX_new failed");
  return ctx.get();
}

using DigestBuf = std::array<unsigned char, EVP_MAX_MD_SIZE>;

// Digest of the concatenation of `parts` into `out`; returns its length.
unsigned int DigestParts(const EVP_MD* md, std::initializer_list<std::string_view> parts,
                         DigestBuf& out) {
  EVP_MD_CTX* ctx = ThreadContext();
  bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1;
  for (std::string_view p : parts) {
    ok = ok && EVP_DigestUpdate(ctx, p.data(), p.size()) == 1;
  }
  unsigned int len = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  RELEASE_ASSERT(ok, "EVP digest failed");
  return len;
}

std::string_view View(const unsigned char* p, std::size_t n) {
  return std::string_view(reinterpret_cast<const char*>(p), n);
}

std::string OneShot(const EVP_MD* md, std::string_view data) {
  DigestBuf buf;
  const unsigned int len = DigestParts(md, {data}, buf);
  return std::string(View(buf.data(), len));
}

// HMAC (RFC 2104) over the digest directly: OpenSSL 3's HMAC() fetches the MAC and the
// digest on every call, which costs about 5x more for SigV4's short inputs.
std::string Hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  const auto block = static_cast<std::size_t>(EVP_MD_get_block_size(md));
  std::array<unsigned char, 144> k0{};  // the largest block of MD5, SHA-1 and SHA-256 is 64
  RELEASE_ASSERT(block <= k0.size(), "HMAC: digest block too large");
  DigestBuf inner;
  if (key.size() > block) {
    const unsigned int n = DigestParts(md, {key}, inner);
    std::memcpy(k0.data(), inner.data(), n);
  } else {
    std::memcpy(k0.data(), key.data(), key.size());
  }
  std::array<unsigned char, 144> pad;
  for (std::size_t i = 0; i < block; ++i) {
    pad[i] = k0[i] ^ 0x36;
  }
  const unsigned int inner_len = DigestParts(md, {View(pad.data(), block), data}, inner);
  for (std::size_t i = 0; i < block; ++i) {
    pad[i] = k0[i] ^ 0x5c;
  }
  DigestBuf outer;
  const unsigned int len =
      DigestParts(md, {View(pad.data(), block), View(inner.data(), inner_len)}, outer);
  OPENSSL_cleanse(k0.data(), k0.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  return std::string(View(outer.data(), len));
}

}  // namespace

std::string_view ChecksumName(ChecksumAlgorithm algo) {
  switch (algo) {
    case ChecksumAlgorithm::kCrc32:
      return "CRC32";
    case ChecksumAlgorithm::kCrc32c:
      return "CRC32C";
    case ChecksumAlgorithm::kCrc64Nvme:
      return "CRC64NVME";
    case ChecksumAlgorithm::kSha1:
      return "SHA1";
    case ChecksumAlgorithm::kSha256:
      return "SHA256";
  }
  return "";
}

std::string ChecksumHeader(ChecksumAlgorithm algo) {
  std::string out = "x-amz-checksum-";
  for (char c : ChecksumName(algo)) {
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  for (auto algo :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
        ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
    std::string_view want = ChecksumName(algo);
    if (want.size() != name.size()) {
      continue;
    }
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      char c = name[i];
      if (c >= 'a' && c <= 'z') {
        c = static_cast<char>(c - 'a' + 'A');
      }
      same = c == want[i];
    }
    if (same) {
      return algo;
    }
  }
  return std::nullopt;
}

std::size_t ChecksumSize(ChecksumAlgorithm algo) {
  switch (algo) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c:
      return 4;
    case ChecksumAlgorithm::kCrc64Nvme:
      return 8;
    case ChecksumAlgorithm::kSha1:
      return 20;
    case ChecksumAlgorithm::kSha256:
      return 32;
  }
  return 0;
}

std::unique_ptr<Hasher> NewChecksumHasher(ChecksumAlgorithm algo) {
  switch (algo) {
    case ChecksumAlgorithm::kCrc32:
      return std::make_unique<Crc32Hasher>();
    case ChecksumAlgorithm::kCrc32c:
      return std::make_unique<Crc32cHasher>();
    case ChecksumAlgorithm::kCrc64Nvme:
      return std::make_unique<Crc64NvmeHasher>();
    case ChecksumAlgorithm::kSha1:
      return std::make_unique<EvpHasher>(GetDigests().sha1);
    case ChecksumAlgorithm::kSha256:
      return std::make_unique<EvpHasher>(GetDigests().sha256);
  }
  return nullptr;
}

bool IsCrc(ChecksumAlgorithm algo) {
  return PolyOf(algo).has_value();
}

std::optional<std::string> CombineCrc(ChecksumAlgorithm algo, std::string_view crc_a,
                                      std::string_view crc_b, std::uint64_t length_b) {
  const auto poly = PolyOf(algo);
  const std::size_t size = ChecksumSize(algo);
  if (!poly || crc_a.size() != size || crc_b.size() != size) {
    return std::nullopt;
  }
  const std::uint64_t combined =
      MulModP(*poly, XPow8nModP(*poly, length_b), FromBigEndian(crc_a)) ^ FromBigEndian(crc_b);
  if (poly->width == 32) {
    return BigEndian(static_cast<std::uint32_t>(combined));
  }
  return BigEndian(combined);
}

std::unique_ptr<Hasher> NewMd5Hasher() {
  return std::make_unique<EvpHasher>(GetDigests().md5);
}

std::unique_ptr<Hasher> NewSha256Hasher() {
  return std::make_unique<EvpHasher>(GetDigests().sha256);
}

std::string Md5(std::string_view data) {
  return OneShot(GetDigests().md5, data);
}

std::string Sha256(std::string_view data) {
  return OneShot(GetDigests().sha256, data);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  return Hmac(GetDigests().sha256, key, data);
}

std::string HmacSha1(std::string_view key, std::string_view data) {
  return Hmac(GetDigests().sha1, key, data);
}

}  // namespace cairn
