// The S3 XML request bodies (src/s3/xml.h): CompleteMultipartUpload, DeleteObjects and
// CreateBucketConfiguration. Any bytes give a parsed request or MalformedXML, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "s3/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)cairn::s3::ParseCompleteMultipartUpload(xml);
  (void)cairn::s3::ParseDeleteObjects(xml);
  (void)cairn::s3::ParseCreateBucketConfiguration(xml);
  return 0;
}
