// ObjectLayer: the whole cluster as one object store. The only thing the S3 handlers and
// the admin API call; it knows nothing of HTTP. Implemented by ServerPools (pools ->
// erasure sets -> ErasureSet). All methods may be called from any network thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_stream.h"
#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "object/hash_reader.h"

namespace cairn::object {

using Metadata = std::vector<std::pair<std::string, std::string>>;

// Names of a bucket's configuration documents (BucketInfo::config).
namespace bucket_config {
inline constexpr std::string_view kVersioning = "versioning";   // "Enabled" or "Suspended"
inline constexpr std::string_view kCors = "cors";               // the accepted XML
inline constexpr std::string_view kTagging = "tagging";         // the accepted XML
inline constexpr std::string_view kLifecycle = "lifecycle";     // the accepted XML
inline constexpr std::string_view kObjectLock = "object-lock";  // the accepted XML
inline constexpr std::string_view kEncryption = "encryption";   // the canonical XML
inline constexpr std::string_view kPolicy = "policy";           // the bucket policy, JSON as given
inline constexpr std::string_view kAcl = "acl";                 // owner and ACL (s3/acl.h), JSON
inline constexpr std::string_view kOwner = "owner";             // the owner's canonical id
inline constexpr std::string_view kOwnership = "ownership";     // Object Ownership (s3/acl.h)
}  // namespace bucket_config

// A bucket's versioning state (bucket_config::kVersioning): never back to unversioned once
// enabled. Enabled: every write makes a new version with its own id and a delete without a
// version id adds a delete marker. Suspended: writes and deletes replace the "null" version.
enum class Versioning { kUnversioned, kEnabled, kSuspended };

struct BucketInfo {
  std::string name;
  std::int64_t created_ns = 0;
  std::string location;  // LocationConstraint given at creation; "" = us-east-1
  // The bucket's configuration documents by name (bucket_config::k*), in the form the S3
  // layer accepted them; the object layer stores them and reads only "versioning".
  std::map<std::string, std::string, std::less<>> config;

  // The document `name`, or "" when the bucket has none.
  const std::string& Config(std::string_view name) const;
  Versioning versioning() const;
};

struct PartInfo {
  int number = 0;
  std::string etag;  // hex, no quotes
  std::int64_t size = 0;
  std::int64_t mod_time_ns = 0;
  Metadata checksums;  // {"CRC32", base64} ...
};

struct ObjectInfo {
  std::string bucket;
  std::string key;
  std::string version_id;  // "" = the null version (asked for as "null")
  bool delete_marker = false;
  bool is_latest = true;
  std::int64_t size = 0;
  std::int64_t mod_time_ns = 0;
  std::string etag;  // hex MD5, or "<hex>-N" for multipart; no quotes
  std::string content_type;
  // Stored headers and user metadata, as meta::FileInfo::metadata documents them.
  Metadata metadata;
  std::vector<PartInfo> parts;
  std::string storage_class = "STANDARD";

  const std::string& Meta(std::string_view key) const;
};

// An HTTP Range, resolved against the object size by the object layer.
struct RangeSpec {
  enum class Kind { kNone, kFromTo, kSuffix } kind = Kind::kNone;
  std::int64_t first = 0;          // kFromTo
  std::int64_t last = -1;          // kFromTo; -1 = to the end
  std::int64_t suffix_length = 0;  // kSuffix: the last N bytes
};

struct GetOptions {
  std::string version_id;
  RangeSpec range;
  int part_number = 0;  // >0: serve only that part (?partNumber=)
  // GetObjectInfo only: a delete marker is returned (ObjectInfo::delete_marker) instead of
  // kNoSuchKey / kVersionIsDeleteMarker, so that the S3 layer can name it in the error.
  bool include_delete_marker = false;
};

// A GET in progress: `info()` is available at once (so the handler can check
// preconditions and send headers); data is read from the drives only when Read is called.
// Holds no lock: GetObject opens the first part's shards under the object's read lock and
// releases it; the version's data stays readable through the open shards (a multipart
// object's later parts open when reached, and fail, never mix, if the version was replaced).
class ObjectReader : public ByteSource {
 public:
  virtual const ObjectInfo& info() const = 0;
  // The byte range this reader yields: [offset, offset + length).
  virtual std::int64_t offset() const = 0;
  virtual std::int64_t length() const = 0;

