// PostForm: the authentication step of POST Object (browser uploads). The credentials of such
// a request are in its multipart/form-data body, not in its headers: OpenPostForm reads the
// form's fields up to the file part (bounded), verifies the signature of the policy
// (auth/post_policy.h), checks the policy, and leaves the reader at the file's first byte
// for the PostObject handler to stream.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "auth/post_policy.h"
#include "auth/signature.h"
#include "common/status.h"
#include "common/task.h"
#include "http/exchange.h"
#include "s3/form_data_reader.h"

namespace cairn::s3 {

// Most bytes of the form before the file (fields, their part headers and delimiters), as
// MinIO bounds it: the server never buffers more of a form than this.
inline constexpr std::size_t kMaxPostPreData = 20 * 1024;

struct PostForm {
  auth::FormFields fields;  // the fields before the file: lowercase names, values as sent
  std::string key;          // the key field with ${filename} replaced
  std::string filename;     // the file part's filename ("" when it has none)
  auth::AuthResult auth;
  // The policy's content-length-range, when it has one.
  std::optional<std::pair<std::int64_t, std::int64_t>> length_range;
  // Positioned at the first byte of the file: reading it streams the file.
  std::unique_ptr<FormDataReader> reader;

  // The first field named `lower_name`, or nullptr.
  const std::string* Field(std::string_view lower_name) const;
  // The fields as request headers, for the code shared with PutObject (stored headers,
  // x-amz-meta-*, Content-MD5, x-amz-checksum-*, refused features); acl is x-amz-acl.
  http::Request AsHeaders() const;
};

// Reads and authenticates the form of a POST Object request to `bucket`. Errors:
// kMissingContentLength (411), kMalformedPostRequest, kMaxPostPreDataExceeded,
// kInvalidArgumentS3 (no file part, no key field, an empty key), kKeyTooLong, kAccessDenied
// (an unsigned form), auth::VerifyPostSignature's errors, kInvalidPolicyDocument (the policy
// is not base64 JSON of a policy), kPostPolicyDenied, and the body's read errors.
Task<Result<std::unique_ptr<PostForm>>> OpenPostForm(http::Exchange& ex, std::string_view bucket,
                                                     const auth::CredentialProvider& creds,
                                                     std::chrono::system_clock::time_point now);

}  // namespace cairn::s3
