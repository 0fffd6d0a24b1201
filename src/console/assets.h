// The console's front end: the files the build (scripts/build-console.sh: Vite, from
// console/) wrote to console/dist, read once into memory at start (a few hundred KiB) and
// served from there: content type, a strong ETag, immutable caching for the hashed files
// under /assets/, revalidation for index.html.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::console {

struct Asset {
  std::string body;
  std::string content_type;
  std::string etag;        // "\"<hex sha-256 prefix>\""
  bool immutable = false;  // a content-hashed file (under /assets/): cached for a year
};

class Assets {
 public:
  // Every regular file under `dir` (at most 64 MiB in all). Errors: kInvalidArgument (no
  // index.html there, unreadable, too large).
  static Result<Assets> Load(const std::string& dir);

  // The file at a URL path ("/index.html", "/assets/index-3f2a.js"), or nullptr. Paths with
  // "..", "//" or a backslash find nothing.
  const Asset* Find(std::string_view url_path) const;

  const Asset* Index() const { return Find("/index.html"); }

  bool empty() const { return files_.empty(); }

  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, Asset, std::less<>> files_;
};

// By extension: text/html; charset=utf-8, application/javascript, text/css, image/svg+xml, ...
std::string ContentTypeFor(std::string_view path);

// Where the console's files are: `configured` (--console-dir or CAIRN_CONSOLE_DIR) when not
// empty; else the first of <binary's dir>/console, <binary's dir>/../console/dist (a build
// directory of a clone), <binary's dir>/../share/cairn/console (installed) that holds an
// index.html; "" when none does.
std::string FindAssetsDir(std::string_view configured, std::string_view binary_path);

}  // namespace cairn::console
