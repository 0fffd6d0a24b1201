#include "s3/request.h"

#include <algorithm>
#include <charconv>

#include "common/text.h"
#include "s3/errors.h"
#include "s3/iam_query.h"
#include "s3/sts.h"

namespace cairn::s3 {

std::string S3Request::Resource() const {
  std::string out = "/" + route.bucket;
  if (!route.key.empty()) {
    out += "/" + route.key;
  }
  return out;
}

Task<Status> SendXml(S3Request& req, std::string body, int status, http::Headers headers) {
  headers.emplace_back("content-type", "application/xml");
  co_return co_await req.ex.Respond(status, std::move(headers), body);
}

Task<Status> SendEmpty(S3Request& req, int status, http::Headers headers) {
  co_return co_await req.ex.Respond(status, std::move(headers), "");
}

Task<Status> SendError(S3Request& req, const Status& error, http::Headers headers) {
  if (req.route.op == Op::kIamAction) {
    RenderedError rendered = RenderIamError(error, req.ctx.request_id);
    req.error_code = rendered.code;
    req.error_message = rendered.message;
    headers.emplace_back("content-type", "text/xml");
    co_return co_await req.ex.Respond(rendered.http_status, std::move(headers), rendered.body);
  }
  ErrorContext where;
  where.bucket = req.route.bucket;
  where.key = req.route.key;
  where.resource = req.Resource();
  where.request_id = req.ctx.request_id;
  where.host_id = req.host_id;
  RenderedError rendered = RenderError(error, where, req.IsHead());
  if (req.route.op == Op::kStsAction) {
    // The STS API answers in its own document (the code and message are S3's).
    rendered.body =
        RenderStsError(rendered.code, rendered.message, req.ctx.request_id, rendered.http_status);
  }
  req.error_code = rendered.code;
  req.error_message = rendered.message;
  if (!rendered.body.empty()) {
    headers.emplace_back("content-type", "application/xml");
  }
  co_return co_await req.ex.Respond(rendered.http_status, std::move(headers), rendered.body);
}

std::string QuoteEtag(std::string_view etag) {
  return StrCat("\"", etag, "\"");
}

namespace {

// `value` as an integer within [min, max]; `def` when absent.
Result<int> BoundedInt(std::optional<std::string_view> value, std::string_view name, int def,
                       int min, int max) {
  if (!value) {
    return def;
  }
  int out = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), out);
  if (value->empty() || ec != std::errc() || ptr != value->data() + value->size() || out < min ||
      out > max) {
    return Status(Errc::kInvalidArgumentS3,
                  "Argument " + std::string(name) + " must be an integer between " +
                      std::to_string(min) + " and " + std::to_string(max));
  }
  return out;
}

}  // namespace

Result<int> QueryInt(const S3Request& req, std::string_view name, int def, int min, int max) {
  return BoundedInt(req.route.query.Get(name), name, def, min, max);
}

Result<int> HeaderInt(const S3Request& req, std::string_view name, int def, int min, int max) {
  const std::string* value = req.Header(name);
  return BoundedInt(value != nullptr ? std::optional<std::string_view>(*value) : std::nullopt, name,
                    def, min, max);
}

Result<std::string> CheckedVersionId(std::string_view v) {
  if (v.empty() || v == "null") {
    return std::string(v);
  }
  const bool shaped = v.size() == 36 && std::all_of(v.begin(), v.end(), [](char c) {
                        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                               (c >= 'A' && c <= 'F') || c == '-';
                      });
  if (!shaped) {
    return Status(Errc::kInvalidArgumentS3, "Invalid version id specified");
  }
  return std::string(v);
}

Result<std::string> VersionIdParam(const S3Request& req) {
  return CheckedVersionId(req.route.query.Get("versionId").value_or(""));
}

}  // namespace cairn::s3
