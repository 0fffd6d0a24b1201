#include "crypto/keys.h"

#include <string>

#include <gtest/gtest.h>

namespace cairn::crypto {
namespace {

TEST(Keys, SealUnsealRoundTrip) {
  const Key kek = RandomKey();
  const Key key = RandomKey();
  const std::string sealed = SealKey(kek, key, "bucket/object");
  ASSERT_EQ(sealed.size(), kSealedKeySize);
  EXPECT_EQ(sealed[0], 1);
  auto opened = UnsealKey(kek, sealed, "bucket/object");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, key);
  // A fresh nonce per seal.
  EXPECT_NE(SealKey(kek, key, "bucket/object"), sealed);
}

TEST(Keys, UnsealRefusesWhatWasNotSealedSo) {
  const Key kek = RandomKey();
  const Key key = RandomKey();
  const std::string sealed = SealKey(kek, key, "bucket/object");
  EXPECT_EQ(UnsealKey(kek, sealed, "bucket/other").code(), Errc::kObjectTampered);
  EXPECT_EQ(UnsealKey(kek, sealed, "").code(), Errc::kObjectTampered);
  EXPECT_EQ(UnsealKey(RandomKey(), sealed, "bucket/object").code(), Errc::kObjectTampered);
  EXPECT_EQ(UnsealKey(kek, sealed.substr(1), "bucket/object").code(), Errc::kObjectTampered);
  EXPECT_EQ(UnsealKey(kek, sealed + "x", "bucket/object").code(), Errc::kObjectTampered);
  EXPECT_EQ(UnsealKey(kek, "", "bucket/object").code(), Errc::kObjectTampered);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_EQ(UnsealKey(kek, bad, "bucket/object").code(), Errc::kObjectTampered) << i;
  }
}

TEST(Keys, DeriveIsDeterministicPerLabel) {
  const Key key = RandomKey();
  EXPECT_EQ(DeriveKey(key, "part-1"), DeriveKey(key, "part-1"));
  EXPECT_NE(DeriveKey(key, "part-1"), DeriveKey(key, "part-2"));
  EXPECT_NE(DeriveKey(key, "part-1"), DeriveKey(RandomKey(), "part-1"));
  EXPECT_NE(DeriveKey(key, "part-1"), key);
}

TEST(Keys, FromBytes) {
  const Key key = RandomKey();
  auto again = KeyFromBytes(KeyBytes(key));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, key);
  EXPECT_FALSE(KeyFromBytes(std::string(31, 'a')).has_value());
  EXPECT_FALSE(KeyFromBytes(std::string(33, 'a')).has_value());
  EXPECT_NE(RandomKey(), RandomKey());
}

}  // namespace
}  // namespace cairn::crypto
