#include "crypto/package.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "crypto/keys.h"
#include "testing/string_source.h"
#include "testing/sync_wait.h"

namespace cairn::crypto {
namespace {

using cairn::testing::StringSource;
using cairn::testing::SyncWait;

constexpr std::size_t kP = kPackagePayload;

std::string RandomData(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) {
    c = static_cast<char>(rng());
  }
  return s;
}

Key TestKey(std::uint8_t seed) {
  Key k;
  for (std::size_t i = 0; i < k.size(); ++i) {
    k[i] = static_cast<std::byte>(seed + i * 7);
  }
  return k;
}

std::span<const std::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// A StringSource that remembers whether it has reported its end, and can fail instead.
class TrackingSource final : public ByteSource {
 public:
  TrackingSource(std::string data, std::size_t chunk) : inner_(std::move(data), chunk) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    if (fail_after_ >= 0 && static_cast<std::int64_t>(inner_.consumed()) >= fail_after_) {
      co_return Status(Errc::kIncompleteBody, "peer went away");
    }
    auto n = co_await inner_.Read(buf);
    if (n.ok() && *n == 0) {
      ended_ = true;
    }
    co_return n;
  }

  bool ended() const { return ended_; }

  void FailAfter(std::int64_t bytes) { fail_after_ = bytes; }

 private:
  StringSource inner_;
  bool ended_ = false;
  std::int64_t fail_after_ = -1;
};

