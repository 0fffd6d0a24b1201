// FileInfo: one version of one object as one drive stores it, and the entry that holds
// every version of an object in the drive's namespace store. Pure data and pure code:
// encoding and decoding live in meta/encoding.h; no I/O here.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cairn::meta {

// How an object is erasure coded. The same on every drive of the object but `index`.
struct ErasureInfo {
  std::uint8_t data_blocks = 0;    // D
  std::uint8_t parity_blocks = 0;  // P
  std::uint32_t block_size = 0;    // bytes of object data per erasure block (1 MiB)
  std::uint8_t index = 0;          // this drive's shard, 1-based: 1..D are data, D+1..D+P parity
  // distribution[i] is the shard index (1-based) stored on the set's drive i; a rotation
  // derived from the object's hash, identical on every drive.
  std::vector<std::uint8_t> distribution;

  friend bool operator==(const ErasureInfo&, const ErasureInfo&) = default;
};

// One part of an object: a single-part PUT has one part, number 1.
struct ObjectPart {
  std::int32_t number = 0;
  std::string etag;              // hex MD5 of the part, no quotes
  std::int64_t size = 0;         // bytes of object data in this part
  std::int64_t mod_time_ns = 0;  // when the part was uploaded
  // Part-level checksums, e.g. {"CRC32", base64}. Empty when none was asked for.
  std::vector<std::pair<std::string, std::string>> checksums;

  friend bool operator==(const ObjectPart&, const ObjectPart&) = default;
};

struct FileInfo {
  // Identity. `volume` and `name` are not encoded: the store's key carries them.
  std::string volume;
  std::string name;
  std::string version_id;  // empty = the "null" version
  bool deleted = false;    // a delete marker
  std::string data_dir;    // uuid of the data folder on the drive; empty when inline or deleted
  std::int64_t mod_time_ns = 0;  // nanoseconds since the Unix epoch
  std::int64_t size = 0;         // logical object size in bytes

  // Stored headers and user metadata: "content-type", "etag" (hex MD5, or "<hex>-N" for
  // multipart), "cache-control", "content-encoding", "content-disposition",
  // "content-language", "expires", "x-amz-meta-*" (lowercased names), "x-amz-checksum-*"
  // (object-level checksum, base64), "x-amz-checksum-type", "x-amz-storage-class", and
  // for a completed multipart upload "x-cairn-internal-upload-id" (never sent to clients:
  // a retried CompleteMultipartUpload finds its object by it).
  std::vector<std::pair<std::string, std::string>> metadata;

  std::vector<ObjectPart> parts;
  ErasureInfo erasure;

  // This drive's shard of the object, in the bitrot streaming format (32-byte hash ahead of
  // each shard block), when the object is small enough to live inline. Empty otherwise.
  std::string inline_data;
  bool is_inline = false;  // true when data lives in `inline_data` (even if it is empty)

  // Filled on read, not stored: true for the newest version of the entry.
  bool is_latest = false;
  // Filled on read: how many versions the entry holds.
  std::uint32_t num_versions = 0;

  // Returns the value of metadata `key` (exact, lowercase), or "" when absent.
  const std::string& Meta(std::string_view key) const;
  void SetMeta(std::string_view key, std::string value);

  friend bool operator==(const FileInfo&, const FileInfo&) = default;
};

}  // namespace cairn::meta
