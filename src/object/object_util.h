// Small helpers of the object layer: S3 name rules, ids, time, and the conversion of a
// drive's FileInfo into the ObjectInfo that callers see. Pure code, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "meta/file_info.h"
#include "object/object_layer.h"

namespace cairn::object {

// The reserved bucket of cairn's own cluster-wide state (kms::kSystemBucket: the KMS's named
// keys): the one name CheckBucketName accepts that breaks the S3 rules (it starts with '.'),
// so no S3 client can create it, and s3/ refuses to address it (s3/router.cc).
inline constexpr std::string_view kSystemBucket = ".cairn.sys";

// S3 bucket naming rules: 3-63 characters of lowercase letters, digits, '.' and '-';
// starts and ends with a letter or digit; no "..", ".-" or "-."; not an IPv4 address; no
// "xn--" prefix, no "-s3alias" / "--ol-s3" suffix; or kSystemBucket. Errors:
// kInvalidBucketName.
Status CheckBucketName(std::string_view bucket);
// Object keys: 1..1024 bytes (kKeyTooLong), valid UTF-8 without NUL (kInvalidObjectName).
Status CheckObjectName(std::string_view key);
// What a read that found a delete marker answers: kNoSuchKey when it read the latest version
// (empty version_id), kVersionIsDeleteMarker when it asked for that version by id.
Status DeleteMarkerError(std::string_view version_id);
// A bound that sorts after every key that starts with `prefix` (keys are at most 1024 bytes):
// where a listing resumes after a common prefix. PastPrefix("") sorts after every key.
std::string PastPrefix(std::string_view prefix);

// A random RFC 4122 version 4 uuid, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string NewUuid();
// A new version id for a version made at `mod_time_ns` (meta::NewVersionId, random bits).
std::string NewVersionId(std::int64_t mod_time_ns);
// 16 random bytes as unpadded URL-safe base64 (22 characters).
std::string NewUploadId();
// Nanoseconds since the Unix epoch, now.
std::int64_t NowNs();

// FNV-1a 64 of bytes: a stable hash for the shard rotation (stored in metadata).
std::uint64_t StableHash(std::string_view data);
// distribution[i] = 1-based shard index stored on drive i of a set of n drives.
std::vector<std::uint8_t> HashOrder(std::string_view key, int n);

// Removes surrounding double quotes (and a W/ prefix) from an ETag.
std::string_view StripQuotes(std::string_view etag);

// The value of `key` in metadata, or "" when absent.
const std::string& FindMeta(const Metadata& md, std::string_view key);
void SetMeta(Metadata& md, std::string_view key, std::string value);

ObjectInfo ToObjectInfo(std::string_view bucket, const meta::FileInfo& fi);

}  // namespace cairn::object
