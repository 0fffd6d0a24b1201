#include "storage/local/fs_util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <system_error>

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

namespace cairn::storage {
namespace {

// Closes an fd on scope exit.
struct FdCloser {
  int fd;

  ~FdCloser() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

}  // namespace

Status ErrnoStatus(int err, std::string_view what, std::string_view path) {
  Errc code;
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      code = Errc::kDiskFull;
      break;
    case EIO:
      code = Errc::kFaultyDisk;
      break;
    case ENOENT:
    case ENOTDIR:
      code = Errc::kFileNotFound;
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      code = Errc::kDiskAccessDenied;
      break;
    case ENAMETOOLONG:
      code = Errc::kFileNameTooLong;
      break;
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      // The process (or system) is out of descriptors or memory: a transient overload, not a
      // fault of the drive; the client gets 503 SlowDown and the drive stays in service.
      code = Errc::kSlowDown;
      break;
    default:
      code = Errc::kFaultyDisk;
      break;
  }
  std::string msg(what);
  msg += " ";
  msg += path;
  msg += ": ";
  msg += ::strerror(err);
  return Status(code, std::move(msg));
}

Status EnsureDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) {
    return Status::Ok();
  }
  return ErrnoStatus(errno, "mkdir", path);
}

Status EnsureDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return ErrnoStatus(ec.value(), "mkdir -p", path);
  }
  return Status::Ok();
}

Status FsyncDir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoStatus(errno, "open dir", path);
  }
  FdCloser closer{fd};
  if (::fsync(fd) != 0) {
    return ErrnoStatus(errno, "fsync dir", path);
  }
  return Status::Ok();
}

Status RemoveAll(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec && ec.value() != ENOENT) {
    return ErrnoStatus(ec.value(), "remove", path);
  }
  return Status::Ok();
}

Status RemoveContents(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return ec.value() == ENOENT ? Status::Ok() : ErrnoStatus(ec.value(), "list", dir);
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    RETURN_IF_ERROR(RemoveAll(it->path().string()));
  }
  if (ec) {
    return ErrnoStatus(ec.value(), "list", dir);
  }
  return Status::Ok();
}

int OpenCachedReadOnly(const std::string& path) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_CACHED;
  return static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof(how)));
}

ssize_t PreadCached(int fd, void* buf, std::size_t len, off_t offset) {
  iovec iov{buf, len};
  for (;;) {
    ssize_t n = ::preadv2(fd, &iov, 1, offset, RWF_NOWAIT);
    if (n >= 0 || errno != EINTR) {
      return n;
    }
  }
}

Result<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoStatus(errno, "open", path);
  }
  FdCloser closer{fd};
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ErrnoStatus(errno, "read", path);
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return ErrnoStatus(errno, "create", tmp);
  }
  {
    FdCloser closer{fd};
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return ErrnoStatus(errno, "write", tmp);
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
      return ErrnoStatus(errno, "fsync", tmp);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return ErrnoStatus(errno, "rename", tmp);
  }
  auto slash = path.rfind('/');
  return FsyncDir(slash == std::string::npos ? "." : path.substr(0, slash));
}

bool ValidRelativePath(std::string_view rel, bool single) {
  if (rel.empty() || rel.front() == '/' || rel.find('\0') != std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  int components = 0;
  while (start <= rel.size()) {
    auto end = rel.find('/', start);
    if (end == std::string_view::npos) {
      end = rel.size();
    }
    std::string_view part = rel.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return false;
    }
    ++components;
    start = end + 1;
  }
  return !single || components == 1;
}

bool ValidDataDirName(std::string_view data_dir) {
  return data_dir.size() >= 2 && std::isxdigit(static_cast<unsigned char>(data_dir[0])) &&
         std::isxdigit(static_cast<unsigned char>(data_dir[1])) &&
         ValidRelativePath(data_dir, /*single=*/true);
}

}  // namespace cairn::storage