// Drains an EncryptingSource with reads of `buf_size` bytes; checks that `inner` ended first.
Result<std::string> Encrypt(const std::string& data, const Key& key, Cipher cipher,
                            std::size_t buf_size = 100000, std::size_t chunk = 100000) {
  TrackingSource inner(data, chunk);
  EncryptingSource enc(inner, key, cipher);
  return SyncWait([&]() -> Task<Result<std::string>> {
    std::string out;
    std::vector<std::byte> buf(buf_size);
    for (;;) {
      CO_ASSIGN_OR_RETURN(std::size_t n, co_await enc.Read(buf));
      if (n == 0) {
        break;
      }
      EXPECT_LE(n, buf_size);
      out.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    EXPECT_TRUE(inner.ended()) << "the source ended before its inner source";
    CO_ASSIGN_OR_RETURN(std::size_t again, co_await enc.Read(buf));
    EXPECT_EQ(again, 0u);
    co_return out;
  }());
}

std::string MustEncrypt(const std::string& data, const Key& key,
                        Cipher cipher = PreferredCipher()) {
  auto r = Encrypt(data, key, cipher);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

// Feeds `stream` to a decryptor in pieces of `split` bytes.
Result<std::string> Decrypt(std::string_view stream, const Key& key, std::uint32_t first = 0,
                            bool expect_end = true, std::size_t split = 1 << 20) {
  PackageDecryptor dec(key, first);
  std::string out;
  for (std::size_t i = 0; i < stream.size(); i += split) {
    Status st = dec.Update(Bytes(stream.substr(i, split)), out);
    if (!st.ok()) {
      return st;
    }
  }
  Status st = dec.Finish(expect_end, out);
  if (!st.ok()) {
    return st;
  }
  return out;
}

const std::vector<std::size_t> kSizes = {0, 1, kP - 1, kP, kP + 1, 3 * kP + 5};

TEST(Package, RoundTripsWithAnyReadAndSplitSize) {
  const Key key = TestKey(1);
  for (std::size_t size : kSizes) {
    const std::string data = RandomData(size, static_cast<std::uint32_t>(size));
    for (std::size_t buf : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, kPackageSize - 1,
                            kPackageSize, kPackageSize + 1, std::size_t{4} << 20}) {
      for (std::size_t chunk : {std::size_t{1000}, std::size_t{100000}}) {
        SCOPED_TRACE(::testing::Message()
                     << "size " << size << " buf " << buf << " chunk " << chunk);
        auto enc = Encrypt(data, key, PreferredCipher(), buf, chunk);
        ASSERT_TRUE(enc.ok()) << enc.status().ToString();
        EXPECT_EQ(static_cast<std::int64_t>(enc->size()),
                  EncryptedSize(static_cast<std::int64_t>(size)));
        EXPECT_EQ(PlainSize(static_cast<std::int64_t>(enc->size())),
                  static_cast<std::int64_t>(size));
        for (std::size_t split : {std::size_t{1} << 30, std::size_t{999}, kPackageSize + 3}) {
          auto dec = Decrypt(*enc, key, 0, true, split);
          ASSERT_TRUE(dec.ok()) << dec.status().ToString();
          EXPECT_TRUE(*dec == data);
        }
      }
    }
  }
}

TEST(Package, SmallReadsFromAByteAtATimeSource) {
  const Key key = TestKey(2);
  const std::string data = RandomData(kP + 10, 3);
  auto enc = Encrypt(data, key, PreferredCipher(), 13, 1);
  ASSERT_TRUE(enc.ok());
  auto dec = Decrypt(*enc, key, 0, true, 1);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_TRUE(*dec == data);
}

TEST(Package, BothCiphersRoundTripAndAreNamedInTheHeader) {
  const Key key = TestKey(3);
  const std::string data = RandomData(2 * kP + 100, 4);
  for (Cipher c : {Cipher::kAes256Gcm, Cipher::kChaCha20Poly1305}) {
    const std::string enc = MustEncrypt(data, key, c);
    ASSERT_EQ(enc.size(), data.size() + 3 * kPackageOverhead);
    for (std::size_t p = 0; p < 3; ++p) {
      const std::size_t at = p * kPackageSize;
      EXPECT_EQ(enc[at], 1);                         // version
      EXPECT_EQ(enc[at + 1], static_cast<char>(c));  // cipher
      EXPECT_EQ(enc[at + 2], p == 2 ? 1 : 0);        // final flag
      EXPECT_EQ(enc[at + 3], 0);
      EXPECT_EQ(enc.substr(at + 4, 12), enc.substr(4, 12));  // one stream nonce
    }
    auto dec = Decrypt(enc, key);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    EXPECT_TRUE(*dec == data);
  }
  // The two ciphers give different streams; each stream draws its own nonce.
  EXPECT_NE(MustEncrypt(data, key, Cipher::kAes256Gcm).substr(16, 100),
            MustEncrypt(data, key, Cipher::kChaCha20Poly1305).substr(16, 100));
  EXPECT_NE(MustEncrypt(data, key).substr(4, 12), MustEncrypt(data, key).substr(4, 12));
}

TEST(Package, EmptyPlaintextIsOneEmptyFinalPackage) {
  const Key key = TestKey(4);
  const std::string enc = MustEncrypt("", key);
  ASSERT_EQ(enc.size(), kPackageOverhead);
  EXPECT_EQ(enc[2], 1);
  auto dec = Decrypt(enc, key);
  ASSERT_TRUE(dec.ok());
  EXPECT_TRUE(dec->empty());
  EXPECT_EQ(Decrypt("", key).code(), Errc::kObjectTampered);  // cut to nothing
}

TEST(Package, SizesAreInverse) {
  EXPECT_EQ(EncryptedSize(0), 32);
  EXPECT_EQ(EncryptedSize(1), 33);
  EXPECT_EQ(EncryptedSize(kP), static_cast<std::int64_t>(kPackageSize));
  EXPECT_EQ(EncryptedSize(kP + 1), static_cast<std::int64_t>(kPackageSize + 33));
  EXPECT_EQ(EncryptedSize(-1), -1);
  EXPECT_EQ(PlainSize(0), -1);
  EXPECT_EQ(PlainSize(-5), -1);
  EXPECT_EQ(PlainSize(31), -1);
  EXPECT_EQ(PlainSize(32), 0);
  EXPECT_EQ(PlainSize(kPackageSize + 31), -1);
  EXPECT_EQ(PlainSize(kPackageSize + 32), -1);  // no empty package after a full one
  EXPECT_EQ(PlainSize(kPackageSize + 33), static_cast<std::int64_t>(kP + 1));
  for (std::int64_t p = 0; p < 4 * static_cast<std::int64_t>(kP) + 100; p += 1 + p % 997) {
    EXPECT_EQ(PlainSize(EncryptedSize(p)), p) << p;
  }
  const std::int64_t big = std::int64_t{5} << 40;  // 5 TiB, the largest object
  for (std::int64_t p : {big - 1, big, big + 1}) {
    EXPECT_EQ(PlainSize(EncryptedSize(p)), p) << p;
  }
  // Every stored size is either invalid or the image of exactly one plaintext size.
  std::int64_t last = -1;
  for (std::int64_t e = 0; e < 3 * static_cast<std::int64_t>(kPackageSize) + 100; ++e) {
    const std::int64_t p = PlainSize(e);
    if (p >= 0) {
      ASSERT_EQ(EncryptedSize(p), e) << e;
      ASSERT_GT(p, last);
      last = p;
    }
  }
}

// Checks every range [offset, offset + length) with both ends in `points`.
void CheckRanges(const std::string& data, const std::string& enc, const Key& key,
                 const std::set<std::int64_t>& points) {
  const auto size = static_cast<std::int64_t>(data.size());
  for (std::int64_t offset : points) {
    for (std::int64_t end : points) {
      if (end < offset) {
        continue;
      }
      const std::int64_t length = end - offset;
      SCOPED_TRACE(::testing::Message() << "size " << size << " range " << offset << "+" << length);
      const PackageRange r = PackagesFor(size, offset, length);
      ASSERT_GE(r.encrypted_offset, 0);
      ASSERT_LE(r.encrypted_offset + r.encrypted_length, static_cast<std::int64_t>(enc.size()));
      if (length > 0 || size == 0) {
        ASSERT_EQ(r.reaches_end,
                  r.encrypted_offset + r.encrypted_length == static_cast<std::int64_t>(enc.size()));
      }
      const std::string_view stored =
          std::string_view(enc).substr(static_cast<std::size_t>(r.encrypted_offset),
                                       static_cast<std::size_t>(r.encrypted_length));
      auto out = Decrypt(stored, key, r.first_sequence, r.reaches_end, 50000);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      ASSERT_GE(static_cast<std::int64_t>(out->size()), r.skip + length);
      ASSERT_LT(r.skip, static_cast<std::int64_t>(kP));
      if (length > 0) {
        // No package more than needed.
        ASSERT_LT(static_cast<std::int64_t>(out->size()) - (r.skip + length),
                  static_cast<std::int64_t>(kP));
      } else if (size > 0) {
        ASSERT_EQ(r.encrypted_length, 0);
      }
      ASSERT_TRUE(out->substr(static_cast<std::size_t>(r.skip), static_cast<std::size_t>(length)) ==
                  data.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length)));
    }
  }
}

