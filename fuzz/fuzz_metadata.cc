// The per-drive metadata decoders (src/meta/encoding.h) on arbitrary bytes, as a corrupt or
// hostile drive would hold them. Half the inputs are framed with valid checksums around
// fuzzed records (the frame is "CRNE", format, flags, varint count, str records, xxhash64 of
// all that, inline data, xxhash64 of the data), so the record parser is reached rather than
// stopped at the checksum. A decoded entry re-encodes to something that decodes again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

#include "meta/encoding.h"
#include "meta/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn::meta;
  FuzzedDataProvider in(data, size);
  std::string bytes;
  if (in.ConsumeBool()) {
    const auto count = in.ConsumeIntegralInRange<std::uint64_t>(0, 8);
    const std::string records = in.ConsumeRandomLengthString(4096);
    const std::string inline_data = in.ConsumeRemainingBytesAsString();
    WireWriter w(bytes);
    w.Bytes("CRNE");
    w.U8(kEntryFormatVersion);
    w.U8(0);
    w.Varint(count);
    w.Str(records);
    w.Fixed64(XxHash64(bytes));
    w.Bytes(inline_data);
    w.Fixed64(XxHash64(inline_data));
  } else {
    bytes = in.ConsumeRemainingBytesAsString();
  }
  auto versions = DecodeVersions(bytes, true);
  if (versions.ok()) {
    auto again = DecodeVersions(EncodeVersions(*versions), true);
    if (!again.ok() || again->size() != versions->size()) {
      std::abort();  // what was decoded must encode to something decodable
    }
  }
  (void)DecodeVersions(bytes, false);
  (void)DecodeLatest(bytes, true);
  if (versions.ok() && !versions->empty()) {
    (void)DecodeVersion(bytes, versions->back().version_id, true);
  }
  (void)DecodeEntryView(bytes);
  (void)DecodePart(bytes);
  return 0;
}
