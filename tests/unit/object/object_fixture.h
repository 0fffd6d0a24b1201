// Test fixture of the object layer: builds ServerPools over real LocalDrives in temp dirs (or
// MemoryDrives), each wrapped in a FaultyDrive, with helpers to put and get whole bodies.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "object/hash_reader.h"
#include "object/server_pools.h"
#include "storage/local/local_drive.h"
#include "testing/eventually.h"
#include "testing/faulty_drive.h"
#include "testing/memory_drive.h"
#include "testing/random_data.h"
#include "testing/string_source.h"
#include "testing/sync_wait.h"

namespace cairn::object::test {

using cairn::testing::FaultyDrive;
using cairn::testing::MemoryDrive;
using cairn::testing::SyncWait;

using cairn::testing::StringSource;

using cairn::testing::Eventually;

using cairn::testing::RandomData;

enum class Backend { kLocal, kMemory };

struct Layout {
  int pools = 1;
  int sets = 1;
  int drives = 4;  // per set
  int parity = 2;
};

class Cluster {
 public:
  explicit Cluster(Layout layout, Backend backend = Backend::kLocal, ServerPoolsOptions opts = {}) {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("cairn-object-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::vector<PoolSpec> pools;
    for (int p = 0; p < layout.pools; ++p) {
      PoolSpec spec;
      spec.parity = layout.parity;
      for (int s = 0; s < layout.sets; ++s) {
        std::vector<std::shared_ptr<storage::StorageApi>> set;
        for (int d = 0; d < layout.drives; ++d) {
          std::string name =
              "p" + std::to_string(p) + "s" + std::to_string(s) + "d" + std::to_string(d);
          std::shared_ptr<storage::StorageApi> inner;
          if (backend == Backend::kLocal) {
            storage::LocalDriveOptions lo;
            lo.worker_threads = 2;
            lo.sync_writes = false;
            lo.fsync_files = false;
            lo.cache_bytes = 1 << 20;
            auto path = (root_ / name).string();
            auto drive = storage::LocalDrive::Open(path, lo);
            RELEASE_ASSERT(drive.ok(), "cannot open LocalDrive");
            inner = std::shared_ptr<storage::StorageApi>(std::move(drive).value());
            paths.push_back(path);
          } else {
            inner = std::make_shared<MemoryDrive>(name);
            paths.push_back("");
          }
          inners.push_back(inner);
          auto faulty = std::make_shared<FaultyDrive>(inner);
          drives.push_back(faulty);
          set.push_back(faulty);
        }
        spec.sets.push_back(std::move(set));
      }
      pools.push_back(std::move(spec));
    }
    if (opts.deployment_id.empty()) {
      opts.deployment_id = "8d3a6f3e-2c1b-4e5f-9a7b-1c2d3e4f5a6b";
    }
    if (opts.compute_threads == 0) {
      opts.compute_threads = 2;
    }
    layer = std::make_unique<ServerPools>(std::move(pools), opts);
  }

  ~Cluster() {
    layer.reset();
    drives.clear();
    inners.clear();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  Status MakeBucket(std::string_view b) { return SyncWait(layer->MakeBucket(ctx, b, {})); }

  Result<ObjectInfo> Put(std::string_view bucket, std::string_view key, const std::string& data,
                         PutOptions opts = {}, HashExpectations expect = {},
                         bool known_size = true) {
    StringSource src(data);
    if (known_size && expect.size < 0) {
      expect.size = static_cast<std::int64_t>(data.size());
    }
    HashReader body(src, expect);
    return SyncWait(layer->PutObject(ctx, bucket, key, body, opts));
  }

  // Reads the object with ObjectReader::Read into a 70,000-byte buffer, or with `next`
  // through ObjectReader::Next (views of the reader's own buffer, as the S3 GET sends them).
  Result<std::string> Get(std::string_view bucket, std::string_view key, GetOptions opts = {},
                          ObjectInfo* info = nullptr, bool next = false) {
    return SyncWait([&]() -> Task<Result<std::string>> {
      CO_ASSIGN_OR_RETURN(auto reader, co_await layer->GetObject(ctx, bucket, key, opts));
      if (info) {
        *info = reader->info();
      }
      std::string out;
      std::vector<std::byte> buf(70000);
      for (;;) {
        std::span<const std::byte> got;
        if (next) {
          CO_ASSIGN_OR_RETURN(got, co_await reader->Next(buf));
        } else {
          CO_ASSIGN_OR_RETURN(std::size_t n, co_await reader->Read(buf));
          got = std::span<const std::byte>(buf.data(), n);
        }
        if (got.empty()) {
          break;
        }
        out.append(reinterpret_cast<const char*>(got.data()), got.size());
      }
      if (static_cast<std::int64_t>(out.size()) != reader->length()) {
        co_return Status(Errc::kInternal, "reader length mismatch");
      }
      co_return out;
    }());
  }

  Result<ObjectInfo> Head(std::string_view bucket, std::string_view key) {
    return SyncWait(layer->GetObjectInfo(ctx, bucket, key, {}));
  }

  // Files under every LocalDrive's tmp folder.
  std::size_t TmpFiles() const {
    std::size_t n = 0;
    for (const auto& p : paths) {
      if (p.empty()) {
        continue;
      }
      std::error_code ec;
      for (auto it = std::filesystem::recursive_directory_iterator(p + "/.cairn.sys/tmp", ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        n += it->is_regular_file() ? 1 : 0;
      }
    }
    return n;
  }

  // Shard files of drive i: data/<xx>/<data-id> (a single-part object) and
  // data/<xx>/<data-id>/part.N.
  std::vector<std::filesystem::path> PartFiles(std::size_t i) const {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(paths[i] + "/data", ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) {
        out.push_back(it->path());
      }
    }
    return out;
  }

  RequestContext ctx = RequestContext::Background("test");
  std::vector<std::string> paths;
  std::vector<std::shared_ptr<storage::StorageApi>> inners;
  std::vector<std::shared_ptr<FaultyDrive>> drives;
  std::unique_ptr<ServerPools> layer;

 private:
  std::filesystem::path root_;
};

// Drive i's own copy of bucket/key (the latest version, with inline data), read past the
// object layer.
inline Result<meta::FileInfo> DriveCopy(Cluster& c, std::size_t i, std::string_view key,
                                        std::string_view bucket = "bucket") {
  return SyncWait(c.inners[i]->ReadVersion(c.ctx, bucket, key, "", true));
}

// Removes bucket/key's null version from drive i alone (a drive that lost the object).
inline void Wipe(Cluster& c, std::size_t i, std::string_view key,
                 std::string_view bucket = "bucket") {
  meta::FileInfo fi;
  fi.volume = std::string(bucket);
  fi.name = std::string(key);
  ASSERT_TRUE(SyncWait(c.inners[i]->DeleteVersion(c.ctx, fi)).ok()) << key;
}

// Reads bucket/key with drives `off` offline, so that the others' shards must serve it.
inline Result<std::string> GetWithout(Cluster& c, std::string_view key, std::vector<int> off,
                                      std::string_view bucket = "bucket") {
  for (int i : off) {
    c.drives[i]->offline = true;
  }
  auto got = c.Get(bucket, key);
  for (int i : off) {
    c.drives[i]->offline = false;
  }
  return got;
}

}  // namespace cairn::object::test
