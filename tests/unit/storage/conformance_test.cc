// StorageApiConformance: what every StorageApi implementation must do, run against each
// factory: LocalDrive, testing::MemoryDrive, testing::FaultyDrive (no faults) over a
// LocalDrive, and RemoteDrive over loopback RPC.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/fan_out.h"
#include "meta/encoding.h"
#include "storage_test_util.h"

namespace cairn::storage::testing {
namespace conformance_test_internal {

using cairn::testing::SyncWait;
using meta::FileInfo;

class StorageApiConformance : public ::testing::TestWithParam<DriveFactory> {
 protected:
  void SetUp() override { Reopen(); }

  void TearDown() override { drive_.reset(); }

  void Reopen() {
    drive_.reset();
    auto opened = GetParam().open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    drive_ = std::move(opened).value();
  }

  StorageApi& d() { return *drive_; }

  void MakeBucket(std::string_view name) {
    ASSERT_TRUE(SyncWait(d().MakeVolume(ctx_, name, "")).ok());
  }

  Status Write(const FileInfo& fi) { return SyncWait(d().WriteMetadata(ctx_, fi)).status(); }

  std::vector<std::string> Names(const ListOptions& opts, std::string_view volume = "b") {
    auto r = SyncWait(d().ListObjects(ctx_, volume, opts));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& e : *r) {
        out.push_back(e.name);
        EXPECT_EQ(e.is_prefix, e.name.ends_with(opts.delimiter.empty() ? "\x01" : opts.delimiter));
      }
    }
    return out;
  }

  // Whether part `part` of data_dir reads back as `want` (no megabytes in a failure's text).
  bool Holds(std::string_view data_dir, int part, const std::string& want) {
    auto got = ReadShard(d(), data_dir, part);
    return got.ok() && *got == want;
  }

  TempDir dir_;
  std::unique_ptr<StorageApi> drive_;
  RequestContext ctx_ = RequestContext::Background("conformance");
};

TEST_P(StorageApiConformance, Volumes) {
  EXPECT_TRUE(SyncWait(d().MakeVolume(ctx_, "zeta", "m1")).ok());
  EXPECT_TRUE(SyncWait(d().MakeVolume(ctx_, "alpha", "")).ok());
  EXPECT_EQ(SyncWait(d().MakeVolume(ctx_, "zeta", "")).code(), Errc::kVolumeExists);

  auto stat = SyncWait(d().StatVolume(ctx_, "zeta"));
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->name, "zeta");
  EXPECT_EQ(stat->meta, "m1");
  EXPECT_GT(stat->created_ns, 0);
  EXPECT_EQ(SyncWait(d().StatVolume(ctx_, "nope")).code(), Errc::kVolumeNotFound);

  EXPECT_TRUE(SyncWait(d().UpdateVolumeMeta(ctx_, "zeta", std::string("p\0olicy", 7))).ok());
  EXPECT_EQ(SyncWait(d().StatVolume(ctx_, "zeta"))->meta, std::string("p\0olicy", 7));
  EXPECT_EQ(SyncWait(d().StatVolume(ctx_, "zeta"))->created_ns, stat->created_ns);
  EXPECT_EQ(SyncWait(d().UpdateVolumeMeta(ctx_, "nope", "x")).code(), Errc::kVolumeNotFound);

  auto list = SyncWait(d().ListVolumes(ctx_));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "alpha");
  EXPECT_EQ((*list)[1].name, "zeta");

  EXPECT_TRUE(SyncWait(d().DeleteVolume(ctx_, "alpha", false)).ok());
  EXPECT_EQ(SyncWait(d().DeleteVolume(ctx_, "alpha", false)).code(), Errc::kVolumeNotFound);
  EXPECT_EQ(SyncWait(d().StatVolume(ctx_, "alpha")).code(), Errc::kVolumeNotFound);
  EXPECT_EQ(SyncWait(d().ListVolumes(ctx_))->size(), 1u);
}

TEST_P(StorageApiConformance, DeleteVolumeRefusesNonEmptyUnlessForced) {
  MakeBucket("b");
  MakeBucket("b2");  // a neighbour whose keys must not count
  FileInfo marker = MakeFi("b", "k", "v1", 100);
  marker.deleted = true;
  ASSERT_TRUE(Write(marker).ok());
  ASSERT_TRUE(Write(MakeFi("b2", "x", "", 1, {}, "data")).ok());
  EXPECT_EQ(SyncWait(d().DeleteVolume(ctx_, "b", false)).code(), Errc::kVolumeNotEmpty);
  ASSERT_TRUE(SyncWait(d().DeleteVersion(ctx_, marker)).ok());
  EXPECT_TRUE(SyncWait(d().DeleteVolume(ctx_, "b", false)).ok());

  // A multipart upload alone makes a volume non-empty.
  MakeBucket("b");
  MultipartUpload up{"obj", "upload1", 5, MakeFi("b", "obj", "", 5, "aa000001")};
  ASSERT_TRUE(SyncWait(d().PutUpload(ctx_, "b", up)).ok());
  EXPECT_EQ(SyncWait(d().DeleteVolume(ctx_, "b", false)).code(), Errc::kVolumeNotEmpty);

  // Forced: objects, uploads and their data folders go.
  ASSERT_TRUE(StageFile(d(), "t1/part.1", "shard").ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "big", "", 7, "bb000001"), "t1")).ok());
  ASSERT_TRUE(ReadShard(d(), "bb000001", 1).ok());
  EXPECT_TRUE(SyncWait(d().DeleteVolume(ctx_, "b", true)).ok());
  EXPECT_EQ(ReadShard(d(), "bb000001", 1).code(), Errc::kFileNotFound);
  MakeBucket("b");
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "big", "", false)).code(), Errc::kFileNotFound);
  EXPECT_EQ(SyncWait(d().ReadUpload(ctx_, "b", "obj", "upload1")).code(), Errc::kUploadNotFound);
  EXPECT_TRUE(SyncWait(d().ReadVersion(ctx_, "b2", "x", "", false)).ok());
}

TEST_P(StorageApiConformance, FormatAndDiskInfo) {
  EXPECT_EQ(SyncWait(d().ReadFormat(ctx_)).code(), Errc::kUnformattedDisk);
  std::string format = R"({"version":"1","format":"xl","id":"dep","xl":{"this":"drive-uuid-1"}})";
  ASSERT_TRUE(SyncWait(d().WriteFormat(ctx_, format)).ok());
  auto read = SyncWait(d().ReadFormat(ctx_));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, format);
  auto info = SyncWait(d().GetDiskInfo(ctx_));
  ASSERT_TRUE(info.ok());
  EXPECT_GT(info->total, 0u);
  EXPECT_LE(info->free, info->total);
  EXPECT_LE(info->used, info->total);
  EXPECT_EQ(info->id, "drive-uuid-1");
  EXPECT_FALSE(info->endpoint.empty());
  EXPECT_TRUE(d().IsOnline());
  Reopen();
  EXPECT_EQ(*SyncWait(d().ReadFormat(ctx_)), format);
  EXPECT_EQ(SyncWait(d().GetDiskInfo(ctx_))->id, "drive-uuid-1");
}

TEST_P(StorageApiConformance, InlineRoundTrip) {
  MakeBucket("b");
  std::string data = Pattern(100 << 10, 1);
  FileInfo fi = MakeFi("b", "dir/obj", "", 1000, {}, data);
  fi.SetMeta("x-amz-meta-color", "blue");
  ASSERT_TRUE(Write(fi).ok());

  auto with = SyncWait(d().ReadVersion(ctx_, "b", "dir/obj", "", true));
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_EQ(with->inline_data, data);
  EXPECT_TRUE(with->is_inline);
  EXPECT_TRUE(with->is_latest);
  EXPECT_EQ(with->num_versions, 1u);
  EXPECT_EQ(with->volume, "b");
  EXPECT_EQ(with->name, "dir/obj");
  EXPECT_EQ(with->Meta("x-amz-meta-color"), "blue");
  EXPECT_EQ(with->erasure, fi.erasure);
  EXPECT_EQ(with->parts, fi.parts);

  auto without = SyncWait(d().ReadVersion(ctx_, "b", "dir/obj", "", false));
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->inline_data.empty());
  EXPECT_TRUE(without->is_inline);
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "dir/obj", "null", true))->inline_data, data);

  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "other", "", false)).code(), Errc::kFileNotFound);
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "nob", "dir/obj", "", false)).code(),
            Errc::kVolumeNotFound);
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "dir/obj", "v9", false)).code(),
            Errc::kFileVersionNotFound);
  EXPECT_EQ(Write(MakeFi("nob", "k", "", 1, {}, "x")).code(), Errc::kVolumeNotFound);
}

