// POST Object's parsers on arbitrary input: the streaming multipart/form-data reader
// (src/s3/form_data_reader.h), walked as the middleware walks a form, read in pieces whose
// sizes come from the input, and the POST policy (src/auth/post_policy.h), parsed and checked
// against fields from the input. Each must end in a value or an error, within its limits.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "auth/post_policy.h"
#include "s3/form_data_reader.h"
#include "testing/string_source.h"
#include "testing/sync_wait.h"

namespace {

constexpr std::size_t kLimit = 20 * 1024;

cairn::Task<void> Walk(cairn::s3::FormDataReader& reader, std::size_t read_size) {
  std::vector<std::byte> buf(read_size);
  for (int part = 0; part < 64; ++part) {
    auto header = co_await reader.NextPart(kLimit);
    if (!header.ok() || !*header) {
      co_return;
    }
    if ((*header)->name == "file") {
      for (int i = 0; i < 1 << 16; ++i) {
        auto n = co_await reader.Read(buf);
        if (!n.ok() || *n == 0) {
          break;
        }
      }
      continue;
    }
    auto value = co_await reader.ReadValue(kLimit);
    if (!value.ok()) {
      co_return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeBool()) {
    const std::string content_type = in.ConsumeRandomLengthString(128);
    (void)cairn::s3::FormBoundary(content_type);
    const auto step = in.ConsumeIntegralInRange<std::size_t>(1, 4096);
    const auto read_size = in.ConsumeIntegralInRange<std::size_t>(1, 1 << 16);
    cairn::testing::StringSource body(in.ConsumeRemainingBytesAsString(), step);
    cairn::s3::FormDataReader reader(body, "b");
    cairn::testing::SyncWait(Walk(reader, read_size));
    return 0;
  }
  cairn::auth::FormFields fields;
  const int count = in.ConsumeIntegralInRange(0, 4);
  for (int i = 0; i < count; ++i) {
    fields.emplace_back(in.ConsumeRandomLengthString(16), in.ConsumeRandomLengthString(32));
  }
  auto policy = cairn::auth::ParsePostPolicy(in.ConsumeRemainingBytesAsString());
  if (policy.ok()) {
    (void)cairn::auth::CheckPostPolicy(*policy, fields, "bucket",
                                       std::chrono::system_clock::time_point());
  }
  return 0;
}
