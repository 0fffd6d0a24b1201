// XML for the S3 API: a small writer that escapes everything it is given, and parsers for
// the request documents S3 accepts (CompleteMultipartUpload, Delete,
// CreateBucketConfiguration, Tagging) built on pugixml. Parsers never throw; bad input gives
// kMalformedXml. Bodies are bounded by the caller (ReadXmlBody) before they are parsed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_stream.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::s3 {

inline constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// Escapes text for element content and attribute values: & < > " ' and control characters
// (as numeric references, which keeps \r and other bytes intact across a parser).
std::string XmlEscape(std::string_view text);

// Builds a document top-down: Open/Close nest, Element writes a leaf. The declaration is
// written by the constructor; the root element gets the S3 namespace.
class XmlWriter {
 public:
  XmlWriter();
  // Opens an element; the first one opened is the root and carries xmlns=kS3Namespace
  // unless `with_namespace` is false.
  XmlWriter& Open(std::string_view name, bool with_namespace = true);
  XmlWriter& Close();
  XmlWriter& Element(std::string_view name, std::string_view text);
  XmlWriter& Element(std::string_view name, std::int64_t value);
  XmlWriter& Bool(std::string_view name, bool value);
  // Closes every open element and returns the document.
  std::string Finish();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// Reads a request body of at most `limit` bytes. Errors: kMalformedXml when the body is
// larger, and whatever the source returns.
Task<Result<std::string>> ReadXmlBody(ByteSource& body, std::size_t limit);

inline constexpr std::size_t kMaxCompleteBody = 8u << 20;  // 10000 parts
inline constexpr std::size_t kMaxDeleteBody = 4u << 20;    // 1000 keys of 1 KiB, escaped
inline constexpr std::size_t kMaxBucketConfigBody = 64u << 10;
// 1000 lifecycle rules with filters.
inline constexpr std::size_t kMaxLifecycleBody = 2u << 20;

struct CompletePartXml {
  int number = 0;
  std::string etag;
  std::vector<std::pair<std::string, std::string>> checksums;  // {"CRC32", base64}
};

// <CompleteMultipartUpload><Part><PartNumber/><ETag/>[<ChecksumCRC32/>...]</Part>...
// Errors: kMalformedXml (also for no parts, more than 10000, or a part without number or
// ETag). Parts are returned in document order; the object layer checks their order.
Result<std::vector<CompletePartXml>> ParseCompleteMultipartUpload(std::string_view xml);

struct DeleteObjectXml {
  std::string key;
  std::string version_id;
};

struct DeleteRequestXml {
  bool quiet = false;
  std::vector<DeleteObjectXml> objects;
};

inline constexpr std::size_t kMaxDeleteKeys = 1000;
// <Delete><Quiet/><Object><Key/><VersionId/></Object>...</Delete>. Errors: kMalformedXml
// (also for no objects or more than 1000).
Result<DeleteRequestXml> ParseDeleteObjects(std::string_view xml);

inline constexpr std::size_t kMaxTaggingBody = 64u << 10;
// <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>: the tags as sent, in
// document order (s3/tagging.h validates them). Errors: kMalformedXml (also for no TagSet, a
// Tag without Key or Value, or more than 1000 tags).
Result<std::vector<std::pair<std::string, std::string>>> ParseTagging(std::string_view xml);

// <CreateBucketConfiguration><LocationConstraint/></...>; an empty body gives "".
// Errors: kMalformedXml.
Result<std::string> ParseCreateBucketConfiguration(std::string_view xml);

struct VersioningXml {
  std::string status;      // "Enabled" or "Suspended"
  std::string mfa_delete;  // "" (absent), "Enabled" or "Disabled"
};

// <VersioningConfiguration><Status/><MfaDelete/></...>. Errors: kMalformedXml (also for
// a Status other than Enabled or Suspended, or none).
Result<VersioningXml> ParseVersioningConfiguration(std::string_view xml);

}  // namespace cairn::s3