  // The next bytes of the range, empty at its end. A reader that holds them decoded returns
  // a view of its own buffer (no copy), valid until the next Next or Read; the default reads
  // into `scratch`, which must not be empty.
  virtual Task<Result<std::span<const std::byte>>> Next(std::span<std::byte> scratch) {
    CO_ASSIGN_OR_RETURN(std::size_t n, co_await Read(scratch));
    co_return std::span<const std::byte>(scratch.data(), n);
  }
};

struct PutOptions {
  Metadata metadata;  // headers to store (content-type, x-amz-meta-*, ...), lowercase names
  // Conditional write: If-Match (etag, or "*"), If-None-Match ("*" or etag).
  std::string if_match;
  std::string if_none_match;
  std::string version_id;  // for internal use (heal, replication); "" = decided by versioning
  // Set by the object layer from the bucket (callers leave it): kEnabled gives the write a
  // new version id.
  Versioning versioning = Versioning::kUnversioned;
  // CompleteMultipartUpload only: the whole object's checksum the client sent with the
  // completion (x-amz-checksum-<algorithm>, base64), checked against the one computed.
  std::optional<ChecksumAlgorithm> checksum_algorithm;
  std::string checksum_base64;
  // CompleteMultipartUpload only: x-amz-checksum-type as sent, which must be the upload's.
  std::string checksum_type;
  // CompleteMultipartUpload only: the bytes a part's checksum covers, from the upload's
  // metadata and the part's stored size, when they differ (an encrypted upload stores more
  // than its parts' checksummed plaintext); a FULL_OBJECT CRC is combined from the parts' CRCs
  // with these sizes. Unset: as stored.
  std::function<std::int64_t(const Metadata& upload, std::int64_t stored)> checksum_part_size;
  // PutObject and NewMultipartUpload: the parity of the new object, -1 = its storage class's
  // (ServerPools sets it from metadata x-amz-storage-class) or else the set's. Drives offline
  // raise it, as they raise the set's.
  int parity = -1;
};

// Given a version as stored, its new metadata (or an error, which changes nothing).
using MetadataUpdate = std::function<Result<Metadata>(const ObjectInfo&)>;

struct DeleteOptions {
  // Removes this version for good ("null" = the null version); "" = the latest, which in a
  // versioned bucket means adding a delete marker.
  std::string version_id;
  // Set by the object layer from the bucket (callers leave it).
  Versioning versioning = Versioning::kUnversioned;
  // With a version_id: called under the object's write lock with that version as stored
  // (read by quorum), before anything changes; an error refuses the delete (object lock's
  // retention and legal hold). Not called when the version does not exist.
  std::function<Status(const ObjectInfo&)> check;
};

struct ListVersionsOptions {
  std::string prefix;
  std::string key_marker;         // versions of keys after this one, or of it after...
  std::string version_id_marker;  // ...this version ("null" for the null version)
  std::string delimiter;
  int max_keys = 1000;
};

struct ListVersionsResult {
  // Versions and delete markers (ObjectInfo::delete_marker), by key, newest first within one;
  // is_latest set on each key's latest.
  std::vector<ObjectInfo> versions;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_version_id_marker;  // "null" for the null version
};

struct MakeBucketOptions {
  std::string location;  // the LocationConstraint asked for ("" = none given)
  // Configuration documents the bucket starts with (bucket_config::k*), written with it.
  std::map<std::string, std::string, std::less<>> config;
};

struct DeleteBucketOptions {
  // Delete the bucket with whatever it holds (objects, uploads); S3 never asks for it.
  bool force = false;
};

struct ListPartsOptions {
  int part_number_marker = 0;  // parts after this number
  int max_parts = 1000;
  // Only the upload's metadata (ListPartsResult::metadata), no parts: one quorum read of the
  // upload, as UploadPart needs it (its encryption).
  bool metadata_only = false;
};

struct ListUploadsOptions {
  std::string prefix;
  std::string key_marker;        // uploads of keys after this one, or of it after...
  std::string upload_id_marker;  // ...this upload id
  std::string delimiter;         // fold keys into common prefixes
  int max_uploads = 1000;
};

struct ListOptions {
  std::string prefix;
  std::string marker;  // start after this key
  std::string delimiter;
  int max_keys = 1000;
};

struct ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string next_marker;  // the last key or prefix returned, when truncated
};

struct MultipartInfo {
  std::string key;
  std::string upload_id;
  std::int64_t initiated_ns = 0;
  Metadata metadata;
};

