#include "object/hash_reader.h"

#include <gtest/gtest.h>

#include "common/checksum.h"
#include "object_fixture.h"

namespace cairn::object::test {
namespace hash_reader_test_internal {

// Reads the whole body in small pieces; returns the error of the failing read, if any.
Result<std::string> Drain(HashReader& r) {
  return SyncWait([&]() -> Task<Result<std::string>> {
    std::string out;
    std::vector<std::byte> buf(777);
    for (;;) {
      CO_ASSIGN_OR_RETURN(std::size_t n, co_await r.Read(buf));
      if (n == 0) {
        co_return out;
      }
      out.append(reinterpret_cast<const char*>(buf.data()), n);
    }
  }());
}

TEST(HashReader, ComputesMd5AndPassesBytes) {
  std::string data = RandomData(100003, 1);
  StringSource src(data, 4096);
  HashExpectations ex;
  ex.size = static_cast<std::int64_t>(data.size());
  HashReader r(src, ex);
  auto out = Drain(r);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, data);
  EXPECT_EQ(r.md5_hex(), HexEncode(Md5(data)));
  EXPECT_EQ(r.bytes_read(), static_cast<std::int64_t>(data.size()));
  EXPECT_FALSE(r.checksum().has_value());
}

TEST(HashReader, EnforcesDeclaredSize) {
  std::string data = RandomData(5000, 2);
  {
    StringSource src(data);
    HashExpectations ex;
    ex.size = 5001;
    HashReader r(src, ex);
    EXPECT_EQ(Drain(r).code(), Errc::kIncompleteBody);
  }
  {
    StringSource src(data);
    HashExpectations ex;
    ex.size = 4999;
    HashReader r(src, ex);
    EXPECT_EQ(Drain(r).code(), Errc::kEntityTooLarge);
  }
  {
    StringSource src(data);
    HashReader r(src, {});  // unknown size: read to the end
    auto out = Drain(r);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->size(), data.size());
  }
}

TEST(HashReader, UnknownSizeStopsAtTheCap) {
  // Transfer-Encoding: chunked declares no size: the 5 TiB / 5 GiB cap still holds.
  std::string data = RandomData(5000, 3);
  for (std::int64_t cap : {4999, 5000}) {
    StringSource src(data, 1000);
    HashExpectations ex;
    ex.max_size = cap;
    HashReader r(src, ex);
    auto out = Drain(r);
    if (cap < 5000) {
      EXPECT_EQ(out.code(), Errc::kEntityTooLarge);
    } else {
      ASSERT_TRUE(out.ok());
      EXPECT_EQ(*out, data);
    }
  }
}

TEST(HashReader, VerifiesContentMd5AndSha256AtTheEnd) {
  std::string data = RandomData(3000, 3);
  {
    StringSource src(data);
    HashExpectations ex;
    ex.content_md5 = Md5(data);
    ex.sha256_hex = HexEncode(Sha256(data));
    HashReader r(src, ex);
    EXPECT_TRUE(Drain(r).ok());
  }
  {
    StringSource src(data);
    HashExpectations ex;
    ex.content_md5 = Md5("other");
    HashReader r(src, ex);
    EXPECT_EQ(Drain(r).code(), Errc::kBadDigest);
    // The failure is sticky.
    std::vector<std::byte> buf(10);
    EXPECT_EQ(SyncWait(r.Read(buf)).code(), Errc::kBadDigest);
  }
  {
    StringSource src(data);
    HashExpectations ex;
    ex.sha256_hex = HexEncode(Sha256("other"));
    HashReader r(src, ex);
    EXPECT_EQ(Drain(r).code(), Errc::kContentSha256Mismatch);
  }
}

