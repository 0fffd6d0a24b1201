// LocalShardReader: reads the page cache holds are copied on the calling thread; whatever it
// lacks is read on the drive's workers, and the bytes are the file's either way.
#include "storage/local/shard_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include "storage/local/local_drive.h"
#include "storage_test_util.h"
#include "testing/sync_wait.h"

namespace cairn::storage::testing {
namespace shard_file_test_internal {

using cairn::testing::SyncWait;

// A file of `size` known bytes, written through the page cache and synced (so that its
// pages are clean and posix_fadvise can drop them).
std::string WriteFile(const std::string& path, std::size_t size) {
  std::string content(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    content[i] = static_cast<char>((i * 131 + i / 4099) & 0xff);
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, content.data(), size), static_cast<ssize_t>(size));
  EXPECT_EQ(::fsync(fd), 0);
  ::close(fd);
  return content;
}

std::unique_ptr<LocalShardReader> OpenReader(boost::asio::thread_pool& pool,
                                             const std::string& path, std::size_t size,
                                             bool cached_inline) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  return std::make_unique<LocalShardReader>(pool, fd, path, size, cached_inline);
}

std::string ReadAll(LocalShardReader& reader, std::uint64_t offset, std::size_t len) {
  std::string out(len, '\0');
  auto got = SyncWait(
      reader.ReadAt(offset, std::as_writable_bytes(std::span<char>(out.data(), out.size()))));
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  out.resize(got.ok() ? *got : 0);
  return out;
}

// Drops the file's cached pages in [offset, offset+len) (0 = to the end).
void DropCache(const std::string& path, off_t offset, off_t len) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(::posix_fadvise(fd, offset, len, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
}

TEST(LocalShardReader, CachedReadsNeedNoWorker) {
  TempDir dir;
  const std::string path = dir.path() + "/part.1";
  const std::string content = WriteFile(path, 3 << 20);
  boost::asio::thread_pool pool(1);
  // The only worker is busy until the end of the test: a read that needed it would hang.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  boost::asio::post(pool, [released] { released.wait(); });

  auto reader = OpenReader(pool, path, content.size(), true);
  ASSERT_EQ(ReadAll(*reader, 0, 4096), content.substr(0, 4096));  // now in the page cache
  auto hot = std::async(std::launch::async, [&] { return ReadAll(*reader, 0, content.size()); });
  const bool done = hot.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  release.set_value();
  ASSERT_TRUE(done) << "a read of cached pages waited for the drive's worker";
  EXPECT_EQ(hot.get(), content);
  pool.join();
}

TEST(LocalShardReader, WhatTheCacheLacksIsReadByAWorker) {
  TempDir dir;
  const std::string path = dir.path() + "/part.1";
  const std::string content = WriteFile(path, (2 << 20) + 12345);
  boost::asio::thread_pool pool(2);
  for (bool cached_inline : {true, false}) {
    SCOPED_TRACE(cached_inline ? "cached inline" : "always on a worker");
    auto reader = OpenReader(pool, path, content.size(), cached_inline);
    // Nothing cached, then the first half cached and the rest not, then all cached.
    DropCache(path, 0, 0);
    EXPECT_EQ(ReadAll(*reader, 0, content.size()), content);
    DropCache(path, 1 << 20, 0);
    EXPECT_EQ(ReadAll(*reader, 0, content.size()), content);
    EXPECT_EQ(ReadAll(*reader, 0, content.size()), content);
    // Past the end: the bytes that exist, then none.
    EXPECT_EQ(ReadAll(*reader, content.size() - 100, 4096), content.substr(content.size() - 100));
    EXPECT_EQ(ReadAll(*reader, content.size(), 4096), "");
  }
  pool.join();
}

TEST(LocalDrive, ShardsReadTheSameWithOrWithoutInlineCachedReads) {
  TempDir dir;
  auto ctx = RequestContext::Background();
  std::string content(1 << 20, 'x');
  for (std::size_t i = 0; i < content.size(); i += 777) {
    content[i] = static_cast<char>(i & 0xff);
  }
  for (bool cached_inline : {true, false}) {
    LocalDriveOptions options;
    options.cached_reads_inline = cached_inline;
    auto drive = LocalDrive::Open(dir.path() + (cached_inline ? "/inline" : "/workers"), options);
    ASSERT_TRUE(drive.ok()) << drive.status().ToString();
    ASSERT_TRUE(SyncWait((*drive)->MakeVolume(ctx, "b", "")).ok());
    // Both layouts: a folder with part.1, and the one file a single-part object is.
    const std::pair<std::string, std::string> layouts[] = {{"stage/part.1", "stage"},
                                                           {"one", "one"}};
    for (const auto& [staged, tmp] : layouts) {
      SCOPED_TRACE(staged);
      const std::string data_dir = "ab12cdef-" + tmp;
      ASSERT_TRUE(StageFile(**drive, staged, content).ok());
      auto fi = MakeFi("b", "k-" + tmp, "", 1, data_dir);
      ASSERT_TRUE(SyncWait((*drive)->RenameData(ctx, fi, tmp)).ok());
      // Written with O_DIRECT, so the first read meets a cold cache; the second a warm one.
      for (int pass = 0; pass < 2; ++pass) {
        auto got = ReadShard(**drive, data_dir, 1);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_TRUE(*got == content);
      }
      EXPECT_EQ(SyncWait((*drive)->OpenShard(ctx, data_dir, 2)).code(), Errc::kFileNotFound);
    }
  }
}

}  // namespace shard_file_test_internal
}  // namespace cairn::storage::testing
