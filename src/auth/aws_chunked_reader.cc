// AwsChunkedReader: decodes and verifies aws-chunked bodies as they stream (see signature.h
// for the order in which bytes are released and signatures checked).
#include <algorithm>
#include <cstring>

#include "auth/canonical.h"
#include "auth/crypto.h"
#include "auth/signature.h"
#include "common/text.h"

namespace cairn::auth {
namespace {

constexpr std::size_t kReadAhead = 64 * 1024;
// Reads at least this large go straight from the raw stream into the caller's buffer.
constexpr std::size_t kDirectRead = 16 * 1024;

bool IsLowerHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status Malformed(std::string message) {
  return Status(Errc::kMalformedChunk, std::move(message));
}

Status Truncated() {
  return Status(Errc::kIncompleteBody, "the aws-chunked body ended early");
}

std::vector<std::string> SplitNames(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string name = AsciiLower(internal::Trim(list.substr(0, comma)));
    if (!name.empty()) {
      out.push_back(std::move(name));
    }
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

}  // namespace

struct AwsChunkedReader::State {
  enum class Phase { kHeader, kData, kDone };

  State(ByteSource& raw_source, const AuthResult& auth)
      : raw(raw_source),
        kind(auth.payload),
        signing_key(auth.signing_key),
        scope(auth.scope),
        amz_date(auth.amz_date),
        prev_signature(auth.seed_signature),
        expected_total(auth.decoded_content_length),
        declared(SplitNames(auth.declared_trailers)),
        buf(kReadAhead) {}

  bool Signed() const { return kind != PayloadKind::kStreamingUnsignedTrailer; }

  bool HasTrailers() const { return kind != PayloadKind::kStreamingSigned; }

  std::size_t Buffered() const { return end - pos; }

  // Reads more raw bytes behind the buffered ones.
  Task<Status> Fill() {
    if (pos > 0) {
      std::memmove(buf.data(), buf.data() + pos, end - pos);
      end -= pos;
      pos = 0;
    }
    auto r = co_await raw.Read(std::span<std::byte>(buf.data() + end, buf.size() - end));
    if (!r.ok()) {
      co_return r.status();
    }
    raw_eof = *r == 0;
    end += *r;
    co_return Status::Ok();
  }

  // One CRLF-terminated line, without the CRLF. nullopt: the stream ended exactly at the
  // start of the line and `eof_ok`.
  Task<Result<std::optional<std::string>>> ReadLine(bool eof_ok) {
    std::size_t scanned = 0;
    while (true) {
      auto* first = reinterpret_cast<const char*>(buf.data()) + pos;
      const char* nl =
          static_cast<const char*>(std::memchr(first + scanned, '\n', end - pos - scanned));
      if (nl != nullptr) {
        std::size_t len = static_cast<std::size_t>(nl - first);
        if (len + 1 > kMaxLineLength) {
          co_return Malformed("aws-chunked line too long");
        }
        if (len == 0 || first[len - 1] != '\r') {
          co_return Malformed("aws-chunked line must end with CRLF");
        }
        std::string line(first, len - 1);
        pos += len + 1;
        co_return std::optional<std::string>(std::move(line));
      }
      scanned = Buffered();
      if (scanned >= kMaxLineLength) {
        co_return Malformed("aws-chunked line too long");
      }
      if (raw_eof) {
        if (scanned == 0 && eof_ok) {
          co_return std::optional<std::string>();
        }
        co_return Truncated();
      }
      CO_RETURN_IF_ERROR(co_await Fill());
    }
  }

  // "<hex-size>[;chunk-signature=<sig>]": sets remaining and chunk_signature.
  Status ParseChunkHeader(std::string_view line) {
    std::size_t semi = line.find(';');
    std::string_view hex = line.substr(0, semi);
    if (hex.empty() || hex.size() > 16) {
      return Malformed("bad aws-chunked chunk size");
    }
    std::uint64_t size = 0;
    for (char c : hex) {
      const int v = HexDigitValue(c);
      if (v < 0) {
        return Malformed("bad aws-chunked chunk size");
      }
      size = size * 16 + static_cast<std::uint64_t>(v);
      if (size > kMaxChunkSize) {
        return Malformed("aws-chunked chunk larger than 16 MiB");
      }
    }
    if (Signed()) {
      constexpr std::string_view kPrefix = ";chunk-signature=";
      std::string_view ext = semi == std::string_view::npos ? "" : line.substr(semi);
      if (!ext.starts_with(kPrefix) || !IsLowerHex64(ext.substr(kPrefix.size()))) {
        return Malformed("aws-chunked chunk without a valid chunk-signature");
      }
      chunk_signature = std::string(ext.substr(kPrefix.size()));
    }
    remaining = size;
    return Status::Ok();
  }