struct ListUploadsResult {
  std::vector<MultipartInfo> uploads;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

struct ListPartsResult {
  std::vector<PartInfo> parts;
  bool truncated = false;
  int next_part_number_marker = 0;
  Metadata metadata;  // of the upload (content-type, checksum algorithm)
};

struct CompletePart {
  int number = 0;
  std::string etag;  // as the client sent it; quotes allowed
  Metadata checksums;
};

// What the health endpoints report.
struct HealthInfo {
  bool write_quorum = false;  // every erasure set has write quorum of online drives
  bool read_quorum = false;   // every erasure set has read quorum
  int drives_online = 0;
  int drives_total = 0;
};

class ObjectLayer {
 public:
  ObjectLayer() = default;
  ObjectLayer(const ObjectLayer&) = delete;
  ObjectLayer& operator=(const ObjectLayer&) = delete;
  virtual ~ObjectLayer() = default;

  // Creates the bucket on every drive. Errors: kInvalidBucketName, kBucketExists,
  // kWriteQuorum, kLockTimeout.
  virtual Task<Status> MakeBucket(const RequestContext& ctx, std::string_view bucket,
                                  const MakeBucketOptions& opts) = 0;
  // Errors: kNoSuchBucket (also for an invalid name), kReadQuorum. Served from a cache that
  // every change of the bucket (here or, through the server's peer calls, on another node)
  // invalidates.
  virtual Task<Result<BucketInfo>> GetBucketInfo(const RequestContext& ctx,
                                                 std::string_view bucket) = 0;
  // Sets (or, with an empty `document`, removes) the bucket's configuration document `name`
  // on every drive, under the bucket's lock. Errors: kNoSuchBucket, kWriteQuorum,
  // kLockTimeout.
  virtual Task<Status> SetBucketConfig(const RequestContext& ctx, std::string_view bucket,
                                       std::string_view name, std::string_view document) = 0;
  // Every bucket, by name. Errors: kReadQuorum.
  virtual Task<Result<std::vector<BucketInfo>>> ListBuckets(const RequestContext& ctx) = 0;
  // Unless opts.force, refuses a bucket that holds an object (delete markers count) or an
  // upload. Errors: kNoSuchBucket, kBucketNotEmpty, kWriteQuorum, kReadQuorum, kLockTimeout.
  virtual Task<Status> DeleteBucket(const RequestContext& ctx, std::string_view bucket,
                                    const DeleteBucketOptions& opts) = 0;

  // Streams `body` to bucket/key and commits it atomically: readers see the old object or
  // the new one, never a mix. Never buffers the whole object. `body` verifies sizes and
  // digests as it is read and fails the read on a mismatch, which aborts the PUT.
  // Errors: kNoSuchBucket, kInvalidObjectName, kKeyTooLong, kIncompleteBody, kBadDigest,
  // kPreconditionFailed, kWriteQuorum, kSlowDown (writes hold too much memory), kDiskFull,
  // kLockTimeout.
  virtual Task<Result<ObjectInfo>> PutObject(const RequestContext& ctx, std::string_view bucket,
                                             std::string_view key, HashReader& body,
                                             const PutOptions& opts) = 0;
  // A reader of the object (or of opts.range of it). Errors: kNoSuchBucket, kNoSuchKey (also
  // when the latest version is a delete marker), kNoSuchVersion, kVersionIsDeleteMarker (a
  // version asked for by id is one), kInvalidRange, kInvalidPartNumber (opts.part_number past
  // the object's parts), kPreconditionFailed, kNotModified, kReadQuorum, kLockTimeout.
  virtual Task<Result<std::unique_ptr<ObjectReader>>> GetObject(const RequestContext& ctx,
                                                                std::string_view bucket,
                                                                std::string_view key,
                                                                const GetOptions& opts) = 0;
  // The object's metadata, without its data. Errors: those of GetObject but kInvalidRange.
  virtual Task<Result<ObjectInfo>> GetObjectInfo(const RequestContext& ctx, std::string_view bucket,
                                                 std::string_view key, const GetOptions& opts) = 0;
  // Replaces the stored metadata (tags, retention, legal hold...) of one version, the latest
  // when `version_id` is empty, without rewriting its data: under the object's write lock,
  // `update` gets the version as stored and returns its new metadata, which then takes one
  // metadata write per drive. Returns the version as updated. Errors: kNoSuchBucket,
  // kNoSuchKey, kNoSuchVersion, kVersionIsDeleteMarker / kNoSuchKey (a delete marker, asked
  // for by id / as the latest), kWriteQuorum, kReadQuorum, kLockTimeout, and update's.
  virtual Task<Result<ObjectInfo>> UpdateObjectMetadata(const RequestContext& ctx,
                                                        std::string_view bucket,
                                                        std::string_view key,
                                                        std::string_view version_id,
                                                        const MetadataUpdate& update) = 0;
  // Deleting a key that does not exist succeeds (S3 semantics). Errors: kNoSuchBucket,
  // kInvalidObjectName, kWriteQuorum, kLockTimeout, kReadQuorum (opts.check set and the
  // version unreadable), and opts.check's.
  virtual Task<Result<ObjectInfo>> DeleteObject(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key,
                                                const DeleteOptions& opts) = 0;
  // Every version and delete marker, a page of them. Errors: kNoSuchBucket, kReadQuorum,
  // kInvalidMaxKeys.
  virtual Task<Result<ListVersionsResult>> ListObjectVersions(const RequestContext& ctx,
                                                              std::string_view bucket,
                                                              const ListVersionsOptions& opts) = 0;
  // Errors: kNoSuchBucket, kReadQuorum.
  virtual Task<Result<ListResult>> ListObjects(const RequestContext& ctx, std::string_view bucket,
                                               const ListOptions& opts) = 0;

