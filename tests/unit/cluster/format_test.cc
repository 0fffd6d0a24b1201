#include "cluster/format.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/sync_wait.h"

namespace cairn::cluster {
namespace format_test_internal {

using ::testing::HasSubstr;
using testing::SyncWait;

// A drive that keeps format.json in memory; every other call is refused. Enough for the
// start-up step, which only reads and writes formats.
class MemoryFormatDrive final : public storage::StorageApi {
 public:
  explicit MemoryFormatDrive(std::string name) : name_(std::move(name)) {}

  std::optional<std::string> format;  // nullopt: unformatted
  bool offline = false;
  bool fail_writes = false;
  int writes = 0;

  std::string endpoint() const override { return name_; }

  bool IsOnline() const override { return !offline; }

  std::size_t max_writer_buffer_bytes() const override { return 0; }

  std::optional<Result<meta::FileInfo>> ReadVersionNow(const RequestContext&, std::string_view,
                                                       std::string_view, std::string_view,
                                                       bool) override {
    return std::nullopt;
  }

  Task<Result<storage::DiskInfo>> GetDiskInfo(const RequestContext&) override { co_return No(); }

  Task<Result<std::string>> ReadFormat(const RequestContext&) override {
    if (offline) {
      co_return Status(Errc::kDiskNotFound, "offline");
    }
    if (!format) {
      co_return Status(Errc::kUnformattedDisk);
    }
    co_return *format;
  }

  Task<Status> WriteFormat(const RequestContext&, std::string_view text) override {
    if (offline || fail_writes) {
      co_return Status(Errc::kFaultyDisk, "write failed");
    }
    ++writes;
    format = std::string(text);
    co_return Status::Ok();
  }

  Task<Status> MakeVolume(const RequestContext&, std::string_view, std::string_view) override {
    co_return No();
  }

  Task<Result<storage::VolumeInfo>> StatVolume(const RequestContext&, std::string_view) override {
    co_return No();
  }

  Task<Result<std::vector<storage::VolumeInfo>>> ListVolumes(const RequestContext&) override {
    co_return No();
  }

  Task<Status> UpdateVolumeMeta(const RequestContext&, std::string_view,
                                std::string_view) override {
    co_return No();
  }

  Task<Status> DeleteVolume(const RequestContext&, std::string_view, bool) override {
    co_return No();
  }

  Task<Result<storage::CommitUndo>> WriteMetadata(const RequestContext&,
                                                  const meta::FileInfo&) override {
    co_return No();
  }

  Task<Result<storage::CommitUndo>> RenameData(const RequestContext&, const meta::FileInfo&,
                                               std::string_view) override {
    co_return No();
  }

  Task<Status> RevertCommit(const RequestContext&, const meta::FileInfo&,
                            const storage::CommitUndo&) override {
    co_return No();
  }

  Task<Status> PurgeReplaced(const RequestContext&, std::string_view, std::string_view,
                             std::string_view) override {
    co_return No();
  }

  Task<Result<meta::FileInfo>> ReadVersion(const RequestContext&, std::string_view,
                                           std::string_view, std::string_view, bool) override {
    co_return No();
  }

  Task<Result<std::vector<meta::FileInfo>>> ReadVersions(const RequestContext&, std::string_view,
                                                         std::string_view) override {
    co_return No();
  }

  Task<Status> DeleteVersion(const RequestContext&, const meta::FileInfo&) override {
    co_return No();
  }

  Task<Result<std::vector<storage::ListEntry>>> ListObjects(const RequestContext&, std::string_view,
                                                            const storage::ListOptions&) override {
    co_return No();
  }

  Task<Result<std::unique_ptr<storage::ShardWriter>>> CreateFile(const RequestContext&,
                                                                 std::string_view) override {
    co_return No();
  }

  Task<Result<std::unique_ptr<storage::ShardReader>>> OpenShard(const RequestContext&,
                                                                std::string_view, int) override {
    co_return No();
  }

  Task<Status> DeleteTmp(const RequestContext&, std::string_view) override { co_return No(); }