TEST_P(StorageApiConformance, VersionsNewestFirstReplaceAndDelete) {
  MakeBucket("b");
  ASSERT_TRUE(Write(MakeFi("b", "k", "v1", 100, {}, "one")).ok());
  ASSERT_TRUE(Write(MakeFi("b", "k", "v2", 200, {}, "two")).ok());
  ASSERT_TRUE(Write(MakeFi("b", "k", "", 50, {}, "null")).ok());
  FileInfo marker = MakeFi("b", "k", "v3", 300);
  marker.deleted = true;
  marker.is_inline = false;
  ASSERT_TRUE(Write(marker).ok());

  auto versions = SyncWait(d().ReadVersions(ctx_, "b", "k"));
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 4u);
  std::vector<std::string> ids;
  for (const auto& v : *versions) {
    ids.push_back(v.version_id);
    EXPECT_EQ(v.num_versions, 4u);
    EXPECT_TRUE(v.inline_data.empty());
    EXPECT_EQ(v.name, "k");
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"v3", "v2", "v1", ""}));
  EXPECT_TRUE((*versions)[0].is_latest);
  EXPECT_TRUE((*versions)[0].deleted);
  EXPECT_FALSE((*versions)[1].is_latest);

  auto latest = SyncWait(d().ReadVersion(ctx_, "b", "k", "", true));
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(latest->deleted);  // the caller decides what a delete marker means
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "k", "v1", true))->inline_data, "one");

  // Same id replaces, and moves by mod time.
  ASSERT_TRUE(Write(MakeFi("b", "k", "v1", 400, {}, "ONE")).ok());
  versions = SyncWait(d().ReadVersions(ctx_, "b", "k"));
  ASSERT_EQ(versions->size(), 4u);
  EXPECT_EQ((*versions)[0].version_id, "v1");
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "k", "", true))->inline_data, "ONE");
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "k", "v2", true))->inline_data, "two");

  ASSERT_TRUE(SyncWait(d().DeleteVersion(ctx_, MakeFi("b", "k", "v1", 0))).ok());
  EXPECT_EQ(SyncWait(d().DeleteVersion(ctx_, MakeFi("b", "k", "v1", 0))).code(),
            Errc::kFileVersionNotFound);
  EXPECT_TRUE(SyncWait(d().ReadVersion(ctx_, "b", "k", "", false))->deleted);
  for (const char* id : {"v3", "v2", "null"}) {
    ASSERT_TRUE(SyncWait(d().DeleteVersion(ctx_, MakeFi("b", "k", id, 0))).ok()) << id;
  }
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "k", "", false)).code(), Errc::kFileNotFound);
  EXPECT_EQ(SyncWait(d().ReadVersions(ctx_, "b", "k")).code(), Errc::kFileNotFound);
  EXPECT_EQ(SyncWait(d().DeleteVersion(ctx_, MakeFi("b", "k", "v1", 0))).code(),
            Errc::kFileNotFound);
}

TEST_P(StorageApiConformance, ConcurrentWritersOfOneEntryLoseNothing) {
  MakeBucket("b");
  constexpr int kWriters = 24;
  auto results = SyncWait(FanOut<Status>(kWriters, [&](std::size_t i) -> Task<Status> {
    FileInfo fi = MakeFi("b", "hot", "v" + std::to_string(i), 1000 + static_cast<int>(i), {},
                         std::string(100, static_cast<char>('a' + i % 26)));
    co_return (co_await d().WriteMetadata(ctx_, fi)).status();
  }));
  for (const auto& st : results) {
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  auto versions = SyncWait(d().ReadVersions(ctx_, "b", "hot"));
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), static_cast<std::size_t>(kWriters));
  EXPECT_EQ((*versions)[0].version_id, "v" + std::to_string(kWriters - 1));
}

// GetObject releases the object's lock once its shards are open: an open shard keeps the
// version it was opened on, read for read, after that version is deleted (a remote drive holds
// the file open for the reader), and only a new open finds it gone.
TEST_P(StorageApiConformance, AnOpenShardOutlivesItsDeletedVersion) {
  MakeBucket("b");
  const std::string data = Pattern(3 << 20, 9);
  ASSERT_TRUE(StageFile(d(), "stage/part.1", data).ok());
  FileInfo fi = MakeFi("b", "k", "", 10, "ab34cd56-0000-4000-8000-000000000009");
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, fi, "stage")).ok());
  auto reader = SyncWait(d().OpenShard(ctx_, fi.data_dir, 1));
  ASSERT_TRUE(reader.ok());
  std::string buf(1 << 20, '\0');
  auto n = SyncWait((*reader)->ReadAt(0, std::as_writable_bytes(std::span<char>(buf))));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(buf, data.substr(0, buf.size()));

  ASSERT_TRUE(SyncWait(d().DeleteVersion(ctx_, fi)).ok());
  EXPECT_EQ(ReadShard(d(), fi.data_dir, 1).code(), Errc::kFileNotFound);
  for (std::uint64_t off = buf.size(); off < data.size(); off += buf.size()) {
    n = SyncWait((*reader)->ReadAt(off, std::as_writable_bytes(std::span<char>(buf))));
    ASSERT_TRUE(n.ok()) << off << ": " << n.status().ToString();
    ASSERT_EQ(*n, std::min<std::size_t>(buf.size(), data.size() - off));
    EXPECT_EQ(buf.substr(0, *n), data.substr(off, *n)) << off;
  }
}

TEST_P(StorageApiConformance, RenameDataAndReadShards) {
  MakeBucket("b");
  std::string part1 = Pattern(3 << 20, 7);
  std::string part2 = Pattern(12345, 8);
  ASSERT_TRUE(StageFile(d(), "stage1/part.1", part1).ok());
  ASSERT_TRUE(StageFile(d(), "stage1/part.2", part2).ok());
  FileInfo fi = MakeFi("b", "big", "", 10, "ab34cd56-0000-4000-8000-000000000001");
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, fi, "stage1")).ok());

  EXPECT_EQ(*ReadShard(d(), fi.data_dir, 1), part1);
  EXPECT_EQ(*ReadShard(d(), fi.data_dir, 2), part2);
  EXPECT_EQ(ReadShard(d(), fi.data_dir, 3).code(), Errc::kFileNotFound);
  auto meta = SyncWait(d().ReadVersion(ctx_, "b", "big", "", true));
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->data_dir, fi.data_dir);
  EXPECT_FALSE(meta->is_inline);

  // A read at the end returns fewer bytes; past the end, none.
  auto reader = SyncWait(d().OpenShard(ctx_, fi.data_dir, 2));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->size(), part2.size());
  std::string buf(100, '\0');
  auto n =
      SyncWait((*reader)->ReadAt(part2.size() - 40, std::as_writable_bytes(std::span<char>(buf))));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 40u);
  EXPECT_EQ(buf.substr(0, 40), part2.substr(part2.size() - 40));
  EXPECT_EQ(
      *SyncWait((*reader)->ReadAt(part2.size() + 10, std::as_writable_bytes(std::span<char>(buf)))),
      0u);

  // The staged folder moved: renaming it again finds nothing.
  EXPECT_EQ(SyncWait(d().RenameData(ctx_, MakeFi("b", "big2", "", 1, "cd000000"), "stage1")).code(),
            Errc::kFileNotFound);
  // Into a missing volume: refused, the staged shards stay for DeleteTmp.
  ASSERT_TRUE(StageFile(d(), "stage2/part.1", "x").ok());
  EXPECT_EQ(SyncWait(d().RenameData(ctx_, MakeFi("nob", "k", "", 1, "ef000000"), "stage2")).code(),
            Errc::kVolumeNotFound);
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "ef000000"), "stage2")).ok());
}

