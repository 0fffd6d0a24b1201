#include "s3/iam_query.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/checksum.h"
#include "common/text.h"
#include "s3/dates.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

std::string Arn(std::string_view kind, std::string_view name) {
  return StrCat("arn:aws:iam::", kIamAccountId, ":", kind, "/", name);
}

// IAM's code and status where they differ from the S3 table's.
// `bare` words a message that is only a name, as the store's errors are ("alice").
struct IamCode {
  Errc errc;
  std::string_view code;
  int http_status;
  std::string_view bare_prefix = {};
  std::string_view bare_suffix = {};
};

constexpr IamCode kIamCodes[] = {
    {Errc::kIamNoSuchUser, "NoSuchEntity", 404, "The user with name ", " cannot be found."},
    {Errc::kIamNoSuchGroup, "NoSuchEntity", 404, "The group with name ", " cannot be found."},
    {Errc::kIamNoSuchPolicy, "NoSuchEntity", 404, "Policy ", " does not exist."},
    {Errc::kIamNoSuchServiceAccount, "NoSuchEntity", 404, "The Access Key with id ",
     " cannot be found."},
    {Errc::kIamKeyExists, "EntityAlreadyExists", 409, "The entity ", " already exists."},
    {Errc::kIamGroupNotEmpty, "DeleteConflict", 409},
    {Errc::kIamPolicyInUse, "DeleteConflict", 409},
    {Errc::kMalformedPolicy, "MalformedPolicyDocument", 400},
    {Errc::kInvalidArgument, "ValidationError", 400},
    {Errc::kInvalidArgumentS3, "ValidationError", 400},
    // An Action cairn does not know: the named thing that is not there.
    {Errc::kNotFound, "InvalidAction", 400},
    {Errc::kEntityTooLarge, "LimitExceeded", 409},
    // ReadRequestXml's answer to a body over kMaxIamQueryBody.
    {Errc::kMalformedXml, "LimitExceeded", 409},
    {Errc::kInvalidAccessKeyId, "InvalidClientTokenId", 403},
};

}  // namespace

std::string InlinePolicyName(std::string_view owner, bool group, std::string_view name) {
  return StrCat(owner, group ? kGroupInlineMarker : kUserInlineMarker, name);
}

std::optional<std::string> InlinePolicyOf(std::string_view policy, std::string_view owner,
                                          bool group) {
  const std::string prefix = StrCat(owner, group ? kGroupInlineMarker : kUserInlineMarker);
  if (!policy.starts_with(prefix) || policy.size() == prefix.size()) {
    return std::nullopt;
  }
  return std::string(policy.substr(prefix.size()));
}

bool IsInlinePolicyName(std::string_view policy) {
  return policy.find(kUserInlineMarker) != std::string_view::npos ||
         policy.find(kGroupInlineMarker) != std::string_view::npos;
}

std::string IamUserArn(std::string_view user) {
  return Arn("user", user);
}

std::string IamGroupArn(std::string_view group) {
  return Arn("group", group);
}

std::string IamPolicyArn(std::string_view policy) {
  return Arn("policy", policy);
}

std::string IamEntityId(std::string_view prefix, std::string_view name) {
  std::string hex = HexEncode(Sha256(name));
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return StrCat(prefix, hex.substr(0, 17));
}

Result<std::string> PolicyNameFromArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  const auto colon = arn.find(':', kPrefix.size());
  if (!arn.starts_with(kPrefix) || colon == std::string_view::npos ||
      arn.substr(colon + 1, 7) != "policy/") {
    return Status(Errc::kInvalidArgument, StrCat("ARN ", arn, " is not a valid policy ARN."));
  }
  const std::string_view name = arn.substr(arn.rfind('/') + 1);
  if (name.empty()) {
    return Status(Errc::kInvalidArgument, StrCat("ARN ", arn, " is not a valid policy ARN."));
  }
  return std::string(name);
}

Result<QueryParams> ParseIamForm(std::string_view body) {
  auto form = ParseQuery(body);
  if (!form) {
    return Status(Errc::kInvalidArgument, "The form body has an invalid percent-escape.");
  }
  if (!form->Has("Action")) {
    return Status(Errc::kInvalidArgument, "The request must contain the parameter Action.");
  }
  return std::move(*form);
}