TEST(Package, EveryRangeDecryptsToItsBytes) {
  const Key key = TestKey(5);
  for (std::size_t size : {std::size_t{200} * 1024, 3 * kP, std::size_t{1}}) {
    const std::string data = RandomData(size, 6);
    const std::string enc = MustEncrypt(data, key);
    for (std::int64_t stride : {8191, 30000}) {
      std::set<std::int64_t> points;
      for (std::int64_t p = 0; p <= static_cast<std::int64_t>(size); p += stride) {
        points.insert(p);
      }
      for (std::int64_t b = 0; b <= static_cast<std::int64_t>(size) + 1; b += kP) {
        for (std::int64_t d : {-1, 0, 1}) {
          if (b + d >= 0 && b + d <= static_cast<std::int64_t>(size)) {
            points.insert(b + d);
          }
        }
      }
      points.insert(static_cast<std::int64_t>(size) - 1);
      points.insert(static_cast<std::int64_t>(size));
      CheckRanges(data, enc, key, points);
    }
  }
}

TEST(Package, EveryRangeOfASmallObjectAndOfAnEmptyOne) {
  const Key key = TestKey(6);
  const std::string data = RandomData(150, 7);
  std::set<std::int64_t> points;
  for (std::int64_t p = 0; p <= 150; ++p) {
    points.insert(p);
  }
  CheckRanges(data, MustEncrypt(data, key), key, points);
  const PackageRange r = PackagesFor(0, 0, 0);
  EXPECT_EQ(r.encrypted_offset, 0);
  EXPECT_EQ(r.encrypted_length, 32);
  EXPECT_TRUE(r.reaches_end);
  CheckRanges("", MustEncrypt("", key), key, {0});
}

TEST(Package, FlippedBytesAreTampering) {
  const Key key = TestKey(7);
  const std::string data = RandomData(2 * kP + 500, 8);
  const std::string enc = MustEncrypt(data, key);
  std::vector<std::size_t> positions;
  for (std::size_t base : {std::size_t{0}, kPackageSize, 2 * kPackageSize}) {
    for (std::size_t i = 0; i < kPackageHeader; ++i) {
      positions.push_back(base + i);  // header
    }
    positions.push_back(base + kPackageHeader);       // first ciphertext byte
    positions.push_back(base + kPackageHeader + 77);  // ciphertext
  }
  for (std::size_t tag_end : {kPackageSize, 2 * kPackageSize, enc.size()}) {
    for (std::size_t i = 1; i <= kPackageTag; ++i) {
      positions.push_back(tag_end - i);
    }
  }
  for (std::size_t pos : positions) {
    for (char bit : {char{1}, char{-128}}) {
      std::string bad = enc;
      bad[pos] = static_cast<char>(bad[pos] ^ bit);
      SCOPED_TRACE(::testing::Message() << "byte " << pos << " bit " << int{bit});
      PackageDecryptor dec(key, 0);
      std::string out;
      Status st = dec.Update(Bytes(bad), out);
      if (st.ok()) {
        st = dec.Finish(true, out);
      }
      EXPECT_EQ(st.code(), Errc::kObjectTampered);
      // Only the packages before the damaged one were released.
      EXPECT_EQ(out.size(), pos / kPackageSize * kP);
    }
  }
}

