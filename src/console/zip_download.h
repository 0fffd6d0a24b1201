// The console's "download as zip": the objects the browser picked (and everything under the
// folders it picked), read through the S3 API as the session's user, one GET each, streamed
// into a ZIP archive as they arrive (zip_writer.h). An object the user may not read, or that
// went away meanwhile, is left out and named in cairn-zip-errors.txt at the end.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/task.h"
#include "console/session.h"
#include "http/exchange.h"

namespace cairn::console {

struct ZipRequest {
  std::string bucket;
  std::string prefix;             // the folder the browser shows: names are relative to it
  std::vector<std::string> keys;  // objects, and folders ending in '/'
  std::size_t max_objects = 100000;
};

// Answers `ex` with the archive (chunked; errors before the first byte as JSON).
Task<void> ServeZip(http::Exchange& ex, const Session& s, const ZipRequest& req,
                    const http::Handler& s3, const std::string& region,
                    const std::function<std::chrono::system_clock::time_point()>& now);

}  // namespace cairn::console
