// The bucket configuration documents (src/s3/cors.h, src/s3/lifecycle_xml.h): any bytes give a
// configuration or an S3 error, never a crash; an accepted one renders to a document that
// parses back to the same rendering, and matching and evaluation run on it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "object/lifecycle.h"
#include "s3/cors.h"
#include "s3/lifecycle_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace lc = cairn::object::lifecycle;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  if (auto cors = cairn::s3::ParseCorsConfiguration(xml); cors.ok()) {
    const std::string doc = cairn::s3::RenderCorsConfiguration(*cors);
    auto again = cairn::s3::ParseCorsConfiguration(doc);
    if (!again.ok() || cairn::s3::RenderCorsConfiguration(*again) != doc) {
      std::abort();
    }
    const std::vector<std::string> headers = {"content-type", "x-amz-date"};
    if (const auto* rule = cairn::s3::MatchCorsRule(*cors, "http://a.example", "GET", headers)) {
      (void)cairn::s3::CorsResponseHeaders(*rule, "http://a.example", headers, true);
    }
  }
  if (auto config = cairn::s3::ParseLifecycleConfiguration(xml); config.ok()) {
    const std::string doc = cairn::s3::RenderLifecycleConfiguration(*config);
    auto again = cairn::s3::ParseLifecycleConfiguration(doc);
    if (!again.ok() || cairn::s3::RenderLifecycleConfiguration(*again) != doc) {
      std::abort();
    }
    lc::VersionFacts v;
    v.key = "logs/a";
    v.size = 100;
    v.tags = {{"k", "v"}};
    (void)lc::NextAction(*config, v, lc::kDefaultDaySeconds);
    (void)lc::UploadAbortion(*config, v.key, 0, 10);
  }
  return 0;
}
