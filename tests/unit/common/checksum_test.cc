#include "common/checksum.h"

#include <atomic>
#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/crc64_nvme.h"

namespace cairn {
namespace checksum_test_internal {

std::string Hex(std::string_view raw) {
  return HexEncode(raw);
}

std::string Digest(ChecksumAlgorithm algo, std::string_view data) {
  auto h = NewChecksumHasher(algo);
  h->Update(data);
  return h->Finish();
}

// Bit-at-a-time reflected CRC, independent of the table and ISA-L implementations.
std::uint64_t ReferenceCrc(std::string_view data, std::uint64_t reflected_poly, int width) {
  const std::uint64_t mask = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
  std::uint64_t crc = mask;
  for (unsigned char c : data) {
    crc ^= c;
    for (int b = 0; b < 8; ++b) {
      crc = (crc >> 1) ^ ((crc & 1) ? reflected_poly : 0);
    }
  }
  return ~crc & mask;
}

std::string BigEndianHex(std::uint64_t v, int bytes) {
  std::string raw(bytes, '\0');
  for (int i = bytes - 1; i >= 0; --i) {
    raw[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return Hex(raw);
}

std::string RandomBytes(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) {
    c = static_cast<char>(rng());
  }
  return s;
}

TEST(Checksum, Names) {
  EXPECT_EQ(ChecksumName(ChecksumAlgorithm::kCrc64Nvme), "CRC64NVME");
  EXPECT_EQ(ChecksumHeader(ChecksumAlgorithm::kCrc32c), "x-amz-checksum-crc32c");
  EXPECT_EQ(ChecksumHeader(ChecksumAlgorithm::kSha256), "x-amz-checksum-sha256");
  EXPECT_EQ(ParseChecksumAlgorithm("crc32c"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(ParseChecksumAlgorithm("CRC32"), ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(ParseChecksumAlgorithm("Crc64Nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(ParseChecksumAlgorithm("sha1"), ChecksumAlgorithm::kSha1);
  EXPECT_EQ(ParseChecksumAlgorithm("SHA256"), ChecksumAlgorithm::kSha256);
  EXPECT_EQ(ParseChecksumAlgorithm("crc32x"), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm("crc3"), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm(""), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm("md5"), std::nullopt);
  for (auto algo :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
        ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
    EXPECT_EQ(ParseChecksumAlgorithm(ChecksumName(algo)), algo);
    EXPECT_EQ(Digest(algo, "x").size(), ChecksumSize(algo)) << ChecksumName(algo);
  }
}

TEST(Checksum, CheckValues) {
  // The "check" values of the CRC catalogue for "123456789".
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32, "123456789")), "cbf43926");
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32c, "123456789")), "e3069283");
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc64Nvme, "123456789")), "ae8b14860a799888");
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32, "The quick brown fox jumps over the lazy dog")),
            "414fa339");
}

TEST(Checksum, Crc32cIscsiVectors) {
  // RFC 3720 appendix B.4.
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32c, std::string(32, '\0'))), "8a9136aa");
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32c, std::string(32, '\xff'))), "62a8ab43");
  std::string inc(32, '\0');
  std::string dec(32, '\0');
  for (int i = 0; i < 32; ++i) {
    inc[i] = static_cast<char>(i);
    dec[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32c, inc)), "46dd794e");
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32c, dec)), "113fdb5c");
}

TEST(Checksum, S3Base64Examples) {
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kCrc32, "")), "AAAAAA==");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kCrc32c, "")), "AAAAAA==");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kCrc64Nvme, "")), "AAAAAAAAAAA=");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kSha1, "")), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kSha256, "")),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kCrc32, "123456789")), "y/Q5Jg==");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kCrc32c, "123456789")), "4waSgw==");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kCrc64Nvme, "123456789")), "rosUhgp5mIg=");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kSha256, "abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  EXPECT_EQ(Base64Encode(Digest(ChecksumAlgorithm::kSha1, "abc")), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
}

