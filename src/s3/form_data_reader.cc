// The streaming multipart/form-data parser of POST Object (s3/form_data_reader.h).
#include "s3/form_data_reader.h"

#include <string.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "common/text.h"

namespace cairn::s3 {
namespace {

// How much of the body one Fill reads: what the reader holds beyond a caller's limit. Small,
// since every POST in flight holds one (the object layer's erasure buffers are the budgeted
// memory of an upload), and large enough that a GiB file costs few reads.
constexpr std::size_t kBlock = 64 * 1024;
// The longest boundary RFC 2046 allows.
constexpr std::size_t kMaxBoundary = 70;

Status NotFormData(std::string_view why) {
  return Status(
      Errc::kMalformedPostRequest,
      StrCat("The body of your POST request is not well-formed multipart/form-data: ", why, "."));
}

Status TooLarge() {
  return Status(Errc::kMaxPostPreDataExceeded);
}

// The value of a parameter at the start of `s` (after "name="): a quoted string with
// backslash escapes, or a token up to ';'. Advances `s` past it.
std::string ParamValue(std::string_view& s) {
  std::string out;
  if (s.empty() || s.front() != '"') {
    const std::size_t semi = s.find(';');
    out = std::string(TrimBlanks(s.substr(0, semi)));
    s.remove_prefix(semi == std::string_view::npos ? s.size() : semi);
    return out;
  }
  std::size_t i = 1;
  for (; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
    }
    out.push_back(s[i]);
  }
  s.remove_prefix(std::min(i + 1, s.size()));
  return out;
}

// Content-Disposition: form-data; name="field"; filename="a.txt"
Status ParseDisposition(std::string_view value, FormPartHeader& out) {
  const std::size_t semi = value.find(';');
  if (AsciiLower(TrimBlanks(value.substr(0, semi))) != "form-data") {
    return NotFormData("a part's Content-Disposition is not form-data");
  }
  value.remove_prefix(semi == std::string_view::npos ? value.size() : semi);
  bool have_name = false;
  while (!value.empty()) {
    value.remove_prefix(1);  // ';'
    value = TrimBlanks(value);
    const std::size_t eq = value.find('=');
    if (eq == std::string_view::npos) {
      break;
    }
    const std::string param = AsciiLower(TrimBlanks(value.substr(0, eq)));
    value.remove_prefix(eq + 1);
    value = TrimBlanks(value);
    std::string v = ParamValue(value);
    if (param == "name") {
      out.name = std::move(v);
      have_name = true;
    } else if (param == "filename") {
      out.filename = std::move(v);
    }
    const std::size_t next = value.find(';');
    value.remove_prefix(next == std::string_view::npos ? value.size() : next);
  }
  if (!have_name || out.name.empty()) {
    return NotFormData("a part's Content-Disposition has no name");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> FormBoundary(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (AsciiLower(TrimBlanks(content_type.substr(0, semi))) != "multipart/form-data") {
    return NotFormData("the Content-Type is not multipart/form-data");
  }
  std::string_view rest =
      semi == std::string_view::npos ? std::string_view() : content_type.substr(semi);
  while (!rest.empty()) {
    rest.remove_prefix(1);  // ';'
    rest = TrimBlanks(rest);
    const std::size_t eq = rest.find('=');
    if (eq == std::string_view::npos) {
      break;
    }
    const std::string param = AsciiLower(TrimBlanks(rest.substr(0, eq)));
    rest.remove_prefix(eq + 1);
    rest = TrimBlanks(rest);
    std::string value = ParamValue(rest);
    if (param == "boundary") {
      if (value.empty() || value.size() > kMaxBoundary) {
        return NotFormData("the boundary must have 1 to 70 characters");
      }
      return value;
    }
    const std::size_t next = rest.find(';');
    rest.remove_prefix(next == std::string_view::npos ? rest.size() : next);
  }
  return NotFormData("the Content-Type has no boundary");
}

// The body is read as if it began with CRLF, so that the first delimiter, which may open
// the body without one, is found like every other ("\r\n--boundary").
FormDataReader::FormDataReader(ByteSource& body, std::string_view boundary)
    : body_(body), delimiter_(StrCat("\r\n--", boundary)), pending_("\r\n"), in_body_(true) {}

FormDataReader::~FormDataReader() = default;

std::size_t FormDataReader::consumed() const {
  return consumed_ < 2 ? 0 : consumed_ - 2;  // not the CRLF the constructor put in front
}

void FormDataReader::Consume(std::size_t n) {
  pos_ += n;
  consumed_ += n;
}

Task<Result<bool>> FormDataReader::Fill() {
  if (eof_) {
    co_return false;
  }
  if (pos_ > 0) {
    pending_.erase(0, pos_);
    pos_ = 0;
  }
  const std::size_t old = pending_.size();
  pending_.resize(old + kBlock);
  auto n =
      co_await body_.Read(std::as_writable_bytes(std::span<char>(pending_.data() + old, kBlock)));
  if (!n.ok()) {
    pending_.resize(old);
    co_return n.status();
  }
  pending_.resize(old + *n);
  if (*n == 0) {
    eof_ = true;
    co_return false;
  }
  co_return true;
}

Task<Result<std::size_t>> FormDataReader::Read(std::span<std::byte> buf) {
  while (in_body_) {
    const std::string_view p = Pending();
    const void* hit = memmem(p.data(), p.size(), delimiter_.data(), delimiter_.size());
    std::size_t ready = 0;
    if (hit != nullptr) {
      ready = static_cast<std::size_t>(static_cast<const char*>(hit) - p.data());
      if (ready == 0) {
        Consume(delimiter_.size());
        in_body_ = false;
        break;
      }
    } else if (p.size() >= delimiter_.size()) {
      // The last delimiter_.size() - 1 bytes may begin a delimiter that the next read ends.
      ready = p.size() - (delimiter_.size() - 1);
    }
    if (ready > 0) {
      const std::size_t n = std::min(ready, buf.size());
      std::memcpy(buf.data(), p.data(), n);
      Consume(n);
      co_return n;
    }
    CO_ASSIGN_OR_RETURN(bool more, co_await Fill());
    if (!more) {
      co_return NotFormData("the body ends inside a part");
    }
  }
  co_return std::size_t{0};
}

Task<Result<std::string>> FormDataReader::ReadValue(std::size_t limit) {
  std::string out;
  std::array<std::byte, 8192> block;
  while (true) {
    CO_ASSIGN_OR_RETURN(std::size_t n, co_await Read(block));
    if (n == 0) {
      co_return out;
    }
    if (out.size() + n > limit) {
      co_return TooLarge();
    }
    out.append(reinterpret_cast<const char*>(block.data()), n);
  }
}

Task<Result<std::optional<FormPartHeader>>> FormDataReader::NextPart(std::size_t limit) {
  if (closed_) {
    co_return std::optional<FormPartHeader>();
  }
  const std::size_t start = consumed_;
  std::array<std::byte, 8192> block;
  while (in_body_) {
    CO_ASSIGN_OR_RETURN(std::size_t n, co_await Read(block));
    if (consumed_ - start > limit) {
      co_return TooLarge();
    }
    (void)n;
  }
  // After a delimiter: "--" closes the body; else optional blanks, then CRLF.
  while (true) {
    const std::string_view p = Pending();
    if (p.starts_with("--")) {
      closed_ = true;
      co_return std::optional<FormPartHeader>();
    }
    const std::size_t eol = p.find("\r\n");
    if (eol != std::string_view::npos) {
      if (!TrimBlanks(p.substr(0, eol)).empty()) {
        co_return NotFormData("a delimiter is followed by other text");
      }
      Consume(eol + 2);
      break;
    }
    if (consumed_ - start + p.size() > limit) {
      co_return TooLarge();
    }
    CO_ASSIGN_OR_RETURN(bool more, co_await Fill());
    if (!more) {
      co_return NotFormData("the body ends after a delimiter");
    }
  }
  const std::size_t used = consumed_ - start;
  CO_ASSIGN_OR_RETURN(FormPartHeader header, co_await ReadHeaders(limit - std::min(used, limit)));
  co_return std::optional<FormPartHeader>(std::move(header));
}

Task<Result<FormPartHeader>> FormDataReader::ReadHeaders(std::size_t limit) {
  FormPartHeader out;
  bool disposition = false;
  const std::size_t start = consumed_;
  while (true) {
    const std::string_view p = Pending();
    const std::size_t eol = p.find("\r\n");
    if (eol == std::string_view::npos) {
      if (consumed_ - start + p.size() > limit) {
        co_return TooLarge();
      }
      CO_ASSIGN_OR_RETURN(bool more, co_await Fill());
      if (!more) {
        co_return NotFormData("the body ends inside a part's headers");
      }
      continue;
    }
    if (consumed_ - start + eol + 2 > limit) {
      co_return TooLarge();
    }
    const std::string line(p.substr(0, eol));
    Consume(eol + 2);
    if (line.empty()) {
      break;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) {
      co_return NotFormData("a part has a header line without ':'");
    }
    const std::string name = AsciiLower(TrimBlanks(std::string_view(line).substr(0, colon)));
    const std::string_view value = TrimBlanks(std::string_view(line).substr(colon + 1));
    if (name == "content-disposition") {
      CO_RETURN_IF_ERROR(ParseDisposition(value, out));
      disposition = true;
    } else if (name == "content-type") {
      out.content_type = std::string(value);
    }
  }
  if (!disposition) {
    co_return NotFormData("a part has no Content-Disposition");
  }
  in_body_ = true;
  co_return out;
}

}  // namespace cairn::s3