  Status VerifyChunk() {
    if (!Signed()) {
      return Status::Ok();
    }
    std::string expected =
        ChunkSignature(signing_key, amz_date, scope, prev_signature, sha.FinishHex());
    if (!internal::ConstantTimeEqual(expected, chunk_signature)) {
      return Status(Errc::kInvalidChunkSignature, "aws-chunked chunk signature does not match");
    }
    prev_signature = std::move(expected);
    return Status::Ok();
  }

  // The CRLF behind a chunk's data, then its signature.
  Task<Status> FinishChunk() {
    while (Buffered() < 2 && !raw_eof) {
      CO_RETURN_IF_ERROR(co_await Fill());
    }
    if (Buffered() < 2) {
      co_return Truncated();
    }
    auto* p = reinterpret_cast<const char*>(buf.data()) + pos;
    if (p[0] != '\r' || p[1] != '\n') {
      co_return Malformed("aws-chunked data not followed by CRLF");
    }
    pos += 2;
    co_return VerifyChunk();
  }

  // Trailer lines up to the empty line; x-amz-trailer-signature closes them when signed.
  Task<Status> ReadTrailers() {
    // The signature is over "name:value\n" lines: canonical (lowercase name, trimmed value)
    // as AWS specifies, or the lines exactly as sent, which is what MinIO hashes.
    std::string canonical;
    std::string as_sent;
    bool signature_seen = false;
    bool at_eof = false;  // the stream ended where a trailer line or the closing CRLF goes
    while (true) {
      CO_ASSIGN_OR_RETURN(std::optional<std::string> line, co_await ReadLine(true));
      if (!line) {
        at_eof = true;
        break;
      }
      if (line->empty()) {
        break;
      }
      std::size_t colon = line->find(':');
      if (colon == std::string::npos || colon == 0 || signature_seen) {
        co_return Malformed("bad aws-chunked trailer line");
      }
      std::string name = AsciiLower(internal::Trim(line->substr(0, colon)));
      std::string value(internal::Trim(std::string_view(*line).substr(colon + 1)));
      if (name == "x-amz-trailer-signature") {
        if (!Signed() || !IsLowerHex64(value)) {
          co_return Malformed("bad x-amz-trailer-signature");
        }
        std::string expected =
            TrailerSignature(signing_key, amz_date, scope, prev_signature, canonical);
        if (!internal::ConstantTimeEqual(expected, value) &&
            !internal::ConstantTimeEqual(
                TrailerSignature(signing_key, amz_date, scope, prev_signature, as_sent), value)) {
          co_return Status(Errc::kInvalidChunkSignature,
                           "aws-chunked trailer signature does not match");
        }
        signature_seen = true;
        continue;
      }
      if (trailers.size() >= kMaxTrailers) {
        co_return Malformed("too many aws-chunked trailers");
      }
      if (!declared.empty() &&
          std::find(declared.begin(), declared.end(), name) == declared.end()) {
        co_return Malformed("trailer '" + name + "' was not declared in x-amz-trailer");
      }
      canonical += name + ":" + value + "\n";
      as_sent += *line + "\n";
      trailers.emplace_back(std::move(name), std::move(value));
    }
    // A missing closing CRLF is tolerated, but not a stream cut before what it must carry.
    if (Signed() && !signature_seen) {
      co_return at_eof ? Truncated() : Malformed("aws-chunked trailers without a signature");
    }
    for (const auto& name : declared) {
      if (!internal::HeaderValue(trailers, name)) {
        co_return at_eof ? Truncated() : Malformed("declared trailer '" + name + "' is missing");
      }
    }
    co_return Status::Ok();
  }