// A single-part object's shard is staged as one file and becomes data/<xx>/<data-id> itself
// (docs/format.md); a commit of the same data dir with the other layout (a heal or a retry)
// replaces it either way, and a deleted version takes either along.
TEST_P(StorageApiConformance, OneFileShardsAndPartFoldersReplaceEachOther) {
  MakeBucket("b");
  const std::string one = Pattern(1 << 20, 21);
  const std::string two = Pattern(70000, 22);
  const std::string three = Pattern(5000, 23);
  FileInfo fi = MakeFi("b", "k", "", 10, "ab34cd56-0000-4000-8000-000000000011");
  ASSERT_TRUE(StageFile(d(), "flat1", one).ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, fi, "flat1")).ok());
  EXPECT_TRUE(Holds(fi.data_dir, 1, one));
  EXPECT_EQ(ReadShard(d(), fi.data_dir, 2).code(), Errc::kFileNotFound);
  const std::filesystem::path entry =
      std::filesystem::path(dir_.path()) / "data" / "ab" / fi.data_dir;
  if (GetParam().on_disk) {
    EXPECT_TRUE(std::filesystem::is_regular_file(entry));
  }

  ASSERT_TRUE(StageFile(d(), "folder/part.1", two).ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, fi, "folder")).ok());
  EXPECT_TRUE(Holds(fi.data_dir, 1, two));
  if (GetParam().on_disk) {
    EXPECT_TRUE(std::filesystem::is_directory(entry));
  }

  ASSERT_TRUE(StageFile(d(), "flat2", three).ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, fi, "flat2")).ok());
  EXPECT_TRUE(Holds(fi.data_dir, 1, three));
  EXPECT_EQ(ReadShard(d(), fi.data_dir, 2).code(), Errc::kFileNotFound);

  // A staged file that DeleteTmp removed is gone; so is the committed one with its version.
  ASSERT_TRUE(StageFile(d(), "flat3", "x").ok());
  ASSERT_TRUE(SyncWait(d().DeleteTmp(ctx_, "flat3")).ok());
  EXPECT_EQ(SyncWait(d().RenameData(ctx_, MakeFi("b", "k2", "", 1, "ef000001"), "flat3")).code(),
            Errc::kFileNotFound);
  ASSERT_TRUE(SyncWait(d().DeleteVersion(ctx_, fi)).ok());
  EXPECT_EQ(ReadShard(d(), fi.data_dir, 1).code(), Errc::kFileNotFound);
  if (GetParam().on_disk) {
    EXPECT_FALSE(std::filesystem::exists(entry));
  }
}

TEST_P(StorageApiConformance, ShardWriterLifecycle) {
  auto w = SyncWait(d().CreateFile(ctx_, "deep/er/part.3"));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::string big = Pattern(1 << 20, 5);
  ASSERT_TRUE(SyncWait((*w)->Write(std::as_bytes(std::span<const char>(big)))).ok());
  ASSERT_TRUE(SyncWait((*w)->Write({})).ok());
  ASSERT_TRUE(SyncWait((*w)->Close()).ok());
  EXPECT_FALSE(SyncWait((*w)->Write(std::as_bytes(std::span<const char>("x", 1)))).ok());
  // Recreating a staged file truncates it.
  ASSERT_TRUE(StageFile(d(), "deep/er/part.3", "short").ok());
  MakeBucket("b");
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "dd00"), "deep/er")).ok());
  EXPECT_EQ(*ReadShard(d(), "dd00", 3), "short");
  EXPECT_EQ(ReadShard(d(), "dd00", 0).code(), Errc::kInvalidArgument);
}

// Writes of every size, aligned or not, crossing the writer's buffer and O_DIRECT chunk
// boundaries, read back byte for byte at their exact size.
TEST_P(StorageApiConformance, ShardWriterKeepsOddSizedWrites) {
  MakeBucket("b");
  const std::size_t sizes[] = {1, 4095, 524320, 524320, 3, (1 << 20) + 7, 0, 4096, 100, 2 << 20};
  std::size_t total = 0;
  for (std::size_t s : sizes) {
    total += s;
  }
  const std::string all = Pattern(total, 11);
  auto w = SyncWait(d().CreateFile(ctx_, "odd/part.1"));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::size_t at = 0;
  for (std::size_t s : sizes) {
    ASSERT_TRUE(
        SyncWait((*w)->Write(std::as_bytes(std::span<const char>(all.data() + at, s)))).ok());
    at += s;
  }
  ASSERT_TRUE(SyncWait((*w)->Close()).ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "0dd0"), "odd")).ok());
  auto got = ReadShard(d(), "0dd0", 1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->size(), total);
  EXPECT_TRUE(*got == all);
  // An unaligned file smaller than one block.
  ASSERT_TRUE(StageFile(d(), "tiny/part.1", "seven b").ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "t", "", 1, "0dd1"), "tiny")).ok());
  EXPECT_EQ(*ReadShard(d(), "0dd1", 1), "seven b");
}

TEST_P(StorageApiConformance, OverwriteKeepsReplacedDataUntilPurged) {
  MakeBucket("b");
  ASSERT_TRUE(StageFile(d(), "s1/part.1", "first").ok());
  auto first = SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "11aa"), "s1"));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->had_entry);
  EXPECT_EQ(first->replaced_data_dir, "");
  ASSERT_TRUE(StageFile(d(), "s2/part.1", "second").ok());
  auto second = SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 2, "22bb"), "s2"));
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->had_entry);
  EXPECT_EQ(second->replaced_data_dir, "11aa");
  // The replaced data stays until the writer knows its write reached quorum.
  EXPECT_EQ(*ReadShard(d(), "11aa", 1), "first");
  EXPECT_EQ(*ReadShard(d(), "22bb", 1), "second");
  ASSERT_TRUE(SyncWait(d().PurgeReplaced(ctx_, "b", "k", "11aa")).ok());
  EXPECT_EQ(ReadShard(d(), "11aa", 1).code(), Errc::kFileNotFound);
  // A folder the entry references is never purged; an absent one is no error.
  ASSERT_TRUE(SyncWait(d().PurgeReplaced(ctx_, "b", "k", "22bb")).ok());
  EXPECT_EQ(*ReadShard(d(), "22bb", 1), "second");
  EXPECT_TRUE(SyncWait(d().PurgeReplaced(ctx_, "b", "k", "11aa")).ok());

  // Same data dir again (a retried commit): the new shards replace the old ones.
  ASSERT_TRUE(StageFile(d(), "s3/part.1", "third").ok());
  auto third = SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 3, "22bb"), "s3"));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->replaced_data_dir, "");
  EXPECT_EQ(*ReadShard(d(), "22bb", 1), "third");

  // Replaced by an inline version: the folder goes once purged.
  auto inlined = SyncWait(d().WriteMetadata(ctx_, MakeFi("b", "k", "", 4, {}, "inline")));
  ASSERT_TRUE(inlined.ok());
  EXPECT_EQ(inlined->replaced_data_dir, "22bb");
  ASSERT_TRUE(SyncWait(d().PurgeReplaced(ctx_, "b", "k", "22bb")).ok());
  EXPECT_EQ(ReadShard(d(), "22bb", 1).code(), Errc::kFileNotFound);

  // A different version keeps its own folder; deleting that version removes it.
  ASSERT_TRUE(StageFile(d(), "s4/part.1", "v1 data").ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "v1", 5, "33cc"), "s4")).ok());
  ASSERT_TRUE(Write(MakeFi("b", "k", "v2", 6, {}, "x")).ok());
  EXPECT_EQ(*ReadShard(d(), "33cc", 1), "v1 data");
  ASSERT_TRUE(SyncWait(d().DeleteVersion(ctx_, MakeFi("b", "k", "v1", 0))).ok());
  EXPECT_EQ(ReadShard(d(), "33cc", 1).code(), Errc::kFileNotFound);
}

