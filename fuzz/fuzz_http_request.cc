// The HTTP/1.1 request parser (src/http/request_parser.h) on arbitrary bytes, fed in pieces
// whose sizes come from the input, as a slow or hostile client sends them: it must end in a
// parsed request or an error, within its header limit, without reading out of bounds.
#include <array>
#include <cstddef>
#include <cstdint>

#include <fuzzer/FuzzedDataProvider.h>

#include "http/request_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto header_limit = in.ConsumeIntegralInRange<std::uint32_t>(64, 16 << 10);
  const auto piece = in.ConsumeIntegralInRange<std::size_t>(1, 512);
  const std::string wire = in.ConsumeRemainingBytesAsString();

  cairn::http::Request request;
  cairn::http::internal::RequestParser parser(request, header_limit);
  std::array<std::byte, 1024> body{};
  std::size_t pos = 0;
  std::string pending;  // fed but not yet used: Beast wants it again with the next bytes
  bool starved = true;
  for (std::size_t round = 0; round < 4 * wire.size() + 16 && !parser.is_done(); ++round) {
    if (starved) {
      if (pos >= wire.size()) {
        break;
      }
      pending.append(wire, pos, piece);
      pos += piece;
    }
    parser.SetBodyTarget(body);  // the body buffer is emptied each round
    boost::system::error_code ec;
    const std::size_t used = parser.Put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    if (ec && ec != boost::beast::http::error::need_more &&
        ec != boost::beast::http::error::need_buffer) {
      break;
    }
    starved = ec == boost::beast::http::error::need_more || used == 0;
    if (parser.is_header_done()) {
      (void)parser.KeepAlive();
      (void)parser.declared_length();
      (void)request.Header("host");
    }
  }
  return 0;
}
