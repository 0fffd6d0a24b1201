#include "audit/file_target.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/stat.h>

#include "common/log.h"

namespace cairn::audit {

FileTarget::FileTarget(FileTargetOptions options)
    : Target("file", options.delivery), options_(std::move(options)) {}

FileTarget::~FileTarget() {
  Stop(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool FileTarget::Open() {
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    LOG_WARN("audit: cannot open {}: {}", options_.path, std::strerror(errno));
    return false;
  }

  struct stat st {};

  size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  return true;
}

bool FileTarget::Rotate() {
  ::close(fd_);
  fd_ = -1;
  const std::string& base = options_.path;
  if (options_.keep <= 0) {
    ::unlink(base.c_str());
  } else {
    // .keep-1 -> .keep, ..., .1 -> .2 (rename replaces, so the oldest goes), then base -> .1.
    for (int i = options_.keep - 1; i >= 1; --i) {
      const std::string from = base + "." + std::to_string(i);
      const std::string to = base + "." + std::to_string(i + 1);
      ::rename(from.c_str(), to.c_str());  // ENOENT while fewer files exist
    }
    const std::string first = base + ".1";
    if (::rename(base.c_str(), first.c_str()) != 0) {
      LOG_WARN("audit: cannot rotate {}: {}", base, std::strerror(errno));
    }
  }
  return Open();
}

bool FileTarget::WriteAll(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      LOG_WARN("audit: cannot write {}: {}", options_.path, std::strerror(errno));
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
  return true;
}

bool FileTarget::Deliver(std::span<const Record> batch) {
  if (fd_ < 0 && !Open()) {
    return false;
  }
  // Lines go out in one write per file; the file rotates before a line would pass max_size
  // (a line longer than max_size gets a file of its own).
  std::string pending;
  std::uint64_t pending_base = size_;
  for (const Record& r : batch) {
    const std::uint64_t line = r->size() + 1;
    if (pending_base + pending.size() > 0 &&
        pending_base + pending.size() + line > options_.max_size) {
      if (!WriteAll(pending) || !Rotate()) {
        return false;
      }
      pending.clear();
      pending_base = size_;
    }
    pending += *r;
    pending += '\n';
  }
  return WriteAll(pending);
}

}  // namespace cairn::audit
