#include "console/assets.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/checksum.h"

namespace cairn::console {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxTotal = 64u << 20;

bool HasIndex(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "index.html", ec);
}

}  // namespace

std::string ContentTypeFor(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") {
    return "text/html; charset=utf-8";
  }
  if (ext == "js" || ext == "mjs") {
    return "application/javascript; charset=utf-8";
  }
  if (ext == "css") {
    return "text/css; charset=utf-8";
  }
  if (ext == "svg") {
    return "image/svg+xml";
  }
  if (ext == "png") {
    return "image/png";
  }
  if (ext == "ico") {
    return "image/x-icon";
  }
  if (ext == "json" || ext == "map") {
    return "application/json";
  }
  if (ext == "woff2") {
    return "font/woff2";
  }
  if (ext == "txt") {
    return "text/plain; charset=utf-8";
  }
  return "application/octet-stream";
}

Result<Assets> Assets::Load(const std::string& dir) {
  const fs::path root(dir);
  if (!HasIndex(root)) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("{} holds no index.html (scripts/build-console.sh builds it)", dir));
  }
  Assets out;
  std::uintmax_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().filename().string().starts_with('.')) {
      continue;  // build stamps (.cairn-build) are not served
    }
    total += it->file_size(ec);
    if (total > kMaxTotal) {
      return Status(Errc::kInvalidArgument, fmt::format("{} holds more than 64 MiB", dir));
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) {
      return Status(Errc::kInvalidArgument, fmt::format("cannot read {}", it->path().string()));
    }
    // Appended, not "/" + ...: GCC 12 -O3 warns (-Wrestrict) on a literal + an rvalue string.
    std::string rel = "/";
    rel += fs::relative(it->path(), root, ec).generic_string();
    Asset a;
    a.body = std::move(body).str();
    a.content_type = ContentTypeFor(rel);
    a.etag = fmt::format("\"{}\"", HexEncode(Sha256(a.body)).substr(0, 32));
    a.immutable = rel.starts_with("/assets/");
    out.files_.emplace(rel, std::move(a));
  }
  if (ec) {
    return Status(Errc::kInvalidArgument, fmt::format("cannot list {}: {}", dir, ec.message()));
  }
  return out;
}

const Asset* Assets::Find(std::string_view url_path) const {
  if (url_path.find("..") != std::string_view::npos ||
      url_path.find("//") != std::string_view::npos ||
      url_path.find('\\') != std::string_view::npos) {
    return nullptr;
  }
  const auto it = files_.find(url_path);
  return it == files_.end() ? nullptr : &it->second;
}

std::string FindAssetsDir(std::string_view configured, std::string_view binary_path) {
  if (!configured.empty()) {
    return std::string(configured);
  }
  std::error_code ec;
  const fs::path bin = fs::weakly_canonical(fs::path(binary_path), ec);
  if (ec || binary_path.empty()) {
    return "";
  }
  const fs::path dir = bin.parent_path();
  for (const fs::path& candidate : {dir / "console", dir / ".." / "console" / "dist",
                                    dir / ".." / "share" / "cairn" / "console"}) {
    if (HasIndex(candidate)) {
      return fs::weakly_canonical(candidate, ec).string();
    }
  }
  return "";
}

}  // namespace cairn::console
