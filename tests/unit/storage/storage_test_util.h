// Shared pieces of the storage tests: temp directories, the drive factory that the
// StorageApiConformance suite is parameterized over, and small helpers that stage shards
// and build FileInfos. RemoteDrive joins the suite by adding a factory.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "common/request_context.h"
#include "meta/file_info.h"
#include "storage/storage_api.h"
#include "testing/sync_wait.h"

namespace cairn::storage::testing {

// A fresh directory under /tmp, removed (recursively) by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct DriveFactory {
  std::string name;
  // Opens (or reopens) the drive whose files live in `dir`.
  std::function<Result<std::unique_ptr<StorageApi>>(const std::string& dir)> open;
  // False for a drive that keeps nothing in `dir` (MemoryDrive): the tests that plant or
  // inspect files there skip it.
  bool on_disk = true;
};

// gtest prints the factory by name.
inline void PrintTo(const DriveFactory& factory, std::ostream* os) {
  *os << factory.name;
}

DriveFactory LocalDriveFactory();
// RemoteDrive over loopback RPC (remote_drive_factory.cc; built when storage/remote is).
DriveFactory RemoteDriveFactory();

// A RemoteDrive whose LocalDrive (in `dir`) is served on its own loopback rpc server; the
// drive owns the whole loopback. stop_server() stops the server (the drive then answers
// kDiskNotFound, as for a node that went down).
struct LoopbackRemoteDrive {
  std::shared_ptr<StorageApi> drive;
  std::function<void()> stop_server;
};

Result<LoopbackRemoteDrive> OpenLoopbackRemoteDrive(const std::string& dir);
// testing::MemoryDrive; a reopen of the same `dir` finds the same drive, restarted.
DriveFactory MemoryDriveFactory();
// testing::FaultyDrive with no fault set, over a LocalDrive.
DriveFactory FaultyDriveFactory();
// Every factory this build has: Local, Memory, Faulty, and Remote when CAIRN_HAVE_REMOTE_DRIVE.
std::vector<DriveFactory> AllDriveFactories();

// Writes `content` to tmp/<tmp_path> in uneven chunks and closes it.
Status StageFile(StorageApi& drive, std::string_view tmp_path, std::string_view content);
// Reads a committed shard whole. Errors from OpenShard/ReadAt pass through.
Result<std::string> ReadShard(StorageApi& drive, std::string_view data_dir, int part);

// A version with metadata, erasure layout and one part; inline when `inline_data` is set,
// else stored in `data_dir`.
meta::FileInfo MakeFi(std::string volume, std::string name, std::string version_id,
                      std::int64_t mod_time, std::string data_dir = {},
                      std::string inline_data = {});

// Deterministic pseudo-random bytes.
std::string Pattern(std::size_t n, unsigned seed);

}  // namespace cairn::storage::testing
