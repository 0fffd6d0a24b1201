#include "common/checksum.h"
#include "s3/acl_access.h"
#include "s3/dates.h"
#include "s3/handlers/handlers.h"
#include "s3/sse.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

struct ListParams {
  std::string prefix;
  std::string delimiter;
  int max_keys = 1000;
  bool url = false;
};

Result<ListParams> ReadListParams(const S3Request& req) {
  const auto& q = req.route.query;
  ListParams p;
  p.prefix = std::string(q.Get("prefix").value_or(""));
  p.delimiter = std::string(q.Get("delimiter").value_or(""));
  if (auto enc = q.Get("encoding-type")) {
    if (*enc != "url") {
      return Status(Errc::kInvalidEncodingType);
    }
    p.url = true;
  }
  auto max_keys = QueryInt(req, "max-keys", 1000, 0, 2147483647);
  if (!max_keys.ok()) {
    return Status(Errc::kInvalidMaxKeys);
  }
  p.max_keys = std::min(*max_keys, 1000);
  return p;
}

// Lists a page starting after `marker`. max-keys=0 lists nothing but still checks that
// the bucket exists.
Task<Result<object::ListResult>> ListPage(S3Request& req, const ListParams& p, std::string marker) {
  if (p.max_keys == 0) {
    CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
    (void)info;
    co_return object::ListResult{};
  }
  object::ListOptions opts;
  opts.prefix = p.prefix;
  opts.delimiter = p.delimiter;
  opts.marker = std::move(marker);
  opts.max_keys = p.max_keys;
  co_return co_await req.layer.ListObjects(req.ctx, req.route.bucket, opts);
}

void WriteOwner(XmlWriter& w, ListingOwners& owners, const object::ObjectInfo& obj) {
  const ListingOwners::Owner o = owners.Of(obj);
  w.Open("Owner").Element("ID", o.id);
  if (!o.display_name.empty()) {
    w.Element("DisplayName", o.display_name);
  }
  w.Close();
}

// The bucket's owners for a listing that names them.
Task<Result<std::optional<ListingOwners>>> OwnersFor(S3Request& req, bool wanted) {
  std::optional<ListingOwners> out;
  if (wanted) {
    CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
    out.emplace(req, info);
  }
  co_return out;
}

void WriteEntries(XmlWriter& w, const ListParams& p, const object::ListResult& result,
                  std::optional<ListingOwners>& owners) {
  auto enc = [&](std::string_view s) { return p.url ? UrlEncodeListed(s) : std::string(s); };
  for (const auto& obj : result.objects) {
    w.Open("Contents")
        .Element("Key", enc(obj.key))
        .Element("LastModified", FormatIso8601(obj.mod_time_ns))
        .Element("ETag", QuoteEtag(obj.etag))
        .Element("Size", PlainObjectSize(obj));
    if (owners) {
      WriteOwner(w, *owners, obj);
    }
    w.Element("StorageClass", obj.storage_class.empty() ? "STANDARD" : obj.storage_class);
    w.Close();
  }
  for (const auto& prefix : result.prefixes) {
    w.Open("CommonPrefixes").Element("Prefix", enc(prefix)).Close();
  }
}

}  // namespace

std::string EncodeContinuationToken(std::string_view key) {
  return Base64Encode(key);
}

Result<std::string> DecodeContinuationToken(std::string_view token) {
  auto key = Base64Decode(token);
  if (!key || token.empty()) {
    return Status(Errc::kInvalidArgumentS3, "The continuation token provided is incorrect");
  }
  return std::move(*key);
}

Task<Status> ListObjectsV1(S3Request& req) {
  CO_ASSIGN_OR_RETURN(ListParams p, ReadListParams(req));
  std::string marker(req.route.query.Get("marker").value_or(""));
  CO_ASSIGN_OR_RETURN(auto result, co_await ListPage(req, p, marker));
  auto enc = [&](std::string_view s) { return p.url ? UrlEncodeListed(s) : std::string(s); };
  XmlWriter w;
  w.Open("ListBucketResult")
      .Element("Name", req.route.bucket)
      .Element("Prefix", enc(p.prefix))
      .Element("Marker", enc(marker));
  // AWS returns NextMarker only with a delimiter; without one the last key is the marker.
  if (result.truncated && !p.delimiter.empty()) {
    w.Element("NextMarker", enc(result.next_marker));
  }
  w.Element("MaxKeys", p.max_keys);
  if (!p.delimiter.empty()) {
    w.Element("Delimiter", enc(p.delimiter));
  }
  w.Bool("IsTruncated", result.truncated);
  if (p.url) {
    w.Element("EncodingType", "url");
  }
  CO_ASSIGN_OR_RETURN(auto owners, co_await OwnersFor(req, true));
  WriteEntries(w, p, result, owners);
  co_return co_await SendXml(req, w.Finish());
}

