// Object headers both ways: which request headers are stored with an object (content
// headers, x-amz-meta-*, storage class) and which stored values go back on GET and HEAD,
// including the response-* overrides and x-amz-checksum-* under x-amz-checksum-mode.
#pragma once

#include "common/status.h"
#include "http/exchange.h"
#include "object/object_layer.h"
#include "s3/router.h"

namespace cairn::s3 {

inline constexpr std::string_view kDefaultContentType = "binary/octet-stream";
inline constexpr std::size_t kMaxUserMetadata = 2048;  // bytes of x-amz-meta-* names+values

// The storage classes a write may ask for (x-amz-storage-class): STANDARD and
// REDUCED_REDUNDANCY, whose parities the server's configuration sets.
inline bool IsStorageClass(std::string_view value) {
  return value == "STANDARD" || value == "REDUCED_REDUNDANCY";
}

// The storage class stored in `metadata` (an object's or an upload's), STANDARD when none.
std::string StorageClassOf(const object::Metadata& metadata);

// The metadata a PUT, CreateMultipartUpload or CopyObject (REPLACE) stores, lowercase
// names. Content-Type defaults to binary/octet-stream; aws-chunked is stripped from
// Content-Encoding; x-amz-tagging is checked and stored as tagging.h says. Errors:
// kMetadataTooLarge, kInvalidStorageClass, and StoredTagsFromRequest's.
Result<object::Metadata> MetadataFromRequest(const http::Request& req);

// The stored form (s3/tagging.h) of an x-amz-tagging header ("k1=v1&k2=v2") or of POST
// Object's tagging field (a <Tagging> document). Errors: kInvalidTag, kBadRequest,
// kMalformedXml.
Result<std::string> StoredTagsFromRequest(std::string_view value);

// The metadata CopyObject carries over from the source with the COPY directive: the
// content headers, x-amz-meta-* and the storage class, but not the ETag or checksums.
object::Metadata CopyableMetadata(const object::ObjectInfo& source);

// The headers of a GET or HEAD response for `info` (ETag, Last-Modified, Content-Type,
// stored content headers, x-amz-meta-*, version, storage class, x-amz-tagging-count), with the
// response-* overrides of `query` applied and checksums when `checksum_mode`.
http::Headers ObjectResponseHeaders(const object::ObjectInfo& info, const QueryParams& query,
                                    bool checksum_mode);

}  // namespace cairn::s3
