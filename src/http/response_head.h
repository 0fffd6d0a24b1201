// Internal to src/http: serializing a response header into a reused string. The server owns
// the framing headers (Content-Length, Transfer-Encoding, Connection); a handler's copies of
// them are dropped, and CR/LF inside names or values are replaced so that no handler input
// can split the response.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/exchange.h"

namespace cairn::http::internal {

// "OK", "Not Found", ...; "Unknown" for codes without a standard phrase.
std::string_view ReasonPhrase(int status);
// "HTTP/1.1 <status> <reason>\r\n".
void AppendStatusLine(std::string& out, int status);
// The handler's headers except the framing ones, then Date and "Server: cairn" unless the
// handler gave its own.
void AppendHeaders(std::string& out, const Headers& headers);
// The value of a Content-Length header the handler gave, when it is a valid number.
std::optional<std::uint64_t> FindContentLength(const Headers& headers);
void AppendDecimal(std::string& out, std::uint64_t v);
void AppendHex(std::string& out, std::uint64_t v);
// "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", formatted at most once per second per thread.
void AppendDate(std::string& out);

}  // namespace cairn::http::internal
