// FormDataReader: a streaming multipart/form-data parser (RFC 7578) for POST Object. It walks
// the parts of a request body one at a time: a part's headers, then its body, either read
// whole (a small form field, with a limit) or streamed as a ByteSource (the uploaded file,
// which may be GiBs and is never held in memory). Delimiters split across reads are found;
// memory stays bounded by one read block plus the limits the caller passes.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/byte_stream.h"
#include "common/status.h"

namespace cairn::s3 {

// The boundary of a "multipart/form-data; boundary=..." Content-Type (quoted or not).
// Errors: kMalformedPostRequest (another type, no boundary, or a boundary over 70 characters).
Result<std::string> FormBoundary(std::string_view content_type);

// What a part's headers say.
struct FormPartHeader {
  std::string name;                     // Content-Disposition's name, as sent
  std::optional<std::string> filename;  // Content-Disposition's filename, when given
  std::string content_type;             // the part's Content-Type; empty when absent
};

class FormDataReader final : public ByteSource {
 public:
  // `body` must outlive the reader.
  FormDataReader(ByteSource& body, std::string_view boundary);
  ~FormDataReader() override;
  FormDataReader(const FormDataReader&) = delete;
  FormDataReader& operator=(const FormDataReader&) = delete;

  // Moves to the next part and reads its headers, skipping what is left of the current part
  // (at most `limit` bytes, the preamble before the first part included). nullopt after the
  // closing delimiter. Errors: kMalformedPostRequest (no delimiter, bad headers, no
  // Content-Disposition form-data name, the body ends early), kMaxPostPreDataExceeded (more
  // than `limit` bytes before the headers end), and the body's read errors.
  Task<Result<std::optional<FormPartHeader>>> NextPart(std::size_t limit);

  // The rest of the current part's body, whole. Errors: kMaxPostPreDataExceeded (more than
  // `limit` bytes), kMalformedPostRequest (the body ends before the part's delimiter).
  Task<Result<std::string>> ReadValue(std::size_t limit);

  // Streams the current part's body; returns 0 at its end (the delimiter). Errors:
  // kMalformedPostRequest (the request body ends before the delimiter), the body's errors.
  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override;

  // Bytes of the request body consumed so far.
  std::size_t consumed() const;

 private:
  // Appends up to one block of the body to pending_. Returns false at the body's end.
  Task<Result<bool>> Fill();
  // Consumes `n` pending bytes.
  void Consume(std::size_t n);

  std::string_view Pending() const { return std::string_view(pending_).substr(pos_); }

  // Reads the header lines of a part after its delimiter line.
  Task<Result<FormPartHeader>> ReadHeaders(std::size_t limit);

  ByteSource& body_;
  std::string delimiter_;  // "\r\n--" + boundary
  std::string pending_;    // bytes read but not consumed start at pos_
  std::size_t pos_ = 0;
  std::size_t consumed_ = 0;
  bool eof_ = false;
  bool in_body_ = false;  // between a part's headers and its delimiter
  bool closed_ = false;   // the closing delimiter was read
};

}  // namespace cairn::s3
