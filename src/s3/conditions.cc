#include "s3/conditions.h"

#include "common/text.h"
#include "s3/dates.h"

namespace cairn::s3 {
namespace {

std::string_view Unquote(std::string_view tag) {
  tag = TrimBlanks(tag);
  if (tag.substr(0, 2) == "W/") {
    tag.remove_prefix(2);
  }
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
    tag = tag.substr(1, tag.size() - 2);
  }
  return tag;
}

std::int64_t Seconds(std::int64_t ns) {
  return ns >= 0 ? ns / 1'000'000'000 : -((-ns + 999'999'999) / 1'000'000'000);
}

}  // namespace

Preconditions ReadPreconditions(const http::Request& req, std::string_view prefix) {
  Preconditions p;
  auto header = [&](std::string_view name) {
    return req.Header(std::string(prefix) + std::string(name));
  };
  if (const auto* v = header("if-match")) {
    p.if_match = *v;
  }
  if (const auto* v = header("if-none-match")) {
    p.if_none_match = *v;
  }
  if (const auto* v = header("if-modified-since")) {
    p.if_modified_since = ParseHttpDate(*v);
  }
  if (const auto* v = header("if-unmodified-since")) {
    p.if_unmodified_since = ParseHttpDate(*v);
  }
  return p;
}

bool EtagListMatches(std::string_view header, std::string_view etag) {
  etag = Unquote(etag);
  while (true) {
    auto comma = header.find(',');
    std::string_view item = Unquote(header.substr(0, comma));
    if (item == "*" || (!item.empty() && item == etag)) {
      return true;
    }
    if (comma == std::string_view::npos) {
      return false;
    }
    header.remove_prefix(comma + 1);
  }
}

Status EvaluateGetPreconditions(const Preconditions& p, std::string_view etag,
                                std::int64_t mod_time_ns) {
  std::int64_t mod = Seconds(mod_time_ns);
  if (p.if_match) {
    if (!EtagListMatches(*p.if_match, etag)) {
      return Status(Errc::kPreconditionFailed);
    }
  } else if (p.if_unmodified_since && mod > *p.if_unmodified_since) {
    return Status(Errc::kPreconditionFailed);
  }
  if (p.if_none_match) {
    if (EtagListMatches(*p.if_none_match, etag)) {
      return Status(Errc::kNotModified);
    }
  } else if (p.if_modified_since && mod <= *p.if_modified_since) {
    return Status(Errc::kNotModified);
  }
  return Status::Ok();
}

Status EvaluateCopyPreconditions(const Preconditions& p, std::string_view etag,
                                 std::int64_t mod_time_ns) {
  Status st = EvaluateGetPreconditions(p, etag, mod_time_ns);
  if (st.code() == Errc::kNotModified) {
    return Status(Errc::kPreconditionFailed);
  }
  return st;
}

}  // namespace cairn::s3
