// Object and bucket tags: the Tagging XML document and the x-amz-tagging header parsed and
// checked against AWS's tag rules, the form tags are stored in (a version's metadata key
// "x-amz-tagging", URL query form "k1=v1&k2=v2", keys and values percent-encoded; another
// module's lifecycle rules read it), and the XML answer of GetObjectTagging/GetBucketTagging.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "object/object_layer.h"

namespace cairn::s3 {

// The metadata key of a version's tags; absent when it has none.
inline constexpr std::string_view kTaggingMeta = "x-amz-tagging";

inline constexpr std::size_t kMaxObjectTags = 10;
inline constexpr std::size_t kMaxBucketTags = 50;
inline constexpr std::size_t kMaxTagKeyChars = 128;    // Unicode characters
inline constexpr std::size_t kMaxTagValueChars = 256;  // Unicode characters

struct Tag {
  std::string key;
  std::string value;

  friend bool operator==(const Tag&, const Tag&) = default;
};

using TagSet = std::vector<Tag>;

enum class TagScope { kObject, kBucket };

// AWS's rules: at most 10 tags on an object, 50 on a bucket (400 BadRequest past them); a key
// of 1-128 and a value of 0-256 Unicode characters, of letters, digits, whitespace and
// + - = . _ : / @ (characters outside ASCII count as letters; invalid UTF-8 is refused);
// no key prefixed "aws:"; no key twice. Errors: kInvalidTag, kBadRequest.
Status ValidateTags(const TagSet& tags, TagScope scope);

// A <Tagging> document, validated. Errors: kMalformedXml, and ValidateTags's.
Result<TagSet> ParseTaggingXml(std::string_view xml, TagScope scope);
// The x-amz-tagging header (or POST's tagging field in query form): "k1=v1&k2=v2",
// percent-encoded, validated. Errors: kInvalidTag (a bad escape), and ValidateTags's.
Result<TagSet> ParseTaggingQuery(std::string_view query, TagScope scope);

// The stored form: "k1=v1&k2=v2" with keys and values percent-encoded ("" for no tags).
std::string EncodeStoredTags(const TagSet& tags);
// The stored form read back; what does not decode is kept as sent.
TagSet DecodeStoredTags(std::string_view stored);
// How many tags the stored form holds (x-amz-tagging-count).
std::size_t StoredTagCount(std::string_view stored);

// Sets the stored tags of `metadata` (removes them when `stored` is empty).
void SetStoredTags(object::Metadata& metadata, std::string stored);

// <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>
std::string RenderTaggingXml(const TagSet& tags);

}  // namespace cairn::s3
