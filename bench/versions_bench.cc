// What a key's version history costs on one drive (issue 13): a PUT, a GET of the latest, a
// ListObjectsV2 page and a ListObjectVersions page, against a key with 1 version and with
// 10,000. The drive is a real LocalDrive (RocksDB, unsynced WAL so that the figures are the
// store's work, not the disk's fsync). With noncurrent versions kept one record each, the
// 10,000-version figures should match the 1-version ones; an entry that held every version
// (MinIO's xl.meta) would make each PUT and GET rewrite and read them all.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "meta/encoding.h"
#include "storage/local/local_drive.h"
#include "testing/sync_wait.h"

namespace cairn::bench {
namespace {

using cairn::testing::SyncWait;

meta::FileInfo Version(std::string key, std::string version_id, std::int64_t t) {
  meta::FileInfo fi;
  fi.volume = "b";
  fi.name = std::move(key);
  fi.version_id = std::move(version_id);
  fi.mod_time_ns = t;
  fi.size = 4096;
  fi.metadata = {{"content-type", "application/octet-stream"},
                 {"etag", "0123456789abcdef0123456789abcdef"}};
  fi.erasure = {2, 2, 1 << 20, 1, {1, 2, 3, 4}};
  fi.parts = {{1, "0123456789abcdef0123456789abcdef", 4096, t, {}}};
  fi.is_inline = true;
  fi.inline_data = std::string(2048 + 32, 'x');  // a 4 KiB object's shard, EC 2+2
  return fi;
}

// A drive whose bucket "b" holds key "k" with `versions` versions and 1,000 other keys.
struct Drive {
  explicit Drive(std::int64_t versions) {
    char tmpl[] = "/tmp/cairn-versions-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    storage::LocalDriveOptions options;
    options.sync_writes = false;
    drive = std::move(storage::LocalDrive::Open(dir, options)).value();
    (void)SyncWait(drive->MakeVolume(ctx, "b", ""));
    for (std::int64_t i = 0; i < versions; ++i) {
      (void)SyncWait(drive->WriteMetadata(ctx, Version("k", NextId(), NextTime())));
    }
    for (int i = 0; i < 1000; ++i) {
      (void)SyncWait(drive->WriteMetadata(ctx, Version("other/" + std::to_string(i), "", 1)));
    }
  }

  ~Drive() {
    drive.reset();
    std::filesystem::remove_all(dir);
  }

  std::int64_t NextTime() { return ++now; }

  std::string NextId() { return meta::NewVersionId(now + 1, static_cast<std::uint64_t>(now)); }

  RequestContext ctx = RequestContext::Background();
  std::string dir;
  std::unique_ptr<storage::LocalDrive> drive;
  std::int64_t now = 1'000'000;
};

void BM_PutVersion(benchmark::State& state) {
  Drive d(state.range(0));
  for (auto _ : state) {
    const std::string id = d.NextId();
    auto undo = SyncWait(d.drive->WriteMetadata(d.ctx, Version("k", id, d.NextTime())));
    benchmark::DoNotOptimize(undo);
  }
}

BENCHMARK(BM_PutVersion)->Arg(1)->Arg(10000)->ArgName("versions")->UseRealTime();

void BM_GetLatest(benchmark::State& state) {
  Drive d(state.range(0));
  for (auto _ : state) {
    auto fi = SyncWait(d.drive->ReadVersion(d.ctx, "b", "k", "", true));
    benchmark::DoNotOptimize(fi);
  }
}

BENCHMARK(BM_GetLatest)->Arg(1)->Arg(10000)->ArgName("versions")->UseRealTime();

void BM_GetOldestById(benchmark::State& state) {
  Drive d(state.range(0));
  const std::string first = meta::NewVersionId(1'000'001, 1'000'000);
  for (auto _ : state) {
    auto fi = SyncWait(d.drive->ReadVersion(d.ctx, "b", "k", first, true));
    benchmark::DoNotOptimize(fi);
  }
}

BENCHMARK(BM_GetOldestById)->Arg(1)->Arg(10000)->ArgName("versions")->UseRealTime();

// A ListObjectsV2 page of 1,000 (the key with its history among them).
void BM_ListLatestPage(benchmark::State& state) {
  Drive d(state.range(0));
  storage::ListOptions o;
  o.limit = 1000;
  for (auto _ : state) {
    auto page = SyncWait(d.drive->ListObjects(d.ctx, "b", o));
    benchmark::DoNotOptimize(page);
  }
}

BENCHMARK(BM_ListLatestPage)->Arg(1)->Arg(10000)->ArgName("versions")->UseRealTime();

// A ListObjectVersions page of 1,000 from the start: the key's versions, or (with one) the
// key and 999 others.
void BM_ListVersionsPage(benchmark::State& state) {
  Drive d(state.range(0));
  storage::ListOptions o;
  o.limit = 1000;
  o.versions = true;
  for (auto _ : state) {
    auto page = SyncWait(d.drive->ListObjects(d.ctx, "b", o));
    benchmark::DoNotOptimize(page);
  }
}

BENCHMARK(BM_ListVersionsPage)->Arg(1)->Arg(10000)->ArgName("versions")->UseRealTime();

// The same page resumed in the middle of the history (key-marker + version-id-marker): a
// seek, not a walk over the versions before the marker.
void BM_ListVersionsResumed(benchmark::State& state) {
  Drive d(state.range(0));
  storage::ListOptions o;
  o.limit = 1000;
  o.versions = true;
  o.start_after = "k";
  const std::int64_t middle = 1'000'000 + state.range(0) / 2;
  o.version_marker = meta::NewVersionId(middle + 1, static_cast<std::uint64_t>(middle));
  for (auto _ : state) {
    auto page = SyncWait(d.drive->ListObjects(d.ctx, "b", o));
    benchmark::DoNotOptimize(page);
  }
}

BENCHMARK(BM_ListVersionsResumed)->Arg(2)->Arg(10000)->ArgName("versions")->UseRealTime();

}  // namespace
}  // namespace cairn::bench

BENCHMARK_MAIN();
