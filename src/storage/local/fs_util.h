// POSIX file-system helpers of LocalDrive: errno to Errc, directory fsync, recursive
// removal, atomic small-file writes and path validation. No exceptions: std::filesystem is
// used only through its error_code overloads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "common/status.h"

namespace cairn::storage {

// ENOSPC/EDQUOT -> kDiskFull, EIO -> kFaultyDisk, ENOENT/ENOTDIR -> kFileNotFound,
// EACCES/EPERM/EROFS -> kDiskAccessDenied, ENAMETOOLONG -> kFileNameTooLong, else kFaultyDisk.
Status ErrnoStatus(int err, std::string_view what, std::string_view path);

// mkdir; an existing directory is fine.
Status EnsureDir(const std::string& path);
// mkdir -p.
Status EnsureDirs(const std::string& path);
// fsync of a directory, so that a rename or create in it is durable.
Status FsyncDir(const std::string& path);
// rm -rf; no error when absent.
Status RemoveAll(const std::string& path);
// Removes every entry inside `dir`, keeping `dir`.
Status RemoveContents(const std::string& dir);

// Opens `path` read-only only if that needs no disk I/O: every component resolves from the
// dentry cache (openat2 RESOLVE_CACHED). -1 otherwise (errno EAGAIN when the lookup would
// block; ENOSYS or EINVAL on kernels without it), and the caller opens it on a worker.
int OpenCachedReadOnly(const std::string& path);
// Reads from the page cache only (preadv2 RWF_NOWAIT): the bytes read, possibly fewer than
// asked (0 at the end of the file); -1 when the next byte is not cached (errno EAGAIN) or the
// kernel lacks it (EOPNOTSUPP), and the caller reads the rest on a worker.
ssize_t PreadCached(int fd, void* buf, std::size_t len, off_t offset);

// Whole small files (format.json). ReadSmallFile returns kFileNotFound when absent.
Result<std::string> ReadSmallFile(const std::string& path);
// Writes `path.tmp`, fsyncs it, renames it over `path` and fsyncs the directory.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// A relative path under tmp/ or data/: non-empty components separated by '/', none of them
// "." or "..", no NUL, no leading '/'. `single` allows one component only.
bool ValidRelativePath(std::string_view rel, bool single);
// A data dir name: one path component starting with two hex digits (the fan-out).
bool ValidDataDirName(std::string_view data_dir);

}  // namespace cairn::storage