TEST_P(StorageApiConformance, RevertCommitPutsThePreviousObjectBack) {
  MakeBucket("b");
  // An inline object, overwritten by a large one whose write then misses its quorum.
  ASSERT_TRUE(Write(MakeFi("b", "k", "", 1, {}, "old inline bytes")).ok());
  FileInfo big = MakeFi("b", "k", "", 2, "44dd");
  ASSERT_TRUE(StageFile(d(), "s1/part.1", "new").ok());
  auto undo = SyncWait(d().RenameData(ctx_, big, "s1"));
  ASSERT_TRUE(undo.ok());
  ASSERT_TRUE(SyncWait(d().RevertCommit(ctx_, big, *undo)).ok());
  auto back = SyncWait(d().ReadVersion(ctx_, "b", "k", "", true));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->mod_time_ns, 1);
  EXPECT_EQ(std::string(back->inline_data.begin(), back->inline_data.end()), "old inline bytes");
  EXPECT_EQ(ReadShard(d(), "44dd", 1).code(), Errc::kFileNotFound);

  // A large object overwritten, reverted: its shards were never removed.
  ASSERT_TRUE(StageFile(d(), "s2/part.1", "large v1").ok());
  auto v1 = SyncWait(d().RenameData(ctx_, MakeFi("b", "L", "", 3, "55ee"), "s2"));
  ASSERT_TRUE(v1.ok());
  FileInfo v2 = MakeFi("b", "L", "", 4, "66ff");
  ASSERT_TRUE(StageFile(d(), "s3/part.1", "large v2").ok());
  auto undo2 = SyncWait(d().RenameData(ctx_, v2, "s3"));
  ASSERT_TRUE(undo2.ok());
  ASSERT_TRUE(SyncWait(d().RevertCommit(ctx_, v2, *undo2)).ok());
  EXPECT_EQ(*ReadShard(d(), "55ee", 1), "large v1");
  EXPECT_EQ(ReadShard(d(), "66ff", 1).code(), Errc::kFileNotFound);
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "L", "", false))->data_dir, "55ee");

  // A new key: the revert removes the entry.
  FileInfo fresh = MakeFi("b", "new", "", 5, {}, "x");
  auto undo3 = SyncWait(d().WriteMetadata(ctx_, fresh));
  ASSERT_TRUE(undo3.ok());
  EXPECT_FALSE(undo3->had_entry);
  ASSERT_TRUE(SyncWait(d().RevertCommit(ctx_, fresh, *undo3)).ok());
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "new", "", false)).code(), Errc::kFileNotFound);

  // A commit that is no longer the entry's (a later write won) is left alone.
  FileInfo a = MakeFi("b", "race", "", 6, {}, "a");
  auto undo_a = SyncWait(d().WriteMetadata(ctx_, a));
  ASSERT_TRUE(undo_a.ok());
  ASSERT_TRUE(Write(MakeFi("b", "race", "", 7, {}, "b")).ok());
  ASSERT_TRUE(SyncWait(d().RevertCommit(ctx_, a, *undo_a)).ok());
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "race", "", false))->mod_time_ns, 7);
}

TEST_P(StorageApiConformance, TmpIsCleanedOnReopenAndByDeleteTmp) {
  MakeBucket("b");
  ASSERT_TRUE(StageFile(d(), "gone/part.1", "abc").ok());
  ASSERT_TRUE(StageFile(d(), "kept/part.1", "abc").ok());
  ASSERT_TRUE(SyncWait(d().DeleteTmp(ctx_, "kept")).ok());
  EXPECT_TRUE(SyncWait(d().DeleteTmp(ctx_, "never-was")).ok());
  EXPECT_EQ(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "aa01"), "kept")).code(),
            Errc::kFileNotFound);
  Reopen();
  EXPECT_EQ(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "aa01"), "gone")).code(),
            Errc::kFileNotFound);
  // An unclosed writer's file is gone too.
  {
    auto w = SyncWait(d().CreateFile(ctx_, "open/part.1"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(SyncWait((*w)->Write(std::as_bytes(std::span<const char>("xyz", 3)))).ok());
  }
  Reopen();
  EXPECT_EQ(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "aa01"), "open")).code(),
            Errc::kFileNotFound);
}

class ListingConformance : public StorageApiConformance {
 protected:
  void SetUp() override {
    StorageApiConformance::SetUp();
    MakeBucket("b");
    MakeBucket("ba");  // shares a name prefix with "b": must never leak into it
    for (const char* k : {"a", "b/1", "b/2", "b/c/3", "c", "d/1", "f", "g/x", "g/y"}) {
      ASSERT_TRUE(Write(MakeFi("b", k, "", 10, {}, "x")).ok());
    }
    for (const char* k : {"e", "g/y", "h/1"}) {  // latest is a delete marker
      FileInfo marker = MakeFi("b", k, "dm", 20);
      marker.deleted = true;
      ASSERT_TRUE(Write(marker).ok());
    }
    ASSERT_TRUE(Write(MakeFi("ba", "a", "", 10, {}, "x")).ok());
  }

  std::vector<std::string> List(std::string prefix, std::string start_after, std::string delimiter,
                                std::size_t limit = 1000, bool include_deleted = false) {
    ListOptions opts;
    opts.prefix = std::move(prefix);
    opts.start_after = std::move(start_after);
    opts.delimiter = std::move(delimiter);
    opts.limit = limit;
    opts.include_deleted = include_deleted;
    return Names(opts);
  }

  using V = std::vector<std::string>;
};

TEST_P(ListingConformance, Recursive) {
  EXPECT_EQ(List("", "", ""), (V{"a", "b/1", "b/2", "b/c/3", "c", "d/1", "f", "g/x"}));
  EXPECT_EQ(List("", "", "", 1000, true),
            (V{"a", "b/1", "b/2", "b/c/3", "c", "d/1", "e", "f", "g/x", "g/y", "h/1"}));
  EXPECT_EQ(List("b/", "", ""), (V{"b/1", "b/2", "b/c/3"}));
  EXPECT_EQ(List("b/", "b/1", ""), (V{"b/2", "b/c/3"}));
  EXPECT_EQ(List("", "b/1", "", 3), (V{"b/2", "b/c/3", "c"}));
  EXPECT_EQ(List("", "b", ""), (V{"b/1", "b/2", "b/c/3", "c", "d/1", "f", "g/x"}));
  EXPECT_EQ(List("zz", "", ""), V{});
  EXPECT_EQ(List("", "g/x", ""), V{});
  EXPECT_EQ(List("", "", "", 0), V{});

  ListOptions only_c;
  only_c.prefix = "c";
  only_c.limit = 10;
  auto latest = SyncWait(d().ListObjects(ctx_, "b", only_c));
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].latest.name, "c");
  EXPECT_EQ((*latest)[0].latest.volume, "b");
  EXPECT_TRUE((*latest)[0].latest.is_latest);
  EXPECT_EQ((*latest)[0].latest.size, 1234);
  EXPECT_TRUE((*latest)[0].latest.inline_data.empty());  // listing never returns data
  EXPECT_EQ(SyncWait(d().ListObjects(ctx_, "nob", {})).code(), Errc::kVolumeNotFound);
}