TEST(Package, MovedPackagesAreTampering) {
  const Key key = TestKey(8);
  const std::string data = RandomData(3 * kP + 5, 9);
  const std::string enc = MustEncrypt(data, key);
  auto package = [&](const std::string& s, std::size_t i) {
    return s.substr(i * kPackageSize, kPackageSize);
  };
  // Swapped.
  std::string swapped = package(enc, 1) + package(enc, 0) + enc.substr(2 * kPackageSize);
  EXPECT_EQ(Decrypt(swapped, key).code(), Errc::kObjectTampered);
  // Duplicated.
  std::string doubled = package(enc, 0) + enc;
  EXPECT_EQ(Decrypt(doubled, key).code(), Errc::kObjectTampered);
  // Taken from another stream of the same plaintext under the same key.
  const std::string other = MustEncrypt(data, key);
  std::string mixed = package(enc, 0) + package(other, 1) + enc.substr(2 * kPackageSize);
  EXPECT_EQ(Decrypt(mixed, key).code(), Errc::kObjectTampered);
  // Decrypted as if it were at another sequence number.
  EXPECT_EQ(Decrypt(package(enc, 1), key, 0, false).code(), Errc::kObjectTampered);
  EXPECT_TRUE(Decrypt(package(enc, 1), key, 1, false).ok());
}

TEST(Package, CutStreamsAreTampering) {
  const Key key = TestKey(9);
  const std::string data = RandomData(3 * kP + 5, 10);
  const std::string enc = MustEncrypt(data, key);
  const std::string two = enc.substr(0, 2 * kPackageSize);
  EXPECT_EQ(Decrypt(two, key, 0, true).code(), Errc::kObjectTampered);
  auto ok = Decrypt(two, key, 0, false);  // a range that ends there
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(*ok == data.substr(0, 2 * kP));
  // Cut inside a package: partial package left over, with or without expect_end.
  for (std::size_t cut : {kPackageSize + 1, kPackageSize + 20, 2 * kPackageSize - 1, enc.size() - 1,
                          enc.size() - 16}) {
    EXPECT_EQ(Decrypt(enc.substr(0, cut), key, 0, true).code(), Errc::kObjectTampered) << cut;
    EXPECT_EQ(Decrypt(enc.substr(0, cut), key, 0, false).code(), Errc::kObjectTampered) << cut;
  }
  // A stream of whole packages only, cut after one.
  const std::string full = MustEncrypt(RandomData(2 * kP, 11), key);
  ASSERT_EQ(full.size(), 2 * kPackageSize);
  EXPECT_EQ(Decrypt(full.substr(0, kPackageSize), key).code(), Errc::kObjectTampered);
  EXPECT_TRUE(Decrypt(full, key).ok());
}

TEST(Package, BytesAfterTheFinalPackageAreTampering) {
  const Key key = TestKey(10);
  const std::string enc = MustEncrypt(RandomData(100, 12), key);
  EXPECT_EQ(Decrypt(enc + "x", key).code(), Errc::kObjectTampered);
  EXPECT_EQ(Decrypt(enc + enc, key).code(), Errc::kObjectTampered);
  const std::string full = MustEncrypt(RandomData(kP, 13), key);
  EXPECT_EQ(Decrypt(full + "x", key, 0, true, 1 << 30).code(), Errc::kObjectTampered);
  EXPECT_EQ(Decrypt(full + "x", key, 0, true, kPackageSize).code(), Errc::kObjectTampered);
  EXPECT_EQ(Decrypt(full + full, key).code(), Errc::kObjectTampered);
}