  Task<Status> PutUpload(const RequestContext&, std::string_view,
                         const storage::MultipartUpload&) override {
    co_return No();
  }

  Task<Result<storage::MultipartUpload>> ReadUpload(const RequestContext&, std::string_view,
                                                    std::string_view, std::string_view) override {
    co_return No();
  }

  Task<Result<std::vector<storage::MultipartUpload>>> ListUploads(
      const RequestContext&, std::string_view, std::string_view, std::string_view, std::string_view,
      std::size_t) override {
    co_return No();
  }

  Task<Status> CommitPart(const RequestContext&, std::string_view, std::string_view,
                          std::string_view, const meta::ObjectPart&, std::string_view) override {
    co_return No();
  }

  Task<Result<std::vector<meta::ObjectPart>>> ListParts(const RequestContext&, std::string_view,
                                                        std::string_view,
                                                        std::string_view) override {
    co_return No();
  }

  Task<Result<storage::CommitUndo>> CompleteUpload(const RequestContext&, std::string_view,
                                                   std::string_view, std::string_view,
                                                   const meta::FileInfo&) override {
    co_return No();
  }

  Task<Status> AbortUpload(const RequestContext&, std::string_view, std::string_view,
                           std::string_view) override {
    co_return No();
  }

  Task<Result<std::string>> ReadSystemRecord(const RequestContext&, std::string_view) override {
    co_return No();
  }

  Task<Status> WriteSystemRecord(const RequestContext&, std::string_view,
                                 std::string_view) override {
    co_return No();
  }

  Task<Status> DeleteSystemRecord(const RequestContext&, std::string_view) override {
    co_return No();
  }

  Task<Result<storage::OrphanStats>> RemoveOrphanData(
      const RequestContext&, const storage::OrphanCleanupOptions&) override {
    co_return No();
  }

 private:
  static Status No() { return Status(Errc::kNotImplemented, "format-only test drive"); }

  std::string name_;
};

[[maybe_unused]] LayoutOptions Parity(int p) {
  LayoutOptions o;
  o.parity = p;
  return o;
}

LayoutOptions SetSize(int s) {
  LayoutOptions o;
  o.set_size = s;
  return o;
}

[[maybe_unused]] LayoutOptions Both(int p, int s) {
  LayoutOptions o;
  o.parity = p;
  o.set_size = s;
  return o;
}

// A single-node pool of `n` in-memory drives laid out by the default rule (or `opts`).
struct TestPool {
  std::vector<std::unique_ptr<MemoryFormatDrive>> drives;
  PoolDrives spec;

  TestPool(int n, const std::string& prefix, LayoutOptions opts = {}) {
    auto layout = ComputeLayout(std::vector<std::string>(n), opts);
    EXPECT_TRUE(layout.ok()) << layout.status().ToString();
    spec.layout = *layout;
    for (int i = 0; i < n; ++i) {
      drives.push_back(std::make_unique<MemoryFormatDrive>(fmt::format("{}/d{}", prefix, i + 1)));
      spec.drives.push_back(drives.back().get());
      spec.names.push_back(drives.back()->endpoint());
    }
  }

