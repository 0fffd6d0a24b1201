#include "meta/encoding.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meta/wire.h"

namespace cairn::meta {
namespace encoding_test_internal {

FileInfo MakeVersion(std::string version_id, std::int64_t mod_time, std::string inline_data = {}) {
  FileInfo fi;
  fi.volume = "bucket";
  fi.name = "key";
  fi.version_id = std::move(version_id);
  fi.mod_time_ns = mod_time;
  fi.size = static_cast<std::int64_t>(inline_data.size()) * 3;
  fi.metadata = {{"content-type", "text/plain"}, {"etag", "abc"}, {"x-amz-meta-a", "b"}};
  fi.erasure = {4, 2, 1 << 20, 3, {3, 4, 5, 6, 1, 2}};
  fi.parts = {{1, "etag1", fi.size, mod_time, {{"CRC32", "AAAAAA=="}}}};
  fi.is_inline = !inline_data.empty();
  fi.inline_data = std::move(inline_data);
  if (!fi.is_inline) {
    fi.data_dir = "0f1e2d3c-uuid-" + fi.version_id;
  }
  return fi;
}

// What a decoder returns for a stored version: identity not stored, read-only fields set.
FileInfo AsDecoded(FileInfo fi, bool latest, std::uint32_t n, bool with_data) {
  fi.volume.clear();
  fi.name.clear();
  fi.is_latest = latest;
  fi.num_versions = n;
  if (!with_data) {
    fi.inline_data.clear();
  }
  return fi;
}

std::vector<FileInfo> Sample() {
  std::vector<FileInfo> v;
  v.push_back(MakeVersion("v3", 300, std::string(1000, 'c')));
  v.push_back(MakeVersion("v2", 200));
  FileInfo marker;
  marker.version_id = "v1";
  marker.deleted = true;
  marker.mod_time_ns = 100;
  v.push_back(marker);
  v.push_back(MakeVersion("", 50, "tiny"));
  return v;
}

TEST(Encoding, RoundTripsEveryField) {
  auto in = Sample();
  std::string bytes = EncodeVersions(in);
  for (bool with_data : {true, false}) {
    auto out = DecodeVersions(bytes, with_data);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->size(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      EXPECT_EQ((*out)[i], AsDecoded(in[i], i == 0, 4, with_data)) << i;
    }
  }
}

TEST(Encoding, MinimalVersionsRoundTrip) {
  std::vector<FileInfo> in(3);  // default FileInfos: the smallest records there are
  auto out = DecodeVersions(EncodeVersions(in), true);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[2], AsDecoded(in[2], false, 3, true));
}

TEST(Encoding, EmptyEntry) {
  std::string bytes = EncodeVersions({});
  auto all = DecodeVersions(bytes, true);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  EXPECT_EQ(DecodeLatest(bytes, false).code(), Errc::kFileCorrupt);
}

TEST(Encoding, LatestAndVersionLookup) {
  auto in = Sample();
  std::string bytes = EncodeVersions(in);
  auto latest = DecodeLatest(bytes, false);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, AsDecoded(in[0], true, 4, false));
  auto with_data = DecodeLatest(bytes, true);
  ASSERT_TRUE(with_data.ok());
  EXPECT_EQ(with_data->inline_data, in[0].inline_data);

  auto null_version = DecodeVersion(bytes, "null", true);
  ASSERT_TRUE(null_version.ok());
  EXPECT_EQ(*null_version, AsDecoded(in[3], false, 4, true));
  auto marker = DecodeVersion(bytes, "v1", true);
  ASSERT_TRUE(marker.ok());
  EXPECT_TRUE(marker->deleted);
  EXPECT_EQ(DecodeVersion(bytes, "nope", false).code(), Errc::kFileVersionNotFound);
}

TEST(Encoding, HeaderChecksumOnlyWithoutData) {
  auto in = Sample();
  std::string bytes = EncodeVersions(in);
  // Flip a byte of the first version's inline data (it starts right after the header
  // checksum; find it by its content).
  auto pos = bytes.find(std::string(1000, 'c'));
  ASSERT_NE(pos, std::string::npos);
  bytes[pos + 10] = 'X';
  EXPECT_TRUE(DecodeLatest(bytes, false).ok());  // listing never reads inline bytes
  EXPECT_EQ(DecodeLatest(bytes, true).code(), Errc::kFileCorrupt);
  EXPECT_EQ(DecodeVersions(bytes, true).code(), Errc::kFileCorrupt);
  EXPECT_EQ(DecodeEntryView(bytes).code(), Errc::kFileCorrupt);
}