TEST(Package, WrongKeyIsTampering) {
  const std::string enc = MustEncrypt(RandomData(1000, 14), TestKey(11));
  EXPECT_EQ(Decrypt(enc, TestKey(12)).code(), Errc::kObjectTampered);
  const std::string empty = MustEncrypt("", TestKey(11));
  EXPECT_EQ(Decrypt(empty, TestKey(12)).code(), Errc::kObjectTampered);
}

TEST(Package, InnerErrorsPassThrough) {
  TrackingSource inner(RandomData(3 * kP, 15), 4096);
  inner.FailAfter(kP + 100);
  EncryptingSource enc(inner, TestKey(13));
  auto st = SyncWait([&]() -> Task<Status> {
    std::vector<std::byte> buf(10000);
    for (;;) {
      CO_ASSIGN_OR_RETURN(std::size_t n, co_await enc.Read(buf));
      if (n == 0) {
        co_return Status();
      }
    }
  }());
  EXPECT_EQ(st.code(), Errc::kIncompleteBody);
}

// One package sealed by the format's definition (docs/format.md "Encryption"), with a fresh
// OpenSSL context: an independent check of the header, nonce derivation and associated data.
std::string SealReference(const Key& key, Cipher cipher, std::string_view stream_nonce,
                          std::uint32_t sequence, bool final, std::string_view payload) {
  std::string header = {char{1}, static_cast<char>(cipher), final ? char{1} : char{0}, char{0}};
  header += stream_nonce;
  std::string nonce(stream_nonce);
  for (int i = 0; i < 4; ++i) {
    nonce[11 - i] = static_cast<char>(nonce[11 - i] ^ static_cast<char>(sequence >> (8 * i)));
  }
  auto u = [](const void* p) { return static_cast<const unsigned char*>(p); };
  std::string out = header + std::string(payload.size() + kPackageTag, '\0');
  auto* body = reinterpret_cast<unsigned char*>(out.data()) + kPackageHeader;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  const bool ok =
      EVP_EncryptInit_ex(ctx,
                         cipher == Cipher::kAes256Gcm ? EVP_aes_256_gcm() : EVP_chacha20_poly1305(),
                         nullptr, u(key.data()), u(nonce.data())) == 1 &&
      EVP_EncryptUpdate(ctx, nullptr, &n, u(header.data()), 16) == 1 &&
      EVP_EncryptUpdate(ctx, body, &n, u(payload.data()), static_cast<int>(payload.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, body + payload.size(), &n) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, body + payload.size()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_TRUE(ok);
  return out;
}

TEST(Package, MatchesTheDocumentedFormat) {
  const Key key = TestKey(14);
  const std::string data = RandomData(2 * kP + 321, 16);
  for (Cipher c : {Cipher::kAes256Gcm, Cipher::kChaCha20Poly1305}) {
    const std::string enc = MustEncrypt(data, key, c);
    const std::string nonce = enc.substr(4, 12);
    std::string expected;
    for (std::uint32_t i = 0; i < 3; ++i) {
      expected +=
          SealReference(key, c, nonce, i, i == 2, std::string_view(data).substr(i * kP, kP));
    }
    EXPECT_TRUE(enc == expected);
  }
}

TEST(Package, EachPackageNamesItsCipher) {
  const Key key = TestKey(15);
  const std::string data = RandomData(kP + 9, 17);
  const std::string nonce = "0123456789ab";
  const std::string mixed =
      SealReference(key, Cipher::kChaCha20Poly1305, nonce, 0, false, data.substr(0, kP)) +
      SealReference(key, Cipher::kAes256Gcm, nonce, 1, true, data.substr(kP));
  auto out = Decrypt(mixed, key, 0, true, 1000);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(*out == data);
  // An unknown cipher byte is refused, as is a reserved bit.
  std::string bad = mixed;
  bad[1] = 2;
  EXPECT_EQ(Decrypt(bad, key).code(), Errc::kObjectTampered);
  const std::string odd = SealReference(key, Cipher::kAes256Gcm, nonce, 0, true, "abc");
  EXPECT_TRUE(Decrypt(odd, key).ok());
  bad = odd;
  bad[3] = 1;
  EXPECT_EQ(Decrypt(bad, key).code(), Errc::kObjectTampered);
}

TEST(Package, PreferredCipherIsStable) {
  const Cipher c = PreferredCipher();
  EXPECT_TRUE(c == Cipher::kAes256Gcm || c == Cipher::kChaCha20Poly1305);
  EXPECT_EQ(PreferredCipher(), c);
}

}  // namespace
}  // namespace cairn::crypto