Task<Status> ListObjectsV2(S3Request& req) {
  CO_ASSIGN_OR_RETURN(ListParams p, ReadListParams(req));
  const auto& q = req.route.query;
  std::string start_after(q.Get("start-after").value_or(""));
  // An empty continuation-token is no token (as AWS treats it).
  std::optional<std::string_view> token = q.Get("continuation-token");
  if (token && token->empty()) {
    token.reset();
  }
  std::string marker = start_after;
  if (token) {
    CO_ASSIGN_OR_RETURN(marker, DecodeContinuationToken(*token));
  }
  bool fetch_owner = q.Get("fetch-owner") == "true";
  CO_ASSIGN_OR_RETURN(auto result, co_await ListPage(req, p, marker));
  auto enc = [&](std::string_view s) { return p.url ? UrlEncodeListed(s) : std::string(s); };
  XmlWriter w;
  w.Open("ListBucketResult")
      .Element("Name", req.route.bucket)
      .Element("Prefix", enc(p.prefix))
      .Element("KeyCount",
               static_cast<std::int64_t>(result.objects.size() + result.prefixes.size()))
      .Element("MaxKeys", p.max_keys);
  if (!p.delimiter.empty()) {
    w.Element("Delimiter", enc(p.delimiter));
  }
  w.Bool("IsTruncated", result.truncated);
  if (token) {
    w.Element("ContinuationToken", *token);
  }
  if (result.truncated) {
    w.Element("NextContinuationToken", EncodeContinuationToken(result.next_marker));
  }
  if (!start_after.empty()) {
    w.Element("StartAfter", enc(start_after));
  }
  if (p.url) {
    w.Element("EncodingType", "url");
  }
  CO_ASSIGN_OR_RETURN(auto owners, co_await OwnersFor(req, fetch_owner));
  WriteEntries(w, p, result, owners);
  co_return co_await SendXml(req, w.Finish());
}

Task<Status> ListObjectVersions(S3Request& req) {
  CO_ASSIGN_OR_RETURN(ListParams p, ReadListParams(req));
  const auto& q = req.route.query;
  std::string key_marker(q.Get("key-marker").value_or(""));
  std::string version_marker(q.Get("version-id-marker").value_or(""));
  if (!version_marker.empty() && key_marker.empty()) {
    co_return Status(Errc::kInvalidArgumentS3,
                     "A version-id marker cannot be specified without a key marker.");
  }
  CO_ASSIGN_OR_RETURN(std::string checked_marker, CheckedVersionId(version_marker));
  object::ListVersionsOptions opts;
  opts.prefix = p.prefix;
  opts.delimiter = p.delimiter;
  opts.key_marker = key_marker;
  opts.version_id_marker = checked_marker;
  opts.max_keys = p.max_keys;
  CO_ASSIGN_OR_RETURN(auto result,
                      co_await req.layer.ListObjectVersions(req.ctx, req.route.bucket, opts));
  CO_ASSIGN_OR_RETURN(auto owners, co_await OwnersFor(req, true));
  auto enc = [&](std::string_view s) { return p.url ? UrlEncodeListed(s) : std::string(s); };
  XmlWriter w;
  w.Open("ListVersionsResult")
      .Element("Name", req.route.bucket)
      .Element("Prefix", enc(p.prefix))
      .Element("KeyMarker", enc(key_marker))
      .Element("VersionIdMarker", version_marker);
  if (result.truncated) {
    w.Element("NextKeyMarker", enc(result.next_key_marker));
    if (!result.next_version_id_marker.empty()) {
      w.Element("NextVersionIdMarker", result.next_version_id_marker);
    }
  }
  w.Element("MaxKeys", p.max_keys);
  if (!p.delimiter.empty()) {
    w.Element("Delimiter", enc(p.delimiter));
  }
  w.Bool("IsTruncated", result.truncated);
  if (p.url) {
    w.Element("EncodingType", "url");
  }
  // Versions and delete markers in listing order (S3 sends each kind as its own element).
  for (const auto& v : result.versions) {
    const std::string version_id = v.version_id.empty() ? "null" : v.version_id;
    if (v.delete_marker) {
      w.Open("DeleteMarker")
          .Element("Key", enc(v.key))
          .Element("VersionId", version_id)
          .Bool("IsLatest", v.is_latest)
          .Element("LastModified", FormatIso8601(v.mod_time_ns));
      WriteOwner(w, *owners, v);
      w.Close();
      continue;
    }
    w.Open("Version")
        .Element("Key", enc(v.key))
        .Element("VersionId", version_id)
        .Bool("IsLatest", v.is_latest)
        .Element("LastModified", FormatIso8601(v.mod_time_ns))
        .Element("ETag", QuoteEtag(v.etag))
        .Element("Size", PlainObjectSize(v));
    WriteOwner(w, *owners, v);
    w.Element("StorageClass", v.storage_class.empty() ? "STANDARD" : v.storage_class);
    w.Close();
  }
  for (const auto& prefix : result.prefixes) {
    w.Open("CommonPrefixes").Element("Prefix", enc(prefix)).Close();
  }
  co_return co_await SendXml(req, w.Finish());
}

}  // namespace cairn::s3