// A large body (of declared or unknown size) read in large pieces has its MD5 hashed on the
// Md5Hub where the CPU has one: the same ETag, the same Content-MD5 verdicts.
TEST(HashReader, LargeBodiesHashTheSameOnTheHub) {
  const std::string data = RandomData(3 * 1024 * 1024 + 5, 4);
  auto drain = [](HashReader& r) {
    return SyncWait([&]() -> Task<Result<std::string>> {
      std::string out;
      std::vector<std::byte> buf(200 * 1024);
      for (;;) {
        CO_ASSIGN_OR_RETURN(std::size_t n, co_await r.Read(buf));
        if (n == 0) {
          co_return out;
        }
        out.append(reinterpret_cast<const char*>(buf.data()), n);
      }
    }());
  };
  for (std::int64_t size : {static_cast<std::int64_t>(data.size()), std::int64_t{-1}}) {
    SCOPED_TRACE(size);
    {
      StringSource src(data, 150 * 1024);
      HashExpectations ex;
      ex.size = size;
      ex.content_md5 = Md5(data);
      HashReader r(src, ex);
      auto out = drain(r);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_TRUE(*out == data);
      EXPECT_EQ(r.md5_hex(), HexEncode(Md5(data)));
    }
    {
      StringSource src(data, 150 * 1024);
      HashExpectations ex;
      ex.size = size;
      ex.content_md5 = Md5(data.substr(1));
      HashReader r(src, ex);
      EXPECT_EQ(drain(r).code(), Errc::kBadDigest);
    }
  }
}

// AddChecksum computes a checksum for a body that asked for none, and leaves one that did.
TEST(HashReader, AddChecksumComputesWhenNoneWasAskedFor) {
  const std::string data = RandomData(3000, 5);
  auto digest = [&](ChecksumAlgorithm algo) {
    auto h = NewChecksumHasher(algo);
    h->Update(data);
    return Base64Encode(h->Finish());
  };
  {
    StringSource src(data);
    HashReader r(src, {});
    EXPECT_FALSE(r.checksum_algorithm().has_value());
    r.AddChecksum(ChecksumAlgorithm::kCrc32);
    EXPECT_EQ(r.checksum_algorithm(), ChecksumAlgorithm::kCrc32);
    ASSERT_TRUE(Drain(r).ok());
    ASSERT_TRUE(r.checksum().has_value());
    EXPECT_EQ(r.checksum()->first, "x-amz-checksum-crc32");
    EXPECT_EQ(r.checksum()->second, digest(ChecksumAlgorithm::kCrc32));
  }
  {
    StringSource src(data);
    HashExpectations ex;
    ex.checksum = ChecksumAlgorithm::kSha256;
    HashReader r(src, ex);
    r.AddChecksum(ChecksumAlgorithm::kCrc32);
    ASSERT_TRUE(Drain(r).ok());
    EXPECT_EQ(r.checksum()->first, "x-amz-checksum-sha256");
    EXPECT_EQ(r.checksum()->second, digest(ChecksumAlgorithm::kSha256));
  }
}

TEST(HashReader, ChecksumUpFrontAndInTrailer) {
  std::string data = RandomData(4096, 4);
  auto crc = [&] {
    auto h = NewChecksumHasher(ChecksumAlgorithm::kCrc32c);
    h->Update(data);
    return Base64Encode(h->Finish());
  }();
  {
    StringSource src(data);
    HashExpectations ex;
    ex.checksum = ChecksumAlgorithm::kCrc32c;
    HashReader r(src, ex);
    ASSERT_TRUE(Drain(r).ok());
    ASSERT_TRUE(r.checksum().has_value());
    EXPECT_EQ(r.checksum()->first, "x-amz-checksum-crc32c");
    EXPECT_EQ(r.checksum()->second, crc);
  }
  {
    StringSource src(data);
    HashExpectations ex;
    ex.checksum = ChecksumAlgorithm::kCrc32c;
    ex.checksum_base64 = crc;
    HashReader r(src, ex);
    EXPECT_TRUE(Drain(r).ok());
  }
  {
    StringSource src(data);
    HashExpectations ex;
    ex.checksum = ChecksumAlgorithm::kCrc32c;
    ex.trailer_checksum = [] { return std::string("AAAAAA=="); };
    HashReader r(src, ex);
    EXPECT_EQ(Drain(r).code(), Errc::kBadDigest);
  }
}

}  // namespace hash_reader_test_internal
}  // namespace cairn::object::test
