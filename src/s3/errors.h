// The S3 error catalog: one table from Errc to {S3 code, HTTP status, default message}, and
// the one function that renders the <Error> document. Handlers return a Status; the
// middleware in S3Api::Handle turns it into a response through here.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::s3 {

struct S3ErrorInfo {
  Errc errc = Errc::kInternal;
  std::string_view code;  // "NoSuchKey"
  int http_status = 500;
  std::string_view message;  // AWS's default message
  // True when a non-empty Status message is more useful than the default (argument
  // errors); false when it could leak internal details (drive errors).
  bool use_status_message = false;
};

// The table entry of `code`, or nullptr when the table has none (a bug the tests catch).
const S3ErrorInfo* FindS3Error(Errc code);
// The table entry of `code`, falling back to InternalError.
const S3ErrorInfo& S3ErrorFor(Errc code);

// Where the error happened, for the <Error> document.
struct ErrorContext {
  std::string bucket;
  std::string key;
  std::string resource;  // the request path, e.g. "/bucket/key"
  std::string request_id;
  std::string host_id;
};

struct RenderedError {
  int http_status = 500;
  std::string code;
  std::string message;
  std::string body;  // empty for 304 and for HEAD requests
};

// Renders `status` (not ok) as S3 does. `head` suppresses the body (HEAD responses have none).
RenderedError RenderError(const Status& status, const ErrorContext& where, bool head);

}  // namespace cairn::s3