  // Multipart. Starts an upload and returns its id. Errors: kNoSuchBucket,
  // kInvalidObjectName, kKeyTooLong, kWriteQuorum.
  virtual Task<Result<std::string>> NewMultipartUpload(const RequestContext& ctx,
                                                       std::string_view bucket,
                                                       std::string_view key,
                                                       const PutOptions& opts) = 0;
  // Stores part `part_number` (1..10000), replacing an earlier upload of it. Of two uploads
  // of one part number in flight at once, the one that finished last is kept (as S3 does), on
  // every drive, whatever order the drives' commits arrive in (the other still answers with
  // its ETag, which then names no part). A part of an upload with a checksum algorithm gets that
  // checksum (computed when the body has none; kInvalidRequest when it has another). Errors:
  // kNoSuchBucket, kNoSuchUpload, kInvalidArgumentS3 (a part number out of range),
  // kIncompleteBody, kBadDigest, kEntityTooLarge, kWriteQuorum, kSlowDown.
  virtual Task<Result<PartInfo>> PutObjectPart(const RequestContext& ctx, std::string_view bucket,
                                               std::string_view key, std::string_view upload_id,
                                               int part_number, HashReader& body) = 0;
  // Errors: kNoSuchBucket, kNoSuchUpload, kReadQuorum.
  virtual Task<Result<ListPartsResult>> ListObjectParts(const RequestContext& ctx,
                                                        std::string_view bucket,
                                                        std::string_view key,
                                                        std::string_view upload_id,
                                                        const ListPartsOptions& opts) = 0;
  // Errors: kNoSuchBucket, kReadQuorum.
  virtual Task<Result<ListUploadsResult>> ListMultipartUploads(const RequestContext& ctx,
                                                               std::string_view bucket,
                                                               const ListUploadsOptions& opts) = 0;
  // Commits the upload as the object, from `parts` (ascending numbers, every one uploaded,
  // every one but the last at least the minimum part size). An upload with a checksum
  // algorithm gets the object checksum of its type (metadata x-amz-checksum-type): COMPOSITE,
  // the checksum of the parts' checksums with "-N" (every part's checksum must be named in
  // `parts`, else kInvalidRequest), or FULL_OBJECT, the CRC of the whole object combined from the
  // parts' CRCs; a part checksum named in `parts` must match the stored one (kInvalidPart), and
  // opts.checksum_base64 the object's (kBadDigest). A retry of a completion that succeeded
  // (the client lost the answer) returns the same object while it is the key's latest version
  // and at most a day old; with other parts it fails with kInvalidPart. Errors: kNoSuchBucket,
  // kNoSuchUpload, kInvalidPart, kInvalidPartOrder, kEntityTooSmall, kBadDigest,
  // kInvalidRequest (a completion checksum of another algorithm), kPreconditionFailed,
  // kWriteQuorum, kReadQuorum, kLockTimeout.
  virtual Task<Result<ObjectInfo>> CompleteMultipartUpload(const RequestContext& ctx,
                                                           std::string_view bucket,
                                                           std::string_view key,
                                                           std::string_view upload_id,
                                                           const std::vector<CompletePart>& parts,
                                                           const PutOptions& opts) = 0;
  // Errors: kNoSuchBucket, kNoSuchUpload, kWriteQuorum, kLockTimeout.
  virtual Task<Status> AbortMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                            std::string_view key, std::string_view upload_id) = 0;

  // Drive and quorum state for the health endpoints; cheap (no disk I/O beyond a probe).
  virtual Task<HealthInfo> GetHealth(const RequestContext& ctx) = 0;
};

}  // namespace cairn::object
