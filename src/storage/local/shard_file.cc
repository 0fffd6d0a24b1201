#include "storage/local/shard_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>

#include <sys/uio.h>

#include "common/run_blocking.h"
#include "storage/local/fs_util.h"

namespace cairn::storage {

namespace {

std::byte* NewBuffer(std::size_t size, std::size_t align) {
  return static_cast<std::byte*>(::operator new[](size, std::align_val_t{align}));
}

}  // namespace

void LocalShardWriter::AlignedFree::operator()(std::byte* p) const {
  ::operator delete[](p, std::align_val_t{kDirectAlign});
}

LocalShardWriter::LocalShardWriter(boost::asio::thread_pool& pool, int fd, std::string path,
                                   bool fsync, bool direct)
    : pool_(pool), fd_(fd), path_(std::move(path)), fsync_(fsync), direct_(direct) {}

LocalShardWriter::~LocalShardWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Status LocalShardWriter::Flush(std::span<const std::byte> extra) {
  iovec iov[2];
  int count = 0;
  if (buffered_ > 0) {
    iov[count++] = {buffer_.get(), buffered_};
  }
  if (!extra.empty()) {
    iov[count++] = {const_cast<std::byte*>(extra.data()), extra.size()};
  }
  int first = 0;
  while (first < count) {
    ssize_t n = ::writev(fd_, iov + first, count - first);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ErrnoStatus(errno, "write", path_);
    }
    auto done = static_cast<std::size_t>(n);
    while (first < count && done >= iov[first].iov_len) {
      done -= iov[first].iov_len;
      ++first;
    }
    if (first < count) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + done;
      iov[first].iov_len -= done;
    }
  }
  buffered_ = 0;
  return Status::Ok();
}

Status LocalShardWriter::FlushDirect(bool last) {
  std::size_t len = buffered_ / kDirectAlign * kDirectAlign;
  if (last && len < buffered_) {
    len += kDirectAlign;
    std::memset(buffer_.get() + buffered_, 0, len - buffered_);
  }
  std::size_t done = 0;
  while (done < len) {
    ssize_t n =
        ::pwrite(fd_, buffer_.get() + done, len - done, static_cast<off_t>(written_ + done));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EINVAL && !direct_refused_) {
        // A file system that takes O_DIRECT at open but refuses the write: the same aligned
        // writes through the page cache.
        direct_refused_ = true;
        const int flags = ::fcntl(fd_, F_GETFL);
        if (flags >= 0 && ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) == 0) {
          continue;
        }
      }
      return ErrnoStatus(errno, "write", path_);
    }
    done += static_cast<std::size_t>(n);
  }
  written_ += len;
  if (last) {
    buffered_ = 0;
    if (written_ != size_ && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      return ErrnoStatus(errno, "truncate", path_);
    }
    return Status::Ok();
  }
  // The unaligned tail (under one block) moves to the front for the next chunk.
  std::memmove(buffer_.get(), buffer_.get() + len, buffered_ - len);
  buffered_ -= len;
  return Status::Ok();
}

Task<Status> LocalShardWriter::WriteDirect(std::span<const std::byte> data) {
  if (!buffer_) {
    buffer_.reset(NewBuffer(kDirectChunk + kDirectAlign, kDirectAlign));
  }
  size_ += data.size();
  while (!data.empty()) {
    const std::size_t take = std::min(data.size(), kDirectChunk + kDirectAlign - buffered_);
    std::memcpy(buffer_.get() + buffered_, data.data(), take);
    buffered_ += take;
    data = data.subspan(take);
    if (buffered_ >= kDirectChunk) {
      Status st = co_await RunBlocking(pool_, [&] { return FlushDirect(/*last=*/false); });
      if (!st.ok()) {
        error_ = st;
        co_return st;
      }
    }
  }
  co_return Status::Ok();
}

Task<Status> LocalShardWriter::Write(std::span<const std::byte> data) {
  if (!error_.ok()) {
    co_return error_;
  }
  if (fd_ < 0) {
    co_return Status(Errc::kInternal, "write after close: " + path_);
  }
  if (direct_) {
    co_return co_await WriteDirect(data);
  }
  if (buffered_ + data.size() <= kBufferSize) {
    // Small writes only fill the buffer: no syscall, no hop to the pool.
    if (!buffer_) {
      buffer_.reset(NewBuffer(kBufferSize, kDirectAlign));
    }
    if (!data.empty()) {
      std::memcpy(buffer_.get() + buffered_, data.data(), data.size());
    }
    buffered_ += data.size();
    co_return Status::Ok();
  }
  Status st = co_await RunBlocking(pool_, [&] { return Flush(data); });
  if (!st.ok()) {
    error_ = st;
  }
  co_return st;
}

Task<Status> LocalShardWriter::Close() {
  if (!error_.ok()) {
    co_return error_;
  }
  if (fd_ < 0) {
    co_return Status::Ok();
  }
  Status st = co_await RunBlocking(pool_, [&]() -> Status {
    Status flushed = direct_ ? (buffer_ ? FlushDirect(/*last=*/true) : Status::Ok()) : Flush({});
    if (flushed.ok() && fsync_ && ::fdatasync(fd_) != 0) {
      flushed = ErrnoStatus(errno, "fdatasync", path_);
    }
    if (::close(fd_) != 0 && flushed.ok()) {
      flushed = ErrnoStatus(errno, "close", path_);
    }
    fd_ = -1;
    return flushed;
  });
  buffer_.reset();
  if (!st.ok()) {
    error_ = st;
  }
  co_return st;
}

LocalShardReader::LocalShardReader(boost::asio::thread_pool& pool, int fd, std::string path,
                                   std::uint64_t size, bool cached_inline)
    : pool_(pool), fd_(fd), path_(std::move(path)), size_(size), cached_inline_(cached_inline) {}

LocalShardReader::~LocalShardReader() {
  ::close(fd_);
}

Task<Result<std::size_t>> LocalShardReader::ReadAt(std::uint64_t offset, std::span<std::byte> buf) {
  std::size_t cached = 0;
  if (cached_inline_) {
    // A hot shard costs a copy here instead of two thread switches; the first byte the
    // page cache lacks (or an error, which the worker meets again and reports) goes there.
    while (cached < buf.size()) {
      ssize_t n = PreadCached(fd_, buf.data() + cached, buf.size() - cached,
                              static_cast<off_t>(offset + cached));
      if (n <= 0) {
        if (n == 0) {
          co_return cached;  // end of file
        }
        break;
      }
      cached += static_cast<std::size_t>(n);
    }
    if (cached == buf.size()) {
      co_return cached;
    }
  }
  co_return co_await RunBlocking(pool_, [&]() -> Result<std::size_t> {
    std::size_t done = cached;
    while (done < buf.size()) {
      ssize_t n =
          ::pread(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return ErrnoStatus(errno, "read", path_);
      }
      if (n == 0) {
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    return done;
  });
}

}  // namespace cairn::storage
