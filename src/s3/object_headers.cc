#include "s3/object_headers.h"

#include <array>
#include <vector>

#include "common/text.h"
#include "s3/dates.h"
#include "s3/metadata_text.h"
#include "s3/tagging.h"

namespace cairn::s3 {
namespace {

// Content headers stored as sent and returned on GET/HEAD (Content-Type is separate).
constexpr auto kStoredHeaders = std::to_array<std::string_view>(
    {"cache-control", "content-disposition", "content-encoding", "content-language", "expires",
     "x-amz-website-redirect-location"});

// response-<x> query parameters that override a response header on GET.
constexpr auto kOverrides = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"response-content-type", "content-type"},
    {"response-content-language", "content-language"},
    {"response-expires", "expires"},
    {"response-cache-control", "cache-control"},
    {"response-content-disposition", "content-disposition"},
    {"response-content-encoding", "content-encoding"},
});

// Content-Encoding without the aws-chunked token (it describes the transfer, not the data).
// A value without that token is kept exactly as sent ("deflate, gzip" stays so).
std::string StripAwsChunked(std::string_view value) {
  std::vector<std::string_view> kept;
  bool stripped = false;
  for (std::string_view rest = value;;) {
    const auto comma = rest.find(',');
    const std::string_view item = TrimBlanks(rest.substr(0, comma));
    if (AsciiLower(item) == "aws-chunked") {
      stripped = true;
    } else if (!item.empty()) {
      kept.push_back(item);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(comma + 1);
  }
  if (!stripped) {
    return std::string(TrimBlanks(value));
  }
  std::string out;
  for (std::string_view item : kept) {
    if (!out.empty()) {
      out += ", ";
    }
    out += item;
  }
  return out;
}

void Set(http::Headers& headers, std::string_view name, std::string value) {
  for (auto& [k, v] : headers) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::move(value));
}

}  // namespace

std::string StorageClassOf(const object::Metadata& metadata) {
  for (const auto& [name, value] : metadata) {
    if (name == "x-amz-storage-class" && !value.empty()) {
      return value;
    }
  }
  return "STANDARD";
}

Result<std::string> StoredTagsFromRequest(std::string_view value) {
  // POST Object's tagging field is a <Tagging> document; the header is in query form.
  const bool xml = TrimBlanks(value).starts_with('<');
  ASSIGN_OR_RETURN(TagSet tags, xml ? ParseTaggingXml(value, TagScope::kObject)
                                    : ParseTaggingQuery(value, TagScope::kObject));
  return EncodeStoredTags(tags);
}

Result<object::Metadata> MetadataFromRequest(const http::Request& req) {
  object::Metadata meta;
  const std::string* type = req.Header("content-type");
  meta.emplace_back("content-type",
                    type != nullptr && !type->empty() ? *type : std::string(kDefaultContentType));
  std::size_t user_bytes = 0;
  for (const auto& [name, value] : req.headers) {
    if (name == "content-encoding") {
      std::string enc = StripAwsChunked(value);
      if (!enc.empty()) {
        meta.emplace_back(name, std::move(enc));
      }
    } else if (name.rfind("x-amz-meta-", 0) == 0) {
      std::string stored = StoredMetadataValue(value);
      user_bytes += name.size() - 11 + stored.size();
      meta.emplace_back(name, std::move(stored));
    } else if (name == "x-amz-storage-class") {
      if (!IsStorageClass(value)) {
        return Status(Errc::kInvalidStorageClass);
      }
      meta.emplace_back(name, value);
    } else if (name == kTaggingMeta) {
      ASSIGN_OR_RETURN(std::string stored, StoredTagsFromRequest(value));
      if (!stored.empty()) {
        meta.emplace_back(name, std::move(stored));
      }
    } else {
      for (std::string_view stored : kStoredHeaders) {
        if (name == stored) {
          meta.emplace_back(name, value);
        }
      }
    }
  }
  if (user_bytes > kMaxUserMetadata) {
    return Status(Errc::kMetadataTooLarge);
  }
  return meta;
}

object::Metadata CopyableMetadata(const object::ObjectInfo& source) {
  object::Metadata meta;
  std::string type =
      source.content_type.empty() ? source.Meta("content-type") : source.content_type;
  meta.emplace_back("content-type", type.empty() ? std::string(kDefaultContentType) : type);
  for (const auto& [name, value] : source.metadata) {
    bool stored = name == "x-amz-storage-class" || name.rfind("x-amz-meta-", 0) == 0;
    for (std::string_view s : kStoredHeaders) {
      stored = stored || name == s;
    }
    if (stored) {
      meta.emplace_back(name, value);
    }
  }
  return meta;
}

http::Headers ObjectResponseHeaders(const object::ObjectInfo& info, const QueryParams& query,
                                    bool checksum_mode) {
  http::Headers h;
  h.emplace_back("etag", "\"" + info.etag + "\"");
  h.emplace_back("last-modified", FormatHttpDate(info.mod_time_ns));
  std::string type = info.content_type;
  if (type.empty()) {
    type = info.Meta("content-type");
  }
  h.emplace_back("content-type", type.empty() ? std::string(kDefaultContentType) : type);
  h.emplace_back("accept-ranges", "bytes");
  for (const auto& [name, value] : info.metadata) {
    bool stored = false;
    for (std::string_view s : kStoredHeaders) {
      stored = stored || name == s;
    }
    bool checksum = checksum_mode && name.rfind("x-amz-checksum-", 0) == 0;
    bool lock = name.rfind("x-amz-object-lock-", 0) == 0;
    if (stored || checksum || lock) {
      h.emplace_back(name, value);
    } else if (name.rfind("x-amz-meta-", 0) == 0) {
      h.emplace_back(name, MetadataHeaderValue(value));
    }
  }
  if (!info.version_id.empty()) {
    h.emplace_back("x-amz-version-id", info.version_id);
  }
  if (!info.storage_class.empty() && info.storage_class != "STANDARD") {
    h.emplace_back("x-amz-storage-class", info.storage_class);
  }
  if (const std::string& tags = info.Meta(kTaggingMeta); !tags.empty()) {
    h.emplace_back("x-amz-tagging-count", std::to_string(StoredTagCount(tags)));
  }
  for (const auto& [param, header] : kOverrides) {
    if (auto v = query.Get(param)) {
      Set(h, header, std::string(*v));
    }
  }
  return h;
}

}  // namespace cairn::s3