  MemoryFormatDrive& operator[](int i) { return *drives[i]; }
};

Result<FormatResult> Load(const std::vector<PoolDrives>& pools) {
  return SyncWait(LoadOrCreateFormat(RequestContext::Background(), pools));
}

FormatInfo FormatOf(MemoryFormatDrive& d) {
  EXPECT_TRUE(d.format.has_value()) << d.endpoint();
  auto f = DecodeFormat(d.format.value_or(""));
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : FormatInfo{};
}

TEST(FormatCodec, RoundTrips) {
  FormatInfo f;
  f.deployment_id = DeterministicUuid("dep");
  f.pool = 1;
  f.set = 1;
  f.drive = 0;
  f.set_size = 2;
  f.parity = 1;
  f.sets = {{DriveUuid(f.deployment_id, 1, 0, 0), DriveUuid(f.deployment_id, 1, 0, 1)},
            {DriveUuid(f.deployment_id, 1, 1, 0), DriveUuid(f.deployment_id, 1, 1, 1)}};
  f.id = f.sets[1][0];
  auto text = EncodeFormat(f);
  EXPECT_THAT(text, HasSubstr("\"deployment_id\""));
  auto back = DecodeFormat(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, f);
}

TEST(FormatCodec, RefusesDamage) {
  auto code = [](std::string_view text) { return DecodeFormat(text).code(); };
  EXPECT_EQ(code("not json"), Errc::kCorruptedFormat);
  EXPECT_EQ(code("[]"), Errc::kCorruptedFormat);
  EXPECT_EQ(code(R"({"format":"minio"})"), Errc::kCorruptedFormat);
  FormatInfo f;
  f.deployment_id = DeterministicUuid("x");
  f.set_size = 2;
  f.parity = 1;
  f.sets = {{DeterministicUuid("a"), DeterministicUuid("b")}};
  f.id = f.sets[0][1];  // but f.drive says 0
  EXPECT_THAT(DecodeFormat(EncodeFormat(f)).status().message(), HasSubstr("own id"));
  f.drive = 1;
  EXPECT_TRUE(DecodeFormat(EncodeFormat(f)).ok());
  f.version = 2;
  EXPECT_THAT(DecodeFormat(EncodeFormat(f)).status().message(), HasSubstr("version 2"));
  f.version = 1;
  f.parity = 2;
  EXPECT_EQ(DecodeFormat(EncodeFormat(f)).code(), Errc::kCorruptedFormat);
}

TEST(FormatIds, DeterministicUuids) {
  const auto a = DeterministicUuid("seed");
  EXPECT_EQ(a, DeterministicUuid("seed"));
  EXPECT_NE(a, DeterministicUuid("seed2"));
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '8');  // version 8
  EXPECT_NE(DriveUuid(a, 0, 0, 1), DriveUuid(a, 0, 1, 0));
}

TEST(LoadOrCreateFormat, FreshDrivesAreFormattedAlikeOnEveryNode) {
  TestPool pool(8, "/n", SetSize(4));
  auto r = Load({pool.spec});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->fresh);
  EXPECT_EQ(r->formatted.size(), 8u);
  EXPECT_TRUE(r->healing.empty());
  ASSERT_EQ(r->pools.size(), 1u);
  ASSERT_EQ(r->pools[0].sets.size(), 2u);
  std::set<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    FormatInfo f = FormatOf(pool[i]);
    EXPECT_EQ(f.deployment_id, r->deployment_id);
    EXPECT_EQ(f.set, i / 4);
    EXPECT_EQ(f.drive, i % 4);
    EXPECT_EQ(f.set_size, 4);
    EXPECT_EQ(f.parity, 2);
    EXPECT_EQ(r->pools[0].sets[f.set][f.drive], &pool[i]);
    ids.insert(f.id);
  }
  EXPECT_EQ(ids.size(), 8u);
  // Another node with the same command line derives the same deployment and drive ids.
  TestPool other(8, "/n", SetSize(4));
  auto r2 = Load({other.spec});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->deployment_id, r->deployment_id);
  EXPECT_EQ(*other[5].format, *pool[5].format);
  // A different topology is a different deployment.
  TestPool third(8, "/m", SetSize(4));
  EXPECT_NE(Load({third.spec})->deployment_id, r->deployment_id);
}

TEST(LoadOrCreateFormat, RestartReadsWithoutWriting) {
  TestPool pool(4, "/n");
  auto first = Load({pool.spec});
  ASSERT_TRUE(first.ok());
  auto second = Load({pool.spec});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->fresh);
  EXPECT_EQ(second->deployment_id, first->deployment_id);
  EXPECT_TRUE(second->formatted.empty());
  EXPECT_TRUE(second->refused.empty());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(pool[i].writes, 1);
  }
}

