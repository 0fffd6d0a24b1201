// FakeObjectServer: a tiny in-test HTTP server on Beast, enough of S3 (and of WebDAV) for
// the load generator's smoke tests: buckets, PUT/GET/HEAD/DELETE of objects (sizes only),
// ListObjectsV2 with prefix/start-after/max-keys, DeleteObjects, multipart uploads. In S3
// mode every request must carry a valid SigV4 signature (checked with auth::Authenticate),
// and server-side encryption headers are checked as S3 does: SSE-S3/KMS only on PUT and
// CreateMultipartUpload, a valid SSE-C triple, and an SSE-C object's (or upload's) key on
// its GET, HEAD and UploadPart.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace cairn::loadgen::testing {

class FakeObjectServer {
 public:
  // `s3`: verify signatures for `access_key`/`secret_key`; otherwise plain HTTP.
  FakeObjectServer(bool s3, std::string access_key = "", std::string secret_key = "");
  ~FakeObjectServer();

  std::uint16_t port() const;

  struct Counters {
    std::uint64_t requests = 0;
    std::uint64_t connections = 0;
    std::uint64_t auth_failures = 0;
    std::map<std::string, std::uint64_t> by_method;
    // Object PUTs and CreateMultipartUploads by the encryption they asked for: "none",
    // "AES256", "aws:kms", "aws:kms key=<id>", "SSE-C".
    std::map<std::string, std::uint64_t> writes_by_sse;
    std::uint64_t sse_c_reads = 0;  // GET, HEAD and UploadPart of SSE-C data, with its key
    std::uint64_t sse_errors = 0;   // requests refused for their SSE headers
  };

  Counters counters() const;
  // Objects that exist now (path -> size), buckets that exist, multipart uploads open.
  std::map<std::string, std::uint64_t> objects() const;
  std::set<std::string> buckets() const;
  std::size_t open_uploads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::loadgen::testing