// Every version, newest first within a key, delete markers included, resumable at a version.
TEST_P(ListingConformance, Versions) {
  // "g/y": a null version (10) under the delete marker "dm" (20); "m": four versions.
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(meta::NewVersionId(100 + i, 77 + static_cast<std::uint64_t>(i)));
    ASSERT_TRUE(Write(MakeFi("b", "m", ids.back(), 100 + i, {}, "x")).ok());
  }
  auto list = [&](std::string start_after, std::string marker, std::size_t limit,
                  std::string delimiter = "") {
    ListOptions o;
    o.versions = true;
    o.start_after = std::move(start_after);
    o.version_marker = std::move(marker);
    o.limit = limit;
    o.delimiter = std::move(delimiter);
    auto r = SyncWait(d().ListObjects(ctx_, "b", o));
    EXPECT_TRUE(r.ok());
    std::vector<std::string> out;
    for (const auto& e : *r) {
      out.push_back(e.is_prefix ? e.name
                                : e.name + "@" +
                                      (e.latest.version_id.empty() ? std::string("null")
                                                                   : e.latest.version_id) +
                                      (e.latest.is_latest ? "*" : ""));
    }
    return out;
  };
  EXPECT_EQ(list("g/", "", 4), (V{"g/x@null*", "g/y@dm*", "g/y@null", "h/1@dm*"}));
  EXPECT_EQ(list("h/1", "", 5),
            (V{"m@" + ids[3] + "*", "m@" + ids[2], "m@" + ids[1], "m@" + ids[0]}));
  EXPECT_EQ(list("m", ids[2], 5), (V{"m@" + ids[1], "m@" + ids[0]}));
  EXPECT_EQ(list("m", ids[3], 1), (V{"m@" + ids[2]}));
  EXPECT_EQ(list("g/y", "dm", 6), (V{"g/y@null", "h/1@dm*", "m@" + ids[3] + "*", "m@" + ids[2],
                                     "m@" + ids[1], "m@" + ids[0]}));
  EXPECT_EQ(list("g/x", "", 3, "/"), (V{"h/", "m@" + ids[3] + "*", "m@" + ids[2]}));
}

TEST_P(ListingConformance, Delimiter) {
  EXPECT_EQ(List("", "", "/"), (V{"a", "b/", "c", "d/", "f", "g/"}));
  // h/ holds only a delete marker: shown only with include_deleted.
  EXPECT_EQ(List("", "", "/", 1000, true), (V{"a", "b/", "c", "d/", "e", "f", "g/", "h/"}));
  EXPECT_EQ(List("b/", "", "/"), (V{"b/1", "b/2", "b/c/"}));
  EXPECT_EQ(List("b", "", "/"), (V{"b/"}));
  // start_after equal to a returned prefix, or inside one, skips the whole prefix.
  EXPECT_EQ(List("", "b/", "/"), (V{"c", "d/", "f", "g/"}));
  EXPECT_EQ(List("", "b/1", "/"), (V{"c", "d/", "f", "g/"}));
  EXPECT_EQ(List("", "a", "/", 2), (V{"b/", "c"}));
  // A multi-byte delimiter.
  EXPECT_EQ(List("", "", "/c/"), (V{"a", "b/1", "b/2", "b/c/", "c", "d/1", "f", "g/x"}));
}

TEST_P(ListingConformance, PagesConcatenateToTheFullListing) {
  for (std::string delimiter : {"", "/"}) {
    for (std::size_t page = 1; page <= 4; ++page) {
      V all = List("", "", delimiter);
      V paged;
      std::string marker;
      for (int guard = 0; guard < 100; ++guard) {
        V got = List("", marker, delimiter, page);
        paged.insert(paged.end(), got.begin(), got.end());
        if (got.size() < page) {
          break;
        }
        marker = got.back();
      }
      EXPECT_EQ(paged, all) << "delimiter '" << delimiter << "' page " << page;
    }
  }
}

TEST_P(ListingConformance, HighBytesInKeysAndDelimiters) {
  MakeBucket("hb");
  const std::string ff = "\xFF";
  for (const std::string& k : V{"h" + ff + "/1", "h" + ff + "/2", "h" + ff + ff,
                                "h" + ff + ff + "/z", "i", ff + ff + "/x", ff + ff + ff}) {
    ASSERT_TRUE(Write(MakeFi("hb", k, "", 1, {}, "x")).ok());
  }
  ListOptions opts;
  opts.delimiter = "/";
  opts.prefix = "h";
  EXPECT_EQ(Names(opts, "hb"), (V{"h" + ff + "/", "h" + ff + ff, "h" + ff + ff + "/"}));
  opts.start_after = "h" + ff + "/";
  EXPECT_EQ(Names(opts, "hb"), (V{"h" + ff + ff, "h" + ff + ff + "/"}));
  opts.prefix = "";
  opts.start_after = "i";
  EXPECT_EQ(Names(opts, "hb"), (V{ff + ff + "/", ff + ff + ff}));
  opts.start_after = ff + ff + "/";
  EXPECT_EQ(Names(opts, "hb"), (V{ff + ff + ff}));
  opts.delimiter = ff;  // a 0xFF delimiter folds at the first 0xFF
  opts.start_after = "";
  EXPECT_EQ(Names(opts, "hb"), (V{"h" + ff, "i", ff}));
  opts.start_after = "h" + ff;
  EXPECT_EQ(Names(opts, "hb"), (V{"i", ff}));
  opts.prefix = ff;
  opts.start_after = "";
  EXPECT_EQ(Names(opts, "hb"), (V{ff + ff}));
}

TEST_P(StorageApiConformance, MultipartFlow) {
  MakeBucket("b");
  const std::string dd = "5e000000-0000-4000-8000-00000000abcd";
  FileInfo ufi = MakeFi("b", "big", "", 0, dd);
  ufi.SetMeta("content-type", "video/mp4");
  MultipartUpload up{"big", "up-1", 42, ufi};
  ASSERT_TRUE(SyncWait(d().PutUpload(ctx_, "b", up)).ok());
  auto read = SyncWait(d().ReadUpload(ctx_, "b", "big", "up-1"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->key, "big");
  EXPECT_EQ(read->upload_id, "up-1");
  EXPECT_EQ(read->initiated_ns, 42);
  EXPECT_EQ(read->fi.data_dir, dd);
  EXPECT_EQ(read->fi.Meta("content-type"), "video/mp4");
  EXPECT_EQ(SyncWait(d().ReadUpload(ctx_, "b", "big", "up-2")).code(), Errc::kUploadNotFound);

  std::string p1 = Pattern(600000, 1), p2 = Pattern(5000, 2), p2b = Pattern(7000, 3),
              p3 = Pattern(10, 4);
  auto commit = [&](int n, const std::string& content, const std::string& etag) {
    std::string tmp = "tp" + std::to_string(n) + etag;
    EXPECT_TRUE(StageFile(d(), tmp + "/part.1", content).ok());
    meta::ObjectPart part{n, etag, static_cast<std::int64_t>(content.size()), 100 + n, {}};
    return SyncWait(d().CommitPart(ctx_, "b", "big", "up-1", part, tmp));
  };
  ASSERT_TRUE(commit(1, p1, "e1").ok());
  ASSERT_TRUE(commit(2, p2, "e2").ok());
  ASSERT_TRUE(commit(3, p3, "e3").ok());
  ASSERT_TRUE(commit(2, p2b, "e2b").ok());  // a re-upload replaces part 2
  ASSERT_TRUE(StageFile(d(), "orphan/part.1", "x").ok());
  EXPECT_EQ(SyncWait(d().CommitPart(ctx_, "b", "big", "up-9", {1, "e", 1, 1, {}}, "orphan")).code(),
            Errc::kUploadNotFound);

  auto parts = SyncWait(d().ListParts(ctx_, "b", "big", "up-1"));
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].number, 1);
  EXPECT_EQ((*parts)[1].etag, "e2b");
  EXPECT_EQ((*parts)[1].size, 7000);
  EXPECT_EQ((*parts)[2].number, 3);
  EXPECT_EQ(SyncWait(d().ListParts(ctx_, "b", "big", "up-9")).code(), Errc::kUploadNotFound);

  // Completing with a part never uploaded fails and changes nothing.
  FileInfo fi = MakeFi("b", "big", "", 500, dd);
  fi.parts = {{1, "e1", 600000, 101, {}}, {4, "e4", 1, 1, {}}};
  EXPECT_EQ(SyncWait(d().CompleteUpload(ctx_, fi.volume, fi.name, "up-1", fi)).code(),
            Errc::kPartNotFound);
  EXPECT_TRUE(SyncWait(d().ReadUpload(ctx_, "b", "big", "up-1")).ok());

  fi.parts = {{1, "e1", 600000, 101, {}}, {2, "e2b", 7000, 102, {}}};
  fi.size = 607000;
  ASSERT_TRUE(SyncWait(d().CompleteUpload(ctx_, fi.volume, fi.name, "up-1", fi)).ok());
  auto obj = SyncWait(d().ReadVersion(ctx_, "b", "big", "", false));
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(obj->data_dir, dd);
  EXPECT_EQ(obj->parts, fi.parts);
  EXPECT_EQ(obj->size, 607000);
  EXPECT_EQ(*ReadShard(d(), dd, 1), p1);
  EXPECT_EQ(*ReadShard(d(), dd, 2), p2b);
  EXPECT_EQ(ReadShard(d(), dd, 3).code(), Errc::kFileNotFound);  // unused part removed
  EXPECT_EQ(SyncWait(d().ReadUpload(ctx_, "b", "big", "up-1")).code(), Errc::kUploadNotFound);
  EXPECT_EQ(SyncWait(d().ListParts(ctx_, "b", "big", "up-1")).code(), Errc::kUploadNotFound);
  EXPECT_EQ(SyncWait(d().CompleteUpload(ctx_, fi.volume, fi.name, "up-1", fi)).code(),
            Errc::kUploadNotFound);
  auto uploads = SyncWait(d().ListUploads(ctx_, "b", "", "", "", 100));
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
}

