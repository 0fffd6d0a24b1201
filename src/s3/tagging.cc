#include "s3/tagging.h"

#include <cstdint>
#include <set>

#include "common/query.h"
#include "common/text.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

// ASCII characters AWS allows in a tag besides letters and digits (its pattern is
// [\p{L}\p{Z}\p{N}_.:/=+\-@]*).
constexpr std::string_view kTagSymbols = " _.:/=+-@";

// The number of Unicode characters of `s` when every one is allowed in a tag; -1 otherwise
// (a disallowed ASCII character or invalid UTF-8).
long TagChars(std::string_view s) {
  long chars = 0;
  for (std::size_t i = 0; i < s.size(); ++chars) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      kTagSymbols.find(static_cast<char>(c)) != std::string_view::npos;
      if (!ok) {
        return -1;
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      return -1;
    }
    if (i + len > s.size()) {
      return -1;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        return -1;
      }
    }
    i += len;
  }
  return chars;
}

Status InvalidTag(std::string message) {
  return Status(Errc::kInvalidTag, std::move(message));
}

}  // namespace

Status ValidateTags(const TagSet& tags, TagScope scope) {
  if (scope == TagScope::kObject && tags.size() > kMaxObjectTags) {
    return Status(Errc::kBadRequest, "Object tags cannot be greater than 10");
  }
  if (scope == TagScope::kBucket && tags.size() > kMaxBucketTags) {
    return Status(Errc::kBadRequest, "Bucket tags cannot be greater than 50");
  }
  std::set<std::string_view> keys;
  for (const Tag& tag : tags) {
    const long key_chars = TagChars(tag.key);
    if (key_chars <= 0) {
      return InvalidTag("The TagKey you have provided is invalid");
    }
    if (static_cast<std::size_t>(key_chars) > kMaxTagKeyChars) {
      return InvalidTag("The TagKey you have provided is too long, max 128");
    }
    if (tag.key.starts_with("aws:")) {
      return InvalidTag("Your TagKey cannot be prefixed with aws:");
    }
    const long value_chars = TagChars(tag.value);
    if (value_chars < 0) {
      return InvalidTag("The TagValue you have provided is invalid");
    }
    if (static_cast<std::size_t>(value_chars) > kMaxTagValueChars) {
      return InvalidTag("The TagValue you have provided is too long, max 256");
    }
    if (!keys.insert(tag.key).second) {
      return InvalidTag("Cannot provide multiple Tags with the same key");
    }
  }
  return Status::Ok();
}

Result<TagSet> ParseTaggingXml(std::string_view xml, TagScope scope) {
  ASSIGN_OR_RETURN(auto pairs, ParseTagging(xml));
  TagSet tags;
  tags.reserve(pairs.size());
  for (auto& [key, value] : pairs) {
    tags.push_back(Tag{std::move(key), std::move(value)});
  }
  RETURN_IF_ERROR(ValidateTags(tags, scope));
  return tags;
}

Result<TagSet> ParseTaggingQuery(std::string_view query, TagScope scope) {
  auto params = ParseQuery(query);
  if (!params) {
    return InvalidTag(
        "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL "
        "query parameters without tag name duplicates.");
  }
  TagSet tags;
  for (const QueryParam& p : params->all()) {
    tags.push_back(Tag{p.key, p.value});
  }
  RETURN_IF_ERROR(ValidateTags(tags, scope));
  return tags;
}

std::string EncodeStoredTags(const TagSet& tags) {
  std::string out;
  for (const Tag& tag : tags) {
    if (!out.empty()) {
      out += '&';
    }
    out += UriEncode(tag.key, false);
    out += '=';
    out += UriEncode(tag.value, false);
  }
  return out;
}

TagSet DecodeStoredTags(std::string_view stored) {
  TagSet tags;
  const QueryParams params = ParseQueryLenient(stored);
  for (const QueryParam& p : params.all()) {
    tags.push_back(Tag{p.key, p.value});
  }
  return tags;
}

std::size_t StoredTagCount(std::string_view stored) {
  return DecodeStoredTags(stored).size();
}

void SetStoredTags(object::Metadata& metadata, std::string stored) {
  std::erase_if(metadata, [](const auto& kv) { return kv.first == kTaggingMeta; });
  if (!stored.empty()) {
    metadata.emplace_back(std::string(kTaggingMeta), std::move(stored));
  }
}

std::string RenderTaggingXml(const TagSet& tags) {
  XmlWriter w;
  w.Open("Tagging").Open("TagSet");
  for (const Tag& tag : tags) {
    w.Open("Tag").Element("Key", tag.key).Element("Value", tag.value).Close();
  }
  return w.Finish();
}

}  // namespace cairn::s3