  // The 0-size chunk was parsed: verify it and read what follows it.
  Task<Status> FinishStream() {
    CO_RETURN_IF_ERROR(VerifyChunk());
    if (HasTrailers()) {
      CO_RETURN_IF_ERROR(co_await ReadTrailers());
    } else {
      CO_ASSIGN_OR_RETURN(std::optional<std::string> line, co_await ReadLine(false));
      if (!line->empty()) {
        co_return Malformed("unexpected bytes after the final aws-chunked chunk");
      }
    }
    if (expected_total >= 0 && total != static_cast<std::uint64_t>(expected_total)) {
      co_return Status(Errc::kIncompleteBody,
                       "aws-chunked body length differs from x-amz-decoded-content-length");
    }
    // Nothing may follow the stream's end: bytes after it (a Content-Length longer than the
    // encoded stream) are unsigned data the client did not mean as part of the object.
    if (Buffered() == 0 && !raw_eof) {
      CO_RETURN_IF_ERROR(co_await Fill());
    }
    if (Buffered() != 0) {
      co_return Malformed("unexpected bytes after the end of the aws-chunked stream");
    }
    phase = Phase::kDone;
    co_return Status::Ok();
  }

  // Parses the next chunk header: the stream goes on with its data, or ends (0-size chunk).
  Task<Status> NextHeader() {
    CO_ASSIGN_OR_RETURN(std::optional<std::string> line, co_await ReadLine(false));
    CO_RETURN_IF_ERROR(ParseChunkHeader(*line));
    if (remaining == 0) {
      co_return co_await FinishStream();
    }
    phase = Phase::kData;
    co_return Status::Ok();
  }

  Task<Result<std::size_t>> DoRead(std::span<std::byte> out) {
    std::size_t n = 0;
    while (n < out.size()) {
      if (phase == Phase::kDone) {
        break;
      }
      if (phase == Phase::kHeader) {
        CO_RETURN_IF_ERROR(co_await NextHeader());
        continue;
      }
      // kData: copy what is buffered; read from the wire only when nothing was delivered yet.
      std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining, out.size() - n));
      std::size_t took = 0;
      if (Buffered() > 0) {
        took = std::min(want, Buffered());
        std::memcpy(out.data() + n, buf.data() + pos, took);
        pos += took;
      } else if (n > 0) {
        break;
      } else if (raw_eof) {
        co_return Truncated();
      } else if (want >= kDirectRead) {
        CO_ASSIGN_OR_RETURN(took, co_await raw.Read(out.subspan(n, want)));
        if (took == 0) {
          raw_eof = true;
          co_return Truncated();
        }
      } else {
        CO_RETURN_IF_ERROR(co_await Fill());
        continue;
      }
      if (Signed()) {
        sha.Update(out.data() + n, took);
      }
      n += took;
      remaining -= took;
      total += took;
      if (expected_total >= 0 && total > static_cast<std::uint64_t>(expected_total)) {
        co_return Status(Errc::kIncompleteBody,
                         "aws-chunked body longer than x-amz-decoded-content-length");
      }
      if (remaining == 0) {
        // Verify the chunk before its last bytes leave this call, then look at the next
        // chunk header so the end of the stream (final chunk, trailers) is checked too.
        CO_RETURN_IF_ERROR(co_await FinishChunk());
        CO_RETURN_IF_ERROR(co_await NextHeader());
      }
    }
    co_return n;
  }

  ByteSource& raw;
  PayloadKind kind;
  std::string signing_key;
  std::string scope;
  std::string amz_date;
  std::string prev_signature;
  std::int64_t expected_total;
  std::vector<std::string> declared;  // x-amz-trailer names, lowercase
  std::vector<std::byte> buf;         // raw read-ahead: [pos, end) not consumed yet
  std::size_t pos = 0;
  std::size_t end = 0;
  bool raw_eof = false;
  Phase phase = Phase::kHeader;
  std::uint64_t remaining = 0;  // data bytes left in the current chunk
  std::string chunk_signature;
  internal::Sha256Stream sha;
  std::uint64_t total = 0;
  HeaderList trailers;
  Status error;  // sticky
};

AwsChunkedReader::AwsChunkedReader(ByteSource& raw, const AuthResult& auth)
    : state_(std::make_unique<State>(raw, auth)) {}

AwsChunkedReader::~AwsChunkedReader() = default;

Task<Result<std::size_t>> AwsChunkedReader::Read(std::span<std::byte> buf) {
  if (!state_->error.ok()) {
    co_return state_->error;
  }
  if (buf.empty()) {
    co_return std::size_t{0};
  }
  Result<std::size_t> r = co_await state_->DoRead(buf);
  if (!r.ok()) {
    state_->error = r.status();
  }
  co_return r;
}

const HeaderList& AwsChunkedReader::trailers() const {
  return state_->trailers;
}

}  // namespace cairn::auth
