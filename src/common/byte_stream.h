// ByteSource and ByteSink: how bodies stream between layers in bounded blocks. A PUT body
// is a ByteSource that the object layer pulls from; a GET streams into the HTTP response.
// No layer ever holds a whole object in memory.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "common/status.h"
#include "common/task.h"

namespace cairn {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to buf.size() bytes into buf. Returns 0 only at the end of the stream.
  // Errors: kIncompleteBody (the peer stopped early), kSignatureDoesNotMatch /
  // kInvalidChunkSignature (a streaming signature failed), kBadDigest, and drive errors.
  // Called from one coroutine at a time, on the caller's executor.
  virtual Task<Result<std::size_t>> Read(std::span<std::byte> buf) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes all of data. Errors: kCancelled when the client went away.
  virtual Task<Status> Write(std::span<const std::byte> data) = 0;
};

// Reads until buf is full or the source ends; returns the number of bytes read.
Task<Result<std::size_t>> ReadFull(ByteSource& source, std::span<std::byte> buf);

// The whole of a small body (a request's JSON or XML). Errors: kEntityTooLarge past `limit`
// bytes (read no further), and the source's.
Task<Result<std::string>> ReadAll(ByteSource& source, std::size_t limit);

}  // namespace cairn