TEST(Encoding, EveryFlippedOrTruncatedByteIsCorrupt) {
  std::string bytes = EncodeVersions(Sample());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x41);
    EXPECT_EQ(DecodeVersions(bad, true).code(), Errc::kFileCorrupt) << "flip at " << i;
    std::string_view cut = std::string_view(bytes).substr(0, i);
    EXPECT_EQ(DecodeVersions(cut, true).code(), Errc::kFileCorrupt) << "cut at " << i;
    EXPECT_EQ(DecodeVersions(cut, false).code(), Errc::kFileCorrupt) << "cut at " << i;
    EXPECT_EQ(DecodeLatest(cut, true).code(), Errc::kFileCorrupt) << "cut at " << i;
    EXPECT_FALSE(DecodeEntryView(cut).ok());
  }
}

TEST(Encoding, RandomBytesNeverCrash) {
  std::mt19937_64 rng(12345);
  std::string valid = EncodeVersions(Sample());
  for (int iter = 0; iter < 20000; ++iter) {
    std::string junk(rng() % 300, '\0');
    for (auto& c : junk) {
      c = static_cast<char>(rng());
    }
    if (iter % 2 == 0 && junk.size() >= 6) {
      junk.replace(0, 6, valid.substr(0, 6));  // get past the magic sometimes
    }
    EXPECT_EQ(DecodeVersions(junk, true).code(), Errc::kFileCorrupt);
    EXPECT_EQ(DecodeLatest(junk, false).code(), Errc::kFileCorrupt);
    EXPECT_EQ(DecodeVersion(junk, "v1", false).code(), Errc::kFileCorrupt);
  }
}

// Garbage inside a header whose checksum is valid (a buggy or hostile writer): decoders must
// still stay in bounds. Rewrites random bytes of the records section and fixes the checksum.
TEST(Encoding, MalformedRecordsWithValidChecksumStayInBounds) {
  std::mt19937_64 rng(777);
  std::string valid = EncodeVersions(Sample());
  WireReader r(std::string_view(valid).substr(6));
  std::uint64_t n = 0;
  std::uint64_t records_len = 0;
  ASSERT_TRUE(r.Varint(n) && r.Varint(records_len));
  std::size_t records_start = 6 + r.position();
  std::size_t header_end = records_start + records_len;
  int decoded_ok = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bad = valid;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      bad[records_start + rng() % records_len] = static_cast<char>(rng());
    }
    std::string sum;
    WireWriter(sum).Fixed64(XxHash64(std::string_view(bad).substr(0, header_end)));
    bad.replace(header_end, 8, sum);
    auto all = DecodeVersions(bad, true);
    auto latest = DecodeLatest(bad, true);
    auto view = DecodeEntryView(bad);
    if (all.ok()) {
      ++decoded_ok;
      EXPECT_TRUE(latest.ok());
      EXPECT_TRUE(view.ok());
    } else {
      EXPECT_EQ(all.code(), Errc::kFileCorrupt);
    }
  }
  // Flipping string bytes (not lengths) leaves a decodable entry: the test exercised both.
  EXPECT_GT(decoded_ok, 0);
}

TEST(Merge, ReplacesSameIdAndOrdersByModTime) {
  std::vector<FileInfo> versions = {MakeVersion("b", 200), MakeVersion("a", 100)};
  auto replaced = MergeVersion(versions, MakeVersion("c", 300));
  EXPECT_FALSE(replaced.has_value());
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].version_id, "c");

  replaced = MergeVersion(versions, MakeVersion("a", 400));  // same id, now newest
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(replaced->mod_time_ns, 100);
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].version_id, "a");
  EXPECT_EQ(versions[1].version_id, "c");
  EXPECT_EQ(versions[2].version_id, "b");

  MergeVersion(versions, MakeVersion("older", 150));
  EXPECT_EQ(versions[3].version_id, "older");
  // A tie in mod time puts the new version first.
  MergeVersion(versions, MakeVersion("tie", 400));
  EXPECT_EQ(versions[0].version_id, "tie");
  // The null version: "" and "null" are the same id.
  MergeVersion(versions, MakeVersion("", 10));
  auto r2 = MergeVersion(versions, MakeVersion("null", 20));
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->mod_time_ns, 10);
}