Result<std::string> RequiredParam(const QueryParams& form, std::string_view name) {
  auto v = form.Get(name);
  if (!v || v->empty()) {
    return Status(Errc::kInvalidArgument,
                  StrCat("1 validation error detected: Value null at '", name,
                         "' failed to satisfy constraint: Member must not be null"));
  }
  return std::string(*v);
}

Result<IamPage> PageOf(const QueryParams& form, std::size_t total) {
  auto parse = [](std::optional<std::string_view> v, std::size_t def, std::size_t min,
                  std::size_t max) -> std::optional<std::size_t> {
    if (!v) {
      return def;
    }
    std::size_t n = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || ec != std::errc() || ptr != v->data() + v->size() || n < min || n > max) {
      return std::nullopt;
    }
    return n;
  };
  const auto max_items = parse(form.Get("MaxItems"), 100, 1, 1000);
  if (!max_items) {
    return Status(Errc::kInvalidArgument, "MaxItems must be an integer from 1 to 1000.");
  }
  const auto marker = parse(form.Get("Marker"), 0, 0, total);
  if (!marker) {
    return Status(Errc::kInvalidArgument, "Marker is not a marker this API returned.");
  }
  IamPage page;
  page.begin = *marker;
  page.end = std::min(total, page.begin + *max_items);
  page.truncated = page.end < total;
  return page;
}

IamXml& IamXml::Open(std::string_view name) {
  out_ += StrCat("<", name, ">");
  open_.emplace_back(name);
  return *this;
}

IamXml& IamXml::Close() {
  if (!open_.empty()) {
    out_ += StrCat("</", open_.back(), ">");
    open_.pop_back();
  }
  return *this;
}

IamXml& IamXml::Element(std::string_view name, std::string_view text) {
  out_ += StrCat("<", name, ">", XmlEscape(text), "</", name, ">");
  return *this;
}

IamXml& IamXml::Element(std::string_view name, std::int64_t value) {
  return Element(name, std::to_string(value));
}

IamXml& IamXml::Bool(std::string_view name, bool value) {
  return Element(name, value ? "true" : "false");
}

IamXml& IamXml::Paging(const IamPage& page) {
  Bool("IsTruncated", page.truncated);
  if (page.truncated) {
    Element("Marker", static_cast<std::int64_t>(page.end));
  }
  return *this;
}

std::string IamResponse(std::string_view action, std::string_view result,
                        std::string_view request_id) {
  std::string out = StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<", action,
                           "Response xmlns=\"", kIamNamespace, "\">");
  if (!result.empty()) {
    out += StrCat("<", action, "Result>", result, "</", action, "Result>");
  }
  out += StrCat("<ResponseMetadata><RequestId>", XmlEscape(request_id),
                "</RequestId></ResponseMetadata></", action, "Response>");
  return out;
}

RenderedError RenderIamError(const Status& status, std::string_view request_id) {
  const S3ErrorInfo& info = S3ErrorFor(status.code());
  RenderedError out;
  out.http_status = info.http_status;
  out.code = std::string(info.code);
  out.message = info.use_status_message && !status.message().empty() ? status.message()
                                                                     : std::string(info.message);
  for (const IamCode& c : kIamCodes) {
    if (c.errc == status.code()) {
      out.code = std::string(c.code);
      out.http_status = c.http_status;
      const std::string& m = status.message();
      if (!m.empty()) {
        const bool bare = !c.bare_prefix.empty() && m.find(' ') == std::string::npos;
        out.message = bare ? StrCat(c.bare_prefix, m, c.bare_suffix) : m;
      }
    }
  }
  out.body = StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"", kIamNamespace,
      "\"><Error><Type>", out.http_status >= 500 ? "Receiver" : "Sender", "</Type><Code>",
      XmlEscape(out.code), "</Code><Message>", XmlEscape(out.message),
      "</Message></Error><RequestId>", XmlEscape(request_id), "</RequestId></ErrorResponse>");
  return out;
}

std::string IamDate(std::int64_t unix_ns) {
  std::string s = FormatIso8601(unix_ns);  // "...T02:35:43.123Z"
  const auto dot = s.rfind('.');
  if (dot != std::string::npos) {
    s.erase(dot, s.size() - dot - 1);
  }
  return s;
}

}  // namespace cairn::s3
