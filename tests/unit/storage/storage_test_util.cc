#include "storage_test_util.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

#include "storage/forwarding_drive.h"
#include "storage/local/local_drive.h"
#include "testing/faulty_drive.h"
#include "testing/memory_drive.h"
#include "testing/random_data.h"

namespace cairn::storage::testing {

using cairn::testing::SyncWait;

TempDir::TempDir() {
  char tmpl[] = "/tmp/cairn-storage-test-XXXXXX";
  char* made = ::mkdtemp(tmpl);
  path_ = made != nullptr ? made : "";
  if (path_.empty()) {
    ADD_FAILURE() << "mkdtemp failed";
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

Result<std::unique_ptr<LocalDrive>> OpenLocal(const std::string& dir) {
  LocalDriveOptions options;
  options.worker_threads = 2;
  options.cache_bytes = 8 << 20;
  // Durable writes cost an fsync each; CAIRN_TEST_SYNC=1 turns them on.
  options.sync_writes = std::getenv("CAIRN_TEST_SYNC") != nullptr;
  options.fsync_files = std::getenv("CAIRN_TEST_SYNC") != nullptr;
  return LocalDrive::Open(dir, options);
}

}  // namespace

DriveFactory MemoryDriveFactory() {
  return DriveFactory{
      "Memory",
      [](const std::string& dir) -> Result<std::unique_ptr<StorageApi>> {
        // The drives by directory, so that a reopen finds its drive; kept until the process
        // exits (each test has its own directory, and holds little).
        static std::mutex mu;
        static std::map<std::string, std::shared_ptr<cairn::testing::MemoryDrive>> drives;
        std::lock_guard lock(mu);
        auto& drive = drives[dir];
        if (drive == nullptr) {
          drive = std::make_shared<cairn::testing::MemoryDrive>("mem:" + dir);
        } else {
          drive->RestartForTest();
        }
        return std::unique_ptr<StorageApi>(std::make_unique<ForwardingDrive>(drive));
      },
      /*on_disk=*/false};
}

DriveFactory FaultyDriveFactory() {
  return DriveFactory{"Faulty", [](const std::string& dir) -> Result<std::unique_ptr<StorageApi>> {
                        auto drive = OpenLocal(dir);
                        if (!drive.ok()) {
                          return drive.status();
                        }
                        std::shared_ptr<StorageApi> local(std::move(drive).value());
                        return std::unique_ptr<StorageApi>(
                            std::make_unique<cairn::testing::FaultyDrive>(std::move(local)));
                      }};
}

DriveFactory LocalDriveFactory() {
  return DriveFactory{"Local", [](const std::string& dir) -> Result<std::unique_ptr<StorageApi>> {
                        LocalDriveOptions options;
                        options.worker_threads = 2;
                        options.cache_bytes = 8 << 20;
                        // Durable writes cost an fsync each; CAIRN_TEST_SYNC=1 turns them on.
                        options.sync_writes = std::getenv("CAIRN_TEST_SYNC") != nullptr;
                        options.fsync_files = std::getenv("CAIRN_TEST_SYNC") != nullptr;
                        auto drive = LocalDrive::Open(dir, options);
                        if (!drive.ok()) {
                          return drive.status();
                        }
                        return std::unique_ptr<StorageApi>(std::move(drive).value());
                      }};
}

std::vector<DriveFactory> AllDriveFactories() {
  std::vector<DriveFactory> out = {LocalDriveFactory(), MemoryDriveFactory(), FaultyDriveFactory()};
#ifdef CAIRN_HAVE_REMOTE_DRIVE
  out.push_back(RemoteDriveFactory());
#endif
  return out;
}

Status StageFile(StorageApi& drive, std::string_view tmp_path, std::string_view content) {
  auto ctx = RequestContext::Background("stage");
  auto writer = SyncWait(drive.CreateFile(ctx, tmp_path));
  if (!writer.ok()) {
    return writer.status();
  }
  // Uneven chunks: some below the writer's buffer, some far above it.
  std::size_t chunk = 1;
  std::size_t done = 0;
  while (done < content.size()) {
    std::size_t n = std::min(chunk, content.size() - done);
    auto bytes = std::as_bytes(std::span<const char>(content.data() + done, n));
    Status st = SyncWait((*writer)->Write(bytes));
    if (!st.ok()) {
      return st;
    }
    done += n;
    chunk = chunk * 7 % 700001 + 1;
  }
  return SyncWait((*writer)->Close());
}

Result<std::string> ReadShard(StorageApi& drive, std::string_view data_dir, int part) {
  auto ctx = RequestContext::Background("read");
  auto reader = SyncWait(drive.OpenShard(ctx, data_dir, part));
  if (!reader.ok()) {
    return reader.status();
  }
  std::string out((*reader)->size(), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    std::size_t n = std::min<std::size_t>(100000, out.size() - done);
    auto got = SyncWait(
        (*reader)->ReadAt(done, std::as_writable_bytes(std::span<char>(out.data() + done, n))));
    if (!got.ok()) {
      return got.status();
    }
    if (*got == 0) {
      return Status(Errc::kInternal, "short read");
    }
    done += *got;
  }
  return out;
}

meta::FileInfo MakeFi(std::string volume, std::string name, std::string version_id,
                      std::int64_t mod_time, std::string data_dir, std::string inline_data) {
  meta::FileInfo fi;
  fi.volume = std::move(volume);
  fi.name = std::move(name);
  fi.version_id = std::move(version_id);
  fi.mod_time_ns = mod_time;
  fi.data_dir = std::move(data_dir);
  fi.size = 1234;
  fi.metadata = {{"content-type", "application/octet-stream"}, {"etag", "0123abcd"}};
  fi.erasure = {2, 1, 1 << 20, 1, {1, 2, 3}};
  fi.parts = {{1, "0123abcd", 1234, mod_time, {}}};
  fi.is_inline = fi.data_dir.empty();
  fi.inline_data = std::move(inline_data);
  return fi;
}

std::string Pattern(std::size_t n, unsigned seed) {
  return cairn::testing::RandomData(n, seed);
}

}  // namespace cairn::storage::testing