TEST(Checksum, DigestVectors) {
  const std::string fox = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(Hex(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Hex(Md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Hex(Md5(fox)), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kSha1, fox)), "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
  EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kSha256, fox)),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
  auto md5 = NewMd5Hasher();
  md5->Update(fox);
  EXPECT_EQ(Hex(md5->Finish()), "9e107d9d372bb6826bd81d3542a419d6");
  auto sha = NewSha256Hasher();
  sha->Update("ab");
  sha->Update("c");
  EXPECT_EQ(Hex(sha->Finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Checksum, HmacVectors) {
  const std::string key_0b(20, '\x0b');
  // RFC 4231 test cases 1, 2 and 6.
  EXPECT_EQ(Hex(HmacSha256(key_0b, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // RFC 4231 test case 7: key and data both longer than a block.
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "This is a test using a larger than block-size key and a larger than "
                           "block-size data. The key needs to be hashed before being used by the "
                           "HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  // Keys of exactly one block and one byte more, and the empty key and message.
  EXPECT_EQ(Hex(HmacSha256(std::string(64, '\xaa'), "x")),
            "ce3c639dcb9d8baae5d44c3b8b5e233faab4d1860e07489af5c84f213998bd79");
  EXPECT_EQ(Hex(HmacSha256(std::string(65, '\xaa'), "x")),
            "c2b9a0a013df029c7d812c5ac18388feef0194ee64fcc5f321d149c06137caa3");
  EXPECT_EQ(Hex(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  // RFC 2202 test cases 1, 2 and 6.
  EXPECT_EQ(Hex(HmacSha1(key_0b, "Hi There")), "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(Hex(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(Hex(HmacSha1(std::string(80, '\xaa'),
                         "Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(Checksum, HmacMatchesOpenSslHmac) {
  std::mt19937_64 rng(19);
  for (int i = 0; i < 500; ++i) {
    const std::string key = RandomBytes(rng, rng() % 150);
    const std::string data = RandomBytes(rng, rng() % 300);
    for (const EVP_MD* md : {EVP_sha256(), EVP_sha1()}) {
      unsigned char buf[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      ASSERT_NE(HMAC(md, key.data(), static_cast<int>(key.size()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(), buf, &len),
                nullptr);
      const std::string want(reinterpret_cast<const char*>(buf), len);
      const std::string got = md == EVP_sha1() ? HmacSha1(key, data) : HmacSha256(key, data);
      ASSERT_EQ(Hex(got), Hex(want)) << "key " << key.size() << " data " << data.size();
    }
  }
}

TEST(Checksum, OneShotsFromManyThreads) {
  // The one-shot helpers keep a digest context per thread; results must not depend on it.
  constexpr int kMessages = 1000;
  std::vector<std::string> want_hmac;
  std::vector<std::string> want_sha;
  std::vector<std::string> want_md5;
  for (int i = 0; i < kMessages; ++i) {
    const std::string msg = std::to_string(i * 7919);
    want_hmac.push_back(HmacSha256("key", msg));
    want_sha.push_back(Sha256(msg));
    want_md5.push_back(Md5(msg));
  }
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (int k = 0; k < kMessages; ++k) {
          const int i = (k + t * 250) % kMessages;
          const std::string msg = std::to_string(i * 7919);
          if (HmacSha256("key", msg) != want_hmac[i] || Sha256(msg) != want_sha[i] ||
              Md5(msg) != want_md5[i]) {
            ++bad;
          }
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(bad.load(), 0);
}

TEST(Checksum, CrcsMatchBitwiseReference) {
  std::mt19937_64 rng(42);
  for (std::size_t n : {0u,   1u,   7u,   8u,   9u,   15u,  16u,  31u,  63u,   64u,    65u,
                        127u, 128u, 129u, 143u, 144u, 255u, 256u, 257u, 4096u, 100003u}) {
    const std::string data = RandomBytes(rng, n);
    EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32, data)),
              BigEndianHex(ReferenceCrc(data, 0xEDB88320u, 32), 4))
        << n;
    EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc32c, data)),
              BigEndianHex(ReferenceCrc(data, 0x82F63B78u, 32), 4))
        << n;
    EXPECT_EQ(Hex(Digest(ChecksumAlgorithm::kCrc64Nvme, data)),
              BigEndianHex(ReferenceCrc(data, 0x9A6C9329AC4BC9B5ull, 64), 8))
        << n;
  }
}

TEST(Checksum, Crc64NvmeFoldingMatchesTables) {
  // Every length around the folding thresholds (256- and 128-byte main loops, 16-byte tail),
  // from misaligned starts and with a non-trivial starting register.
  std::mt19937_64 rng(5);
  const std::string data = RandomBytes(rng, 5000);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  for (std::size_t offset : {0u, 1u, 3u, 8u, 15u}) {
    for (std::size_t n = 0; n <= 1200; ++n) {
      const std::uint64_t reg = rng();
      const std::uint64_t want = internal::Crc64NvmeUpdateTableForTest(reg, bytes + offset, n);
      ASSERT_EQ(internal::Crc64NvmeUpdate(reg, bytes + offset, n), want)
          << "offset " << offset << " n " << n;
      ASSERT_EQ(internal::Crc64NvmeUpdateClmulForTest(reg, bytes + offset, n), want)
          << "offset " << offset << " n " << n;
    }
  }
  for (std::size_t n : {2048u, 4095u, 4096u, 4999u}) {
    const std::uint64_t want = internal::Crc64NvmeUpdateTableForTest(~0ull, bytes, n);
    ASSERT_EQ(internal::Crc64NvmeUpdate(~0ull, bytes, n), want) << n;
    ASSERT_EQ(internal::Crc64NvmeUpdateClmulForTest(~0ull, bytes, n), want) << n;
  }
}

TEST(Checksum, IncrementalEqualsOneShotOverRandomSplits) {
  std::mt19937_64 rng(7);
  const std::string data = RandomBytes(rng, 200000);
  for (auto algo :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
        ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
    const std::string whole = Digest(algo, data);
    auto h = NewChecksumHasher(algo);
    for (int round = 0; round < 20; ++round) {
      std::size_t pos = 0;
      while (pos < data.size()) {
        // Mostly small pieces, sometimes empty, sometimes large.
        std::size_t piece = rng() % 4 == 0 ? rng() % 50000 : rng() % 100;
        piece = std::min(piece, data.size() - pos);
        h->Update(std::string_view(data).substr(pos, piece));
        pos += piece;
      }
      // Finish resets the hasher, so the same one is reused every round.
      ASSERT_EQ(Hex(h->Finish()), Hex(whole)) << ChecksumName(algo) << " round " << round;
    }
  }
  auto md5 = NewMd5Hasher();
  for (int round = 0; round < 5; ++round) {
    std::size_t pos = 0;
    while (pos < data.size()) {
      const std::size_t piece = std::min<std::size_t>(rng() % 7000, data.size() - pos);
      md5->Update(std::string_view(data).substr(pos, piece));
      pos += piece;
    }
    ASSERT_EQ(Hex(md5->Finish()), Hex(Md5(data)));
  }
}

TEST(Hex, RoundTripAndRejects) {
  std::mt19937_64 rng(3);
  for (std::size_t n = 0; n < 70; ++n) {
    const std::string raw = RandomBytes(rng, n);
    const std::string hex = HexEncode(raw);
    EXPECT_EQ(hex.size(), 2 * n);
    EXPECT_EQ(HexDecode(hex), raw);
  }
  EXPECT_EQ(HexEncode("\x01\xab\xff"), "01abff");
  EXPECT_EQ(HexDecode("01ABff"), std::string("\x01\xab\xff"));
  EXPECT_EQ(HexDecode(""), std::string());
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
  EXPECT_EQ(HexDecode("zz"), std::nullopt);
  EXPECT_EQ(HexDecode("0g"), std::nullopt);
  EXPECT_EQ(HexDecode(" 0"), std::nullopt);
}

TEST(Base64, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> cases = {{"", ""},
                                                                  {"f", "Zg=="},
                                                                  {"fo", "Zm8="},
                                                                  {"foo", "Zm9v"},
                                                                  {"foob", "Zm9vYg=="},
                                                                  {"fooba", "Zm9vYmE="},
                                                                  {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, b64] : cases) {
    EXPECT_EQ(Base64Encode(raw), b64);
    EXPECT_EQ(Base64Decode(b64), raw);
  }
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Decode("+/8="), std::string("\xfb\xff"));
}

TEST(Base64, RoundTrip) {
  std::mt19937_64 rng(11);
  for (std::size_t n = 0; n < 200; ++n) {
    const std::string raw = RandomBytes(rng, n);
    const std::string b64 = Base64Encode(raw);
    EXPECT_EQ(b64.size() % 4, 0u);
    EXPECT_EQ(Base64Decode(b64), raw) << n;
  }
}

TEST(Base64, RejectsBadInput) {
  for (std::string_view bad : {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm=v", "Zg=a",
                               "Zm9v!A==", "Zm9v\nYg==", " Zm9v", "Zm9v ", "Zm9-", "Zm9_",
                               "Zh==", "Zm9=", "AAAAAB==", "A", "=AAA"}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
  // A NUL inside the input is not a base64 character.
  EXPECT_EQ(Base64Decode(std::string("Zm9\0", 4)), std::nullopt);
}

TEST(Base64, DecodeAcceptsOnlyCanonicalEncodings) {
  // Whatever decodes must re-encode to exactly the input: one encoding per byte string.
  std::mt19937_64 rng(13);
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n";
  int decoded = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string s(rng() % 13, '\0');
    for (auto& c : s) {
      c = alphabet[rng() % alphabet.size()];
    }
    if (auto raw = Base64Decode(s)) {
      ++decoded;
      ASSERT_EQ(Base64Encode(*raw), s);
    }
  }
  EXPECT_GT(decoded, 100);  // the generator does produce valid strings
}

TEST(Hex, DecodeRoundTripsAnyValidInput) {
  std::mt19937_64 rng(17);
  const std::string alphabet = "0123456789abcdefABCDEFgG ";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 9, '\0');
    for (auto& c : s) {
      c = alphabet[rng() % alphabet.size()];
    }
    if (auto raw = HexDecode(s)) {
      std::string lower = s;
      for (auto& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      ASSERT_EQ(HexEncode(*raw), lower);
    } else {
      ASSERT_TRUE(s.size() % 2 == 1 || s.find_first_of("gG ") != std::string::npos) << s;
    }
  }
}

TEST(ConstantTimeEqual, Compares) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEqual("", "a"));
  EXPECT_FALSE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// CombineCrc(crc(A), crc(B), |B|) is crc(A || B) for the three CRCs, at every split of random
// inputs, lengths across byte and word boundaries, and empty halves.
TEST(CombineCrc, MatchesTheCrcOfTheConcatenation) {
  std::mt19937_64 rng(23);
  for (auto algo :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    EXPECT_TRUE(IsCrc(algo));
    for (std::size_t n : {0, 1, 7, 8, 9, 64, 1000, 70000}) {
      const std::string data = RandomBytes(rng, n);
      for (std::size_t cut : {std::size_t{0}, n / 3, n / 2, n}) {
        const std::string a = data.substr(0, cut);
        const std::string b = data.substr(cut);
        auto combined = CombineCrc(algo, Digest(algo, a), Digest(algo, b), b.size());
        ASSERT_TRUE(combined.has_value());
        EXPECT_EQ(Hex(*combined), Hex(Digest(algo, data)))
            << ChecksumName(algo) << " n=" << n << " cut=" << cut;
      }
    }
  }
}

TEST(CombineCrc, FoldsManyParts) {
  std::mt19937_64 rng(29);
  const std::string data = RandomBytes(rng, 5 * 4096 + 17);
  for (auto algo :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    std::string total = Digest(algo, data.substr(0, 4096));
    for (std::size_t off = 4096; off < data.size(); off += 4096) {
      const std::string part = data.substr(off, 4096);
      total = CombineCrc(algo, total, Digest(algo, part), part.size()).value();
    }
    EXPECT_EQ(Hex(total), Hex(Digest(algo, data))) << ChecksumName(algo);
  }
}

TEST(CombineCrc, RefusesDigestsAndWrongSizes) {
  EXPECT_FALSE(IsCrc(ChecksumAlgorithm::kSha1));
  EXPECT_FALSE(IsCrc(ChecksumAlgorithm::kSha256));
  EXPECT_FALSE(CombineCrc(ChecksumAlgorithm::kSha256, std::string(32, 'a'), std::string(32, 'b'), 1)
                   .has_value());
  EXPECT_FALSE(CombineCrc(ChecksumAlgorithm::kCrc32, "abc", "abcd", 1).has_value());
  EXPECT_FALSE(CombineCrc(ChecksumAlgorithm::kCrc64Nvme, "abcd", "abcd", 1).has_value());
}

}  // namespace checksum_test_internal
}  // namespace cairn