TEST(LoadOrCreateFormat, ReplacedDriveTakesItsSlotIdentity) {
  TestPool pool(4, "/n");
  ASSERT_TRUE(Load({pool.spec}).ok());
  const std::string old_format = *pool[2].format;
  pool[2].format.reset();  // the drive was replaced by an empty one
  auto r = Load({pool.spec});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fresh);
  ASSERT_EQ(r->healing.size(), 1u);
  EXPECT_EQ(r->healing[0], "/n/d3");
  EXPECT_EQ(*pool[2].format, old_format);
  EXPECT_EQ(r->pools[0].sets[0][2], &pool[2]);
}

TEST(LoadOrCreateFormat, DriveFromAnotherDeploymentIsRefused) {
  TestPool pool(4, "/n");
  TestPool elsewhere(4, "/other");
  ASSERT_TRUE(Load({pool.spec}).ok());
  ASSERT_TRUE(Load({elsewhere.spec}).ok());
  pool[1].format = elsewhere[1].format;
  auto r = Load({pool.spec});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->refused.size(), 1u);
  EXPECT_EQ(r->refused[0].endpoint, "/n/d2");
  EXPECT_EQ(r->refused[0].status.code(), Errc::kInconsistentDisk);
  EXPECT_THAT(r->refused[0].status.message(), HasSubstr("belongs to deployment"));
  EXPECT_THAT(r->refused[0].status.message(), HasSubstr("pool 1 set 1 drive 2"));
  EXPECT_EQ(r->pools[0].sets[0][1], nullptr);
  EXPECT_EQ(r->pools[0].sets[0][0], &pool[0]);
}

TEST(LoadOrCreateFormat, SwappedDrivesAreRefused) {
  TestPool pool(4, "/n");
  ASSERT_TRUE(Load({pool.spec}).ok());
  std::swap(pool[0].format, pool[3].format);
  auto r = Load({pool.spec});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->refused.size(), 2u);
  EXPECT_EQ(r->refused[0].endpoint, "/n/d1");
  EXPECT_THAT(r->refused[0].status.message(), HasSubstr("was formatted as pool 1 set 1 drive 4"));
  EXPECT_THAT(r->refused[0].status.message(), HasSubstr("named as pool 1 set 1 drive 1"));
  EXPECT_EQ(r->pools[0].sets[0][0], nullptr);
  EXPECT_EQ(r->pools[0].sets[0][3], nullptr);
  EXPECT_EQ(r->pools[0].sets[0][1], &pool[1]);
}

TEST(LoadOrCreateFormat, OfflineAndCorruptDrivesAreLeftOut) {
  TestPool pool(4, "/n");
  ASSERT_TRUE(Load({pool.spec}).ok());
  pool[0].offline = true;
  pool[1].format = "{garbage";
  auto r = Load({pool.spec});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->offline.size(), 2u);
  EXPECT_EQ(r->offline[0].status.code(), Errc::kDiskNotFound);
  EXPECT_EQ(r->offline[1].status.code(), Errc::kCorruptedFormat);
  EXPECT_EQ(r->pools[0].sets[0][0], nullptr);
  EXPECT_EQ(r->pools[0].sets[0][1], nullptr);
  EXPECT_EQ(*pool[1].format, "{garbage");  // never overwritten
}

TEST(LoadOrCreateFormat, FailedWriteLeavesDriveOut) {
  TestPool pool(4, "/n");
  pool[3].fail_writes = true;
  auto r = Load({pool.spec});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->formatted.size(), 3u);
  ASSERT_EQ(r->offline.size(), 1u);
  EXPECT_EQ(r->offline[0].endpoint, "/n/d4");
  EXPECT_EQ(r->pools[0].sets[0][3], nullptr);
}

TEST(LoadOrCreateFormat, ChangedLayoutIsRefused) {
  TestPool pool(8, "/n");  // 1 set of 8
  ASSERT_TRUE(Load({pool.spec}).ok());
  auto layout = ComputeLayout(std::vector<std::string>(8), SetSize(4));
  ASSERT_TRUE(layout.ok());
  pool.spec.layout = *layout;
  auto r = Load({pool.spec});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::kInconsistentDisk);
  EXPECT_THAT(r.status().message(), HasSubstr("formatted as 1 sets of 8 drives with parity 4"));
}

