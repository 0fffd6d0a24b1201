// POST Object's form: read up to the file, authenticated, policy checked (s3/post_form.h).
#include "s3/post_form.h"

#include "common/checksum.h"
#include "common/text.h"

namespace cairn::s3 {
namespace {

constexpr std::string_view kFilenameVariable = "${filename}";
constexpr std::size_t kMaxKey = 1024;

std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  while (true) {
    const std::size_t at = text.find(from);
    out.append(text.substr(0, at));
    if (at == std::string_view::npos) {
      return out;
    }
    out.append(to);
    text.remove_prefix(at + from.size());
  }
}

// The fields up to the file part; leaves `form.reader` at the file's first byte.
Task<Status> ReadFields(PostForm& form) {
  FormDataReader& reader = *form.reader;
  while (true) {
    const std::size_t used = reader.consumed();
    if (used > kMaxPostPreData) {
      co_return Status(Errc::kMaxPostPreDataExceeded);
    }
    CO_ASSIGN_OR_RETURN(std::optional<FormPartHeader> part,
                        co_await reader.NextPart(kMaxPostPreData - used));
    if (!part) {
      co_return Status(Errc::kInvalidArgumentS3,
                       "POST requires exactly one file upload per request.");
    }
    std::string name = AsciiLower(part->name);
    if (name == "file") {
      form.filename = part->filename.value_or("");
      co_return Status::Ok();
    }
    const std::size_t now_used = reader.consumed();
    if (now_used > kMaxPostPreData) {
      co_return Status(Errc::kMaxPostPreDataExceeded);
    }
    CO_ASSIGN_OR_RETURN(std::string value, co_await reader.ReadValue(kMaxPostPreData - now_used));
    form.fields.emplace_back(std::move(name), std::move(value));
  }
}

// The key to store: the key field with ${filename} replaced by the file's name.
Status ResolveKey(PostForm& form) {
  const std::string* key = form.Field("key");
  if (key == nullptr) {
    return Status(Errc::kInvalidArgumentS3,
                  "Bucket POST must contain a field named 'key'.  If it is specified, please "
                  "check the order of the fields.");
  }
  form.key = ReplaceAll(*key, kFilenameVariable, form.filename);
  if (form.key.empty()) {
    return Status(Errc::kInvalidArgumentS3, "User key must have a length greater than 0.");
  }
  if (form.key.size() > kMaxKey) {
    return Status(Errc::kKeyTooLong);
  }
  return Status::Ok();
}

// Decodes, parses and checks the policy, with the key as it will be stored.
Status CheckPolicy(PostForm& form, std::string_view bucket,
                   std::chrono::system_clock::time_point now) {
  const std::string* encoded = form.Field("policy");
  if (encoded == nullptr) {
    return Status(Errc::kInvalidArgumentS3,
                  "Bucket POST must contain a field named 'policy'.  If it is specified, please "
                  "check the order of the fields.");
  }
  std::optional<std::string> json = Base64Decode(*encoded);
  if (!json) {
    return Status(Errc::kInvalidPolicyDocument, "Invalid Policy: Invalid Simple-Base64 value.");
  }
  ASSIGN_OR_RETURN(auth::PostPolicy policy, auth::ParsePostPolicy(*json));
  auth::FormFields fields = form.fields;
  for (auto& [name, value] : fields) {
    if (name == "key") {
      value = form.key;
    }
  }
  RETURN_IF_ERROR(auth::CheckPostPolicy(policy, fields, bucket, now));
  form.length_range = policy.length_range;
  return Status::Ok();
}

}  // namespace

const std::string* PostForm::Field(std::string_view lower_name) const {
  for (const auto& [name, value] : fields) {
    if (name == lower_name) {
      return &value;
    }
  }
  return nullptr;
}

http::Request PostForm::AsHeaders() const {
  http::Request out;
  out.method = "POST";
  for (const auto& [name, value] : fields) {
    // The form names of two headers: acl is x-amz-acl, tagging (an XML tag set) x-amz-tagging.
    std::string header = name == "acl" ? "x-amz-acl" : name == "tagging" ? "x-amz-tagging" : name;
    out.headers.emplace_back(std::move(header), value);
  }
  return out;
}

Task<Result<std::unique_ptr<PostForm>>> OpenPostForm(http::Exchange& ex, std::string_view bucket,
                                                     const auth::CredentialProvider& creds,
                                                     std::chrono::system_clock::time_point now) {
  const http::Request& request = ex.request();
  if (!request.content_length && !request.chunked) {
    co_return Status(Errc::kMissingContentLength);
  }
  const std::string* content_type = request.Header("content-type");
  CO_ASSIGN_OR_RETURN(std::string boundary,
                      FormBoundary(content_type != nullptr ? *content_type : std::string()));
  auto form = std::make_unique<PostForm>();
  form->reader = std::make_unique<FormDataReader>(ex.body(), boundary);
  CO_RETURN_IF_ERROR(co_await ReadFields(*form));
  CO_RETURN_IF_ERROR(ResolveKey(*form));
  CO_ASSIGN_OR_RETURN(form->auth, auth::VerifyPostSignature(form->fields, creds));
  if (form->auth.anonymous) {
    co_return Status(Errc::kAccessDenied);  // no bucket policies yet
  }
  CO_RETURN_IF_ERROR(CheckPolicy(*form, bucket, now));
  co_return std::move(form);
}

}  // namespace cairn::s3
