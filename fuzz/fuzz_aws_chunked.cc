// The aws-chunked body decoder (AwsChunkedReader, src/auth/signature.h) on arbitrary bodies,
// for each streaming kind, read in pieces whose sizes come from the input: it must end in the
// declared bytes or an error, buffer at most one line, and never read out of bounds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "auth/canonical.h"
#include "auth/signature.h"
#include "testing/string_source.h"
#include "testing/sync_wait.h"

namespace {

cairn::Task<void> Drain(cairn::ByteSource& reader, std::size_t read_size) {
  std::vector<std::byte> buf(read_size);
  for (int i = 0; i < 1 << 16; ++i) {
    auto n = co_await reader.Read(buf);
    if (!n.ok() || *n == 0) {
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn::auth;
  using namespace cairn::auth::internal;
  FuzzedDataProvider in(data, size);
  AuthResult auth;
  auth.payload =
      in.PickValueInArray({PayloadKind::kStreamingSigned, PayloadKind::kStreamingSignedTrailer,
                           PayloadKind::kStreamingUnsignedTrailer});
  auth.signing_key =
      SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
  auth.scope = "20130524/us-east-1/s3/aws4_request";
  auth.amz_date = "20130524T000000Z";
  auth.seed_signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  auth.decoded_content_length =
      in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-1, 1 << 20) : -1;
  if (in.ConsumeBool()) {
    auth.declared_trailers =
        in.PickValueInArray({"x-amz-checksum-crc32", "x-amz-checksum-crc32c",
                             "x-amz-checksum-sha256", "x-amz-checksum-crc64nvme"});
  }
  const auto step = in.ConsumeIntegralInRange<std::size_t>(1, 4096);
  const auto read_size = in.ConsumeIntegralInRange<std::size_t>(1, 1 << 16);
  cairn::testing::StringSource raw(in.ConsumeRemainingBytesAsString(), step);
  AwsChunkedReader reader(raw, auth);
  cairn::testing::SyncWait(Drain(reader, read_size));
  (void)reader.trailers();
  return 0;
}
