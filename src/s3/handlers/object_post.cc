// POST Object: a browser upload. The middleware read the form's fields and authenticated
// them (s3/post_form.h); this handler stores the file as PutObject stores a body and answers
// as the form asks: 204 by default, success_action_status 200 or 201 (with a PostResponse
// document), or a 303 to success_action_redirect.
#include "common/text.h"
#include "s3/handlers/handlers.h"
#include "s3/object_headers.h"
#include "s3/sse.h"
#include "s3/unsupported.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

// Where the object can be read: the request's scheme and Host, then the bucket (path
// style) and the key.
std::string ObjectLocation(const S3Request& req, std::string_view key) {
  const std::string* host = req.Header("host");
  std::string out = StrCat(req.http().tls ? "https://" : "http://", host ? *host : "", "/");
  if (!req.route.virtual_host) {
    out += StrCat(UriEncode(req.route.bucket, false), "/");
  }
  return out + UriEncode(key, true);
}

// success_action_redirect (or the older `redirect`) when it is a URL S3 can redirect to;
// any other value is ignored, as S3 does.
std::optional<std::string> RedirectUrl(const PostForm& form) {
  for (std::string_view name : {"success_action_redirect", "redirect"}) {
    const std::string* url = form.Field(name);
    if (url == nullptr) {
      continue;
    }
    const std::string lower = AsciiLower(*url);
    if (lower.starts_with("http://") || lower.starts_with("https://")) {
      return *url;
    }
  }
  return std::nullopt;
}

Task<Status> Answer(S3Request& req, const PostForm& form, const object::ObjectInfo& info,
                    http::Headers headers) {
  const std::string etag = QuoteEtag(info.etag);
  const std::string location = ObjectLocation(req, form.key);
  if (auto url = RedirectUrl(form)) {
    std::string target = std::move(*url);
    target += target.find('?') == std::string::npos ? '?' : '&';
    target += StrCat("bucket=", UriEncode(req.route.bucket, false),
                     "&key=", UriEncode(form.key, false), "&etag=", UriEncode(etag, false));
    headers.emplace_back("location", std::move(target));
    co_return co_await SendEmpty(req, 303, std::move(headers));
  }
  headers.emplace_back("location", location);
  const std::string* status = form.Field("success_action_status");
  if (status != nullptr && *status == "201") {
    XmlWriter w;
    w.Open("PostResponse", false)
        .Element("Location", location)
        .Element("Bucket", req.route.bucket)
        .Element("Key", form.key)
        .Element("ETag", etag);
    co_return co_await SendXml(req, w.Finish(), 201, std::move(headers));
  }
  const int code = status != nullptr && *status == "200" ? 200 : 204;
  co_return co_await SendEmpty(req, code, std::move(headers));
}

}  // namespace

Task<Status> PostObject(S3Request& req) {
  if (req.post_form == nullptr) {
    co_return Status(Errc::kInternal, "POST Object without its form");
  }
  const PostForm& form = *req.post_form;
  // The form's fields are refused or stored as PutObject's headers are (acl as x-amz-acl).
  const http::Request fields = form.AsHeaders();
  CO_RETURN_IF_ERROR(RefuseUnsupportedFeatures(Op::kPutObject, fields, QueryParams()));
  object::PutOptions opts;
  CO_ASSIGN_OR_RETURN(opts.metadata, MetadataFromRequest(fields));
  CO_ASSIGN_OR_RETURN(object::Metadata lock, co_await BucketWriteMetadata(req, fields, form.key));
  opts.metadata.insert(opts.metadata.end(), lock.begin(), lock.end());
  CO_ASSIGN_OR_RETURN(SseWrite sse, co_await PrepareSseWrite(req, fields, form.key, opts.metadata));
  CO_ASSIGN_OR_RETURN(auto body, OpenPostBody(*form.reader, fields, form.length_range));
  StoredBody stored(body->reader(), sse.sse.mode, sse.key, 1);
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.PutObject(req.ctx, req.route.bucket, form.key,
                                                              stored.reader(), opts));
  http::Headers headers = OneHeader("etag", QuoteEtag(info.etag));
  AddSseHeaders(opts.metadata, sse.sse, headers);
  if (!info.version_id.empty()) {
    headers.emplace_back("x-amz-version-id", info.version_id);
  }
  if (auto checksum = body->reader().checksum()) {
    headers.emplace_back(checksum->first, checksum->second);
  }
  co_return co_await Answer(req, form, info, std::move(headers));
}

}  // namespace cairn::s3