// Two uploads of one part number in flight: the one that started later (later mod_time_ns)
// is kept whichever commits last, so every drive ends with the same part.
// Of two copies of a part number, a drive keeps the one with the later part time (when the
// erasure set received its whole body), whatever order the commits arrive in.
TEST_P(StorageApiConformance, CommitPartKeepsTheLaterPartTime) {
  MakeBucket("b");
  const std::string dd = "6e000000-0000-4000-8000-00000000abcd";
  ASSERT_TRUE(SyncWait(d().PutUpload(ctx_, "b", {"k", "u", 1, MakeFi("b", "k", "", 0, dd)})).ok());
  auto commit = [&](std::int64_t started, const std::string& content, const std::string& tmp) {
    EXPECT_TRUE(StageFile(d(), tmp + "/part.1", content).ok());
    meta::ObjectPart part{
        1, "e-" + content, static_cast<std::int64_t>(content.size()), started, {}};
    return SyncWait(d().CommitPart(ctx_, "b", "k", "u", part, tmp));
  };
  ASSERT_TRUE(commit(200, "second", "t2").ok());
  ASSERT_TRUE(commit(100, "first, slower", "t1").ok());  // an earlier time, committed last
  auto parts = SyncWait(d().ListParts(ctx_, "b", "k", "u"));
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].etag, "e-second");
  EXPECT_EQ((*parts)[0].mod_time_ns, 200);
  EXPECT_EQ(*ReadShard(d(), dd, 1), "second");
  ASSERT_TRUE(commit(400, "third", "t3").ok());  // a later upload replaces it
  EXPECT_EQ(*ReadShard(d(), dd, 1), "third");
}

TEST_P(StorageApiConformance, AbortUpload) {
  MakeBucket("b");
  const std::string dd = "6f000000-0000-4000-8000-00000000abcd";
  ASSERT_TRUE(SyncWait(d().PutUpload(ctx_, "b", {"k", "u", 1, MakeFi("b", "k", "", 0, dd)})).ok());
  ASSERT_TRUE(StageFile(d(), "t/part.1", "part one").ok());
  ASSERT_TRUE(SyncWait(d().CommitPart(ctx_, "b", "k", "u", {1, "e", 8, 1, {}}, "t")).ok());
  EXPECT_EQ(*ReadShard(d(), dd, 1), "part one");
  ASSERT_TRUE(SyncWait(d().AbortUpload(ctx_, "b", "k", "u")).ok());
  EXPECT_EQ(ReadShard(d(), dd, 1).code(), Errc::kFileNotFound);
  EXPECT_EQ(SyncWait(d().ReadUpload(ctx_, "b", "k", "u")).code(), Errc::kUploadNotFound);
  EXPECT_EQ(SyncWait(d().AbortUpload(ctx_, "b", "k", "u")).code(), Errc::kUploadNotFound);
  // A new upload with the same id starts with no parts.
  ASSERT_TRUE(SyncWait(d().PutUpload(ctx_, "b", {"k", "u", 2, MakeFi("b", "k", "", 0, dd)})).ok());
  EXPECT_TRUE(SyncWait(d().ListParts(ctx_, "b", "k", "u"))->empty());
}

TEST_P(StorageApiConformance, ListUploadsOrderMarkersAndParts) {
  MakeBucket("b");
  MakeBucket("b0");

  struct U {
    const char* key;
    const char* id;
  };

  const U all[] = {{"a", "2"}, {"a", "1"}, {"a/b", "1"}, {"ab", "9"}, {"b", "1"}, {"b", "3"}};
  int n = 0;
  for (const auto& u : all) {
    std::string dd = "7a00000" + std::to_string(n++);
    ASSERT_TRUE(
        SyncWait(d().PutUpload(ctx_, "b", {u.key, u.id, n, MakeFi("b", u.key, "", 0, dd)})).ok());
    // Part records must not show up as uploads.
    std::string tmp = "t" + std::to_string(n);
    ASSERT_TRUE(StageFile(d(), tmp + "/part.1", "p").ok());
    ASSERT_TRUE(SyncWait(d().CommitPart(ctx_, "b", u.key, u.id, {1, "e", 1, 1, {}}, tmp)).ok());
  }
  ASSERT_TRUE(
      SyncWait(d().PutUpload(ctx_, "b0", {"a", "x", 1, MakeFi("b0", "a", "", 0, "7b000000")}))
          .ok());
  auto list = [&](std::string_view prefix, std::string_view km, std::string_view um,
                  std::size_t limit) {
    auto r = SyncWait(d().ListUploads(ctx_, "b", prefix, km, um, limit));
    EXPECT_TRUE(r.ok());
    std::vector<std::string> out;
    for (const auto& u : *r) {
      out.push_back(u.key + ":" + u.upload_id);
      EXPECT_EQ(u.fi.volume, "b");
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list("", "", "", 100), (V{"a:1", "a:2", "a/b:1", "ab:9", "b:1", "b:3"}));
  EXPECT_EQ(list("", "", "", 2), (V{"a:1", "a:2"}));
  EXPECT_EQ(list("a", "", "", 100), (V{"a:1", "a:2", "a/b:1", "ab:9"}));
  EXPECT_EQ(list("a/", "", "", 100), (V{"a/b:1"}));
  EXPECT_EQ(list("", "a", "", 100), (V{"a/b:1", "ab:9", "b:1", "b:3"}));
  EXPECT_EQ(list("", "a", "1", 100), (V{"a:2", "a/b:1", "ab:9", "b:1", "b:3"}));
  EXPECT_EQ(list("", "b", "1", 100), (V{"b:3"}));
  EXPECT_EQ(list("", "b", "", 100), V{});
  EXPECT_EQ(SyncWait(d().ListUploads(ctx_, "nob", "", "", "", 10)).code(), Errc::kVolumeNotFound);
}

TEST_P(StorageApiConformance, ReopenKeepsEverything) {
  MakeBucket("b");
  ASSERT_TRUE(SyncWait(d().WriteFormat(ctx_, R"({"this":"d1"})")).ok());
  std::string inline_data = Pattern(5000, 9);
  ASSERT_TRUE(Write(MakeFi("b", "small", "", 1, {}, inline_data)).ok());
  ASSERT_TRUE(StageFile(d(), "s/part.1", "large shard").ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "large", "v1", 2, "ee00"), "s")).ok());
  ASSERT_TRUE(
      SyncWait(d().PutUpload(ctx_, "b", {"m", "u", 3, MakeFi("b", "m", "", 0, "ff00")})).ok());
  ASSERT_TRUE(StageFile(d(), "p/part.1", "part").ok());
  ASSERT_TRUE(SyncWait(d().CommitPart(ctx_, "b", "m", "u", {1, "e", 4, 1, {}}, "p")).ok());

  for (int round = 0; round < 2; ++round) {
    Reopen();
    EXPECT_EQ(*SyncWait(d().ReadFormat(ctx_)), R"({"this":"d1"})");
    EXPECT_EQ(SyncWait(d().ListVolumes(ctx_))->size(), 1u);
    EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "small", "", true))->inline_data, inline_data);
    EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "large", "v1", false))->data_dir, "ee00");
    EXPECT_EQ(*ReadShard(d(), "ee00", 1), "large shard");
    EXPECT_EQ(SyncWait(d().ReadUpload(ctx_, "b", "m", "u"))->fi.data_dir, "ff00");
    EXPECT_EQ(SyncWait(d().ListParts(ctx_, "b", "m", "u"))->size(), 1u);
    EXPECT_EQ(*ReadShard(d(), "ff00", 1), "part");
    EXPECT_EQ(Names(ListOptions{}), (std::vector<std::string>{"large", "small"}));
    // Volume checks still work after a reopen.
    EXPECT_EQ(SyncWait(d().MakeVolume(ctx_, "b", "")).code(), Errc::kVolumeExists);
  }
}