TEST(LoadOrCreateFormat, NothingReadable) {
  TestPool pool(2, "/n");
  pool[0].offline = true;
  pool[1].offline = true;
  EXPECT_EQ(Load({pool.spec}).code(), Errc::kDiskNotFound);
}

TEST(LoadOrCreateFormat, RemoteDrivesAreSkipped) {
  TestPool pool(4, "/n");
  pool.spec.drives[2] = nullptr;  // not opened on this node
  auto r = Load({pool.spec});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->formatted.size(), 3u);
  EXPECT_TRUE(r->offline.empty());
  EXPECT_EQ(r->pools[0].sets[0][2], nullptr);
  EXPECT_EQ(r->pools[0].names[0][2], "/n/d3");
}

TEST(LoadOrCreateFormat, NodesFormatTheirOwnDrivesConsistently) {
  // Two nodes with two drives each; each node opens only its own drives and formats them
  // without talking to the other. Together the four formats describe one deployment.
  const std::vector<std::string> nodes = {"a:9000", "a:9000", "b:9000", "b:9000"};
  auto layout = ComputeLayout(nodes, {});
  ASSERT_TRUE(layout.ok());
  std::vector<std::unique_ptr<MemoryFormatDrive>> drives;
  std::vector<std::string> names;
  for (int i = 0; i < 4; ++i) {
    names.push_back(fmt::format("http://{}/d{}", nodes[i], i % 2 + 1));
    drives.push_back(std::make_unique<MemoryFormatDrive>(names.back()));
  }
  for (const std::string node : {"a:9000", "b:9000"}) {
    PoolDrives spec;
    spec.layout = *layout;
    spec.names = names;
    for (int i = 0; i < 4; ++i) {
      spec.drives.push_back(nodes[i] == node ? drives[i].get() : nullptr);
    }
    auto r = Load({spec});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->fresh);
    EXPECT_EQ(r->formatted.size(), 2u);
  }
  std::set<std::string> deployments;
  std::set<std::string> layouts;
  std::set<std::pair<int, int>> slots;
  for (int i = 0; i < 4; ++i) {
    FormatInfo f = FormatOf(*drives[i]);
    deployments.insert(f.deployment_id);
    layouts.insert(fmt::format("{}", fmt::join(f.sets[0], ",")));
    slots.insert({f.set, f.drive});
    // Round-robin over nodes: a's drives are slots 0 and 2, b's are 1 and 3.
    EXPECT_EQ(f.drive % 2, nodes[i] == "a:9000" ? 0 : 1);
  }
  EXPECT_EQ(deployments.size(), 1u);
  EXPECT_EQ(layouts.size(), 1u);
  EXPECT_EQ(slots.size(), 4u);
}

TEST(LoadOrCreateFormat, NewPoolJoinsTheDeployment) {
  TestPool p0(4, "/p0");
  auto first = Load({p0.spec});
  ASSERT_TRUE(first.ok());
  TestPool p1(2, "/p1");
  auto r = Load({p0.spec, p1.spec});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->deployment_id, first->deployment_id);
  EXPECT_EQ(r->formatted.size(), 2u);
  EXPECT_TRUE(r->healing.empty());
  FormatInfo f = FormatOf(p1[1]);
  EXPECT_EQ(f.deployment_id, first->deployment_id);
  EXPECT_EQ(f.pool, 1);
  EXPECT_EQ(f.drive, 1);
  // Pools given in another order: every drive is in the wrong pool.
  auto swapped = Load({p1.spec, p0.spec});
  ASSERT_TRUE(swapped.ok());
  EXPECT_EQ(swapped->refused.size(), 6u);
  EXPECT_THAT(swapped->refused[0].status.message(), HasSubstr("was formatted as pool 2"));
}

}  // namespace format_test_internal
}  // namespace cairn::cluster