TEST(Merge, EntryViewRewritesWithoutLosingInlineData) {
  auto in = Sample();
  std::string bytes = EncodeVersions(in);
  auto view = DecodeEntryView(bytes);
  ASSERT_TRUE(view.ok());
  FileInfo newer = MakeVersion("v2", 500, std::string(5000, 'n'));  // replaces v2
  auto replaced = MergeVersion(*view, newer);
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(replaced->data_dir, in[1].data_dir);
  auto removed = RemoveVersion(*view, "v1");
  ASSERT_TRUE(removed.has_value());
  EXPECT_TRUE(removed->deleted);
  EXPECT_FALSE(RemoveVersion(*view, "v1").has_value());

  std::string rewritten = EncodeEntryView(*view);
  auto out = DecodeVersions(rewritten, true);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0], AsDecoded(newer, true, 3, true));
  EXPECT_EQ((*out)[1], AsDecoded(in[0], false, 3, true));
  EXPECT_EQ((*out)[2], AsDecoded(in[3], false, 3, true));
}

TEST(Part, RoundTripAndCorruption) {
  ObjectPart part{7,
                  "d41d8cd98f00b204e9800998ecf8427e",
                  5 << 20,
                  123456789,
                  {{"CRC32C", "abcd"}, {"SHA256", "xyz"}}};
  std::string bytes = EncodePart(part);
  auto out = DecodePart(bytes);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, part);
  bytes[6] ^= 1;
  EXPECT_EQ(DecodePart(bytes).code(), Errc::kFileCorrupt);
}

TEST(FileInfo, MetaAndSetMeta) {
  FileInfo fi;
  EXPECT_EQ(fi.Meta("etag"), "");
  fi.SetMeta("etag", "1");
  fi.SetMeta("content-type", "a/b");
  fi.SetMeta("etag", "2");
  EXPECT_EQ(fi.Meta("etag"), "2");
  EXPECT_EQ(fi.Meta("content-type"), "a/b");
  EXPECT_EQ(fi.metadata.size(), 2u);
}

}  // namespace encoding_test_internal
}  // namespace cairn::meta

namespace cairn::meta {
namespace encoding_test_versions {

// Format 2: the count of versions kept outside the entry; written only when there are some,
// so an entry of an unversioned object is byte for byte format 1.
TEST(Encoding, NoncurrentCountIsFormatTwo) {
  FileInfo fi;
  fi.version_id = "v";
  fi.mod_time_ns = 5;
  fi.is_inline = true;
  fi.inline_data = "data";
  EntryView view;
  view.versions.push_back(fi);
  view.versions.back().inline_data.clear();
  view.data.emplace_back(fi.inline_data);
  const std::string one = EncodeEntryView(view);
  EXPECT_EQ(one[4], 1);
  EXPECT_EQ(one, EncodeVersions(std::vector<FileInfo>{fi}));
  view.noncurrent = 9999;
  const std::string two = EncodeEntryView(view);
  EXPECT_EQ(two[4], 2);
  auto latest = DecodeLatest(two, true);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->num_versions, 10000u);
  EXPECT_EQ(latest->inline_data, "data");
  auto back = DecodeEntryView(two);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->noncurrent, 9999u);
  EXPECT_EQ(EncodeEntryView(*back), two);
  // Every truncation of a format-2 entry is refused.
  for (std::size_t n = 0; n < two.size(); ++n) {
    EXPECT_FALSE(DecodeEntryView(std::string_view(two).substr(0, n)).ok()) << n;
  }
}

// Version ids carry their time: ids of one key sort like their times, and the time comes back.
TEST(VersionIds, CarryTheirTime) {
  const std::string a = NewVersionId(1'700'000'000'000'000'001, 42);
  const std::string b = NewVersionId(1'700'000'000'000'000'002, 7);
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_LT(a, b);
  EXPECT_EQ(VersionIdTime(a), 1'700'000'000'000'000'001);
  EXPECT_EQ(VersionIdTime(b), 1'700'000'000'000'000'002);
  EXPECT_EQ(VersionIdTime("null"), std::nullopt);
  EXPECT_EQ(VersionIdTime(""), std::nullopt);
  EXPECT_EQ(VersionIdTime("ffffffff-ffff-ffff-0000-000000000000"), std::nullopt);  // > INT64_MAX
  EXPECT_EQ(VersionIdTime("0000000g-0000-0000-0000-000000000000"), std::nullopt);
  EXPECT_NE(NewVersionId(1, 1), NewVersionId(1, 2));
}

}  // namespace encoding_test_versions
}  // namespace cairn::meta