TEST_P(StorageApiConformance, BadNamesAndPathsAreRefused) {
  MakeBucket("b");
  const std::string nul_key("a\0b", 3);
  EXPECT_EQ(Write(MakeFi("b", nul_key, "", 1, {}, "x")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(Write(MakeFi("b", "", "", 1, {}, "x")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", nul_key, "", false)).code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().MakeVolume(ctx_, std::string("v\0x", 3), "")).code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().MakeVolume(ctx_, "", "")).code(), Errc::kInvalidArgument);
  // Paths never escape the drive.
  EXPECT_EQ(SyncWait(d().CreateFile(ctx_, "../escape")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().CreateFile(ctx_, "/etc/passwd")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().CreateFile(ctx_, "a//b")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().DeleteTmp(ctx_, "..")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().OpenShard(ctx_, "../../x", 1)).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().OpenShard(ctx_, "zz00", 1)).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "aa/../../x"), "t")).code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, "aa00"), "../t")).code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(Write(MakeFi("b", "k", "", 1, "../../etc")).code(), Errc::kInvalidArgument);
  // Keys that would be dangerous paths elsewhere are plain keys here.
  ASSERT_TRUE(Write(MakeFi("b", "../../etc/passwd", "", 1, {}, "x")).ok());
  EXPECT_TRUE(SyncWait(d().ReadVersion(ctx_, "b", "../../etc/passwd", "", true)).ok());
}

TEST_P(StorageApiConformance, SystemRecords) {
  EXPECT_EQ(SyncWait(d().ReadSystemRecord(ctx_, "heal-tracker")).code(), Errc::kFileNotFound);
  EXPECT_TRUE(SyncWait(d().DeleteSystemRecord(ctx_, "heal-tracker")).ok());  // absent: ok
  const std::string big = Pattern(3 << 20, 7);                               // a few MiB, binary
  ASSERT_TRUE(SyncWait(d().WriteSystemRecord(ctx_, "heal-tracker", "v1")).ok());
  ASSERT_TRUE(SyncWait(d().WriteSystemRecord(ctx_, "mrf/node1:9000", big)).ok());
  ASSERT_TRUE(SyncWait(d().WriteSystemRecord(ctx_, "empty", "")).ok());
  ASSERT_TRUE(SyncWait(d().WriteSystemRecord(ctx_, "heal-tracker", "v2")).ok());  // replaces
  EXPECT_EQ(*SyncWait(d().ReadSystemRecord(ctx_, "heal-tracker")), "v2");
  EXPECT_EQ(*SyncWait(d().ReadSystemRecord(ctx_, "mrf/node1:9000")), big);
  EXPECT_EQ(*SyncWait(d().ReadSystemRecord(ctx_, "empty")), "");
  // Records live apart from buckets: none is listed, none blocks a bucket of the same name.
  EXPECT_TRUE(SyncWait(d().ListVolumes(ctx_))->empty());
  MakeBucket("heal-tracker");
  EXPECT_EQ(*SyncWait(d().ReadSystemRecord(ctx_, "heal-tracker")), "v2");

  for (int round = 0; round < 2; ++round) {
    Reopen();
    EXPECT_EQ(*SyncWait(d().ReadSystemRecord(ctx_, "heal-tracker")), "v2");
    EXPECT_EQ(*SyncWait(d().ReadSystemRecord(ctx_, "mrf/node1:9000")), big);
  }
  ASSERT_TRUE(SyncWait(d().DeleteSystemRecord(ctx_, "heal-tracker")).ok());
  EXPECT_EQ(SyncWait(d().ReadSystemRecord(ctx_, "heal-tracker")).code(), Errc::kFileNotFound);
  Reopen();
  EXPECT_EQ(SyncWait(d().ReadSystemRecord(ctx_, "heal-tracker")).code(), Errc::kFileNotFound);
  EXPECT_EQ(*SyncWait(d().ReadSystemRecord(ctx_, "mrf/node1:9000")), big);
}

TEST_P(StorageApiConformance, SystemRecordBadNamesAndSizesAreRefused) {
  EXPECT_EQ(SyncWait(d().WriteSystemRecord(ctx_, "", "x")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().WriteSystemRecord(ctx_, std::string("a\0b", 3), "x")).code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().WriteSystemRecord(ctx_, "with space", "x")).code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(
      SyncWait(d().WriteSystemRecord(ctx_, std::string(kMaxSystemRecordName + 1, 'n'), "x")).code(),
      Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().ReadSystemRecord(ctx_, "")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(d().DeleteSystemRecord(ctx_, "")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(
      SyncWait(d().WriteSystemRecord(ctx_, "big", std::string(kMaxSystemRecordBytes + 1, 'x')))
          .code(),
      Errc::kInvalidArgument);
  EXPECT_TRUE(
      SyncWait(d().WriteSystemRecord(ctx_, std::string(kMaxSystemRecordName, 'n'), "x")).ok());
}

// What a crash between a large PUT's rename and its metadata commit leaves: a data folder
// that no metadata references, made here on disk under the drive's directory.
std::string MakeOrphanDir(const std::string& drive_dir, const std::string& data_dir,
                          std::string_view content) {
  const std::string dir = drive_dir + "/data/" + data_dir.substr(0, 2) + "/" + data_dir;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/part.1", std::ios::binary) << content;
  return dir;
}

// The folder an overwrite replaced is unreferenced until its writer settles the commit: an
// orphan cleanup meanwhile (however old the folder) must leave it, or a RevertCommit would
// put back an object whose data is gone. Settled by a revert during a cleanup pass, it stays
// for that pass too; once purged it is gone.
// CompleteMultipartUpload reached the other drives but not this one: the upload is still
// here, and a heal wrote the object into the same data folder (the upload's). Aborting the
// upload then drops its record but keeps the folder the object uses.
TEST_P(StorageApiConformance, AbortKeepsTheFolderAHealedObjectUses) {
  MakeBucket("b");
  const std::string shared = "7a2b3c4d-0000-4000-8000-00000000000d";
  MultipartUpload up{"mp", "up-9", 5, MakeFi("b", "mp", "", 5, shared)};
  ASSERT_TRUE(SyncWait(d().PutUpload(ctx_, "b", up)).ok());
  ASSERT_TRUE(StageFile(d(), "p1/part.1", "part bytes").ok());
  ASSERT_TRUE(SyncWait(d().CommitPart(ctx_, "b", "mp", "up-9", {1, "e", 10, 1, {}}, "p1")).ok());
  ASSERT_TRUE(StageFile(d(), "heal/part.1", "healed shard").ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "mp", "", 6, shared), "heal")).ok());

  ASSERT_TRUE(SyncWait(d().AbortUpload(ctx_, "b", "mp", "up-9")).ok());
  EXPECT_FALSE(SyncWait(d().ReadUpload(ctx_, "b", "mp", "up-9")).ok());
  EXPECT_EQ(*ReadShard(d(), shared, 1), "healed shard");

  // Without an object in it, an aborted upload's folder goes.
  const std::string alone = "8a2b3c4d-0000-4000-8000-00000000000e";
  MultipartUpload up2{"other", "up-10", 5, MakeFi("b", "other", "", 5, alone)};
  ASSERT_TRUE(SyncWait(d().PutUpload(ctx_, "b", up2)).ok());
  ASSERT_TRUE(StageFile(d(), "p2/part.1", "part").ok());
  ASSERT_TRUE(SyncWait(d().CommitPart(ctx_, "b", "other", "up-10", {1, "e", 4, 1, {}}, "p2")).ok());
  ASSERT_TRUE(SyncWait(d().AbortUpload(ctx_, "b", "other", "up-10")).ok());
  EXPECT_EQ(ReadShard(d(), alone, 1).code(), Errc::kFileNotFound);
}

