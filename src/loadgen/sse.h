// The server-side encryption headers of `cairn bench --sse`. SSE-S3 and SSE-KMS are asked
// for on the writes only (S3 refuses x-amz-server-side-encryption on a read); SSE-C sends
// its key on the writes and on every GET, HEAD and UploadPart, as S3 requires.
#pragma once

#include <vector>

#include "common/status.h"
#include "loadgen/bench.h"
#include "loadgen/signer.h"

namespace cairn::loadgen {

struct SseHeaders {
  std::vector<SignedHeader> write;  // PutObject, CreateMultipartUpload
  std::vector<SignedHeader> read;   // GetObject, HeadObject, UploadPart (SSE-C only)
};

// The headers for cfg.sse, cfg.sse_kms_key_id and cfg.sse_c_key, each list sorted by name
// (as FastSigner::Sign takes them); both empty for Sse::kNone. Errors: kInvalidArgument (a
// KMS key id without kKms, an SSE-C key without kC or that is not base64 of 32 bytes).
Result<SseHeaders> MakeSseHeaders(const BenchConfig& cfg);

}  // namespace cairn::loadgen