TEST_P(StorageApiConformance, RemoveOrphanDataLeavesAnUnsettledReplacedFolder) {
  MakeBucket("b");
  const std::string old_dir = "1a2b3c4d-0000-4000-8000-00000000000a";
  ASSERT_TRUE(StageFile(d(), "s1/part.1", "acknowledged").ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "k", "", 1, old_dir), "s1")).ok());
  FileInfo v2 = MakeFi("b", "k", "", 2, "2a2b3c4d-0000-4000-8000-00000000000b");
  ASSERT_TRUE(StageFile(d(), "s2/part.1", "failed overwrite").ok());
  auto undo = SyncWait(d().RenameData(ctx_, v2, "s2"));
  ASSERT_TRUE(undo.ok());
  ASSERT_EQ(undo->replaced_data_dir, old_dir);

  OrphanCleanupOptions now;
  now.min_age = std::chrono::seconds(0);
  auto r = SyncWait(d().RemoveOrphanData(ctx_, now));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data_dirs, 0u);
  ASSERT_TRUE(SyncWait(d().RevertCommit(ctx_, v2, *undo)).ok());
  EXPECT_EQ(*ReadShard(d(), old_dir, 1), "acknowledged");
  EXPECT_EQ(SyncWait(d().ReadVersion(ctx_, "b", "k", "", false))->data_dir, old_dir);
  r = SyncWait(d().RemoveOrphanData(ctx_, now));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*ReadShard(d(), old_dir, 1), "acknowledged");

  // Overwritten again and purged: the folder goes with the purge.
  FileInfo v3 = MakeFi("b", "k", "", 3, "3a2b3c4d-0000-4000-8000-00000000000c");
  ASSERT_TRUE(StageFile(d(), "s3/part.1", "v3").ok());
  auto undo3 = SyncWait(d().RenameData(ctx_, v3, "s3"));
  ASSERT_TRUE(undo3.ok());
  ASSERT_TRUE(SyncWait(d().PurgeReplaced(ctx_, "b", "k", undo3->replaced_data_dir)).ok());
  EXPECT_EQ(ReadShard(d(), old_dir, 1).code(), Errc::kFileNotFound);
}

TEST_P(StorageApiConformance, RemoveOrphanDataKeepsReferencedAndYoungData) {
  if (!GetParam().on_disk) {
    GTEST_SKIP() << GetParam().name
                 << " keeps no files in its directory, where this test plants its orphans";
  }
  MakeBucket("b");
  const std::string kept = "0a7c1f52-9d3e-4b6a-8c21-5f0e9d8b7a61";
  const std::string orphan = "0a11d0e2-3c4b-4a5d-9e6f-7a8b9c0d1e2f";
  const std::string odd_orphan = "e7-not-a-uuid";
  ASSERT_TRUE(StageFile(d(), "t1/part.1", "shard-1").ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "big", "", 7, kept), "t1")).ok());
  // A non-UUID data dir name, referenced: the fallback set must hold it.
  ASSERT_TRUE(StageFile(d(), "t2/part.1", "shard-2").ok());
  ASSERT_TRUE(SyncWait(d().RenameData(ctx_, MakeFi("b", "odd", "", 7, "e7000001"), "t2")).ok());
  // A multipart upload in progress with one part.
  const std::string upload_dir = "5b2e8f10-1a2b-4c3d-8e4f-5a6b7c8d9e0f";
  MultipartUpload up{"mp", "up-1", 5, MakeFi("b", "mp", "", 5, upload_dir)};
  ASSERT_TRUE(SyncWait(d().PutUpload(ctx_, "b", up)).ok());
  ASSERT_TRUE(StageFile(d(), "t3/part.1", "part-one").ok());
  ASSERT_TRUE(SyncWait(d().CommitPart(ctx_, "b", "mp", "up-1", {1, "e", 8, 1, {}}, "t3")).ok());
  const std::string orphan_path = MakeOrphanDir(dir_.path(), orphan, "lost-shard");
  const std::string odd_path = MakeOrphanDir(dir_.path(), odd_orphan, "xy");
  ASSERT_TRUE(StageFile(d(), "stale/part.1", "staged").ok());

  // Young (min age 1 h): nothing goes.
  OrphanCleanupOptions young;
  auto r = SyncWait(d().RemoveOrphanData(ctx_, young));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data_dirs, 0u);
  EXPECT_EQ(r->tmp_entries, 0u);
  EXPECT_EQ(r->next_fan_out, kDataFanOuts);
  EXPECT_TRUE(std::filesystem::exists(orphan_path));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/.cairn.sys/tmp/stale/part.1"));

  // Old enough (min age 0): the two orphans and the stale tmp entry go, the rest stays.
  OrphanCleanupOptions now;
  now.min_age = std::chrono::seconds(0);
  r = SyncWait(d().RemoveOrphanData(ctx_, now));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data_dirs, 2u);
  EXPECT_EQ(r->data_bytes, 12u);  // "lost-shard" + "xy"
  EXPECT_EQ(r->tmp_entries, 1u);
  EXPECT_EQ(r->next_fan_out, kDataFanOuts);
  EXPECT_FALSE(std::filesystem::exists(orphan_path));
  EXPECT_FALSE(std::filesystem::exists(odd_path));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/.cairn.sys/tmp/stale"));
  EXPECT_EQ(*ReadShard(d(), kept, 1), "shard-1");
  EXPECT_EQ(*ReadShard(d(), "e7000001", 1), "shard-2");
  EXPECT_EQ(*ReadShard(d(), upload_dir, 1), "part-one");
  EXPECT_TRUE(SyncWait(d().ReadVersion(ctx_, "b", "big", "", false)).ok());

  // Nothing left to remove; a step from the middle covers the rest only.
  now.first_fan_out = 0x80;
  r = SyncWait(d().RemoveOrphanData(ctx_, now));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data_dirs + r->tmp_entries, 0u);
  EXPECT_EQ(r->next_fan_out, kDataFanOuts);
  now.first_fan_out = kDataFanOuts;
  EXPECT_EQ(SyncWait(d().RemoveOrphanData(ctx_, now)).code(), Errc::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Drives, StorageApiConformance, ::testing::ValuesIn(AllDriveFactories()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Drives, ListingConformance, ::testing::ValuesIn(AllDriveFactories()),
                         [](const auto& info) { return info.param.name; });

}  // namespace conformance_test_internal
}  // namespace cairn::storage::testing
