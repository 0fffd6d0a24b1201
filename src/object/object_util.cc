#include "object/object_util.h"

#include <array>
#include <chrono>
#include <cstdio>

#include <openssl/rand.h>

#include "common/checksum.h"
#include "meta/encoding.h"

namespace cairn::object {

namespace {

bool IsIpv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = s.find('.', i);
    if (j == std::string_view::npos) {
      j = s.size();
    }
    std::string_view p = s.substr(i, j - i);
    if (p.empty() || p.size() > 3) {
      return false;
    }
    int v = 0;
    for (char c : p) {
      if (c < '0' || c > '9') {
        return false;
      }
      v = v * 10 + (c - '0');
    }
    if (v > 255) {
      return false;
    }
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

bool IsAlnumLower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong encodings, surrogates and code points past U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

Status CheckBucketName(std::string_view b) {
  auto bad = [&](const char* why) { return Status(Errc::kInvalidBucketName, std::string(why)); };
  if (b == kSystemBucket) {
    return Status::Ok();
  }
  if (b.size() < 3 || b.size() > 63) {
    return bad("bucket names are 3 to 63 characters long");
  }
  for (char c : b) {
    if (!IsAlnumLower(c) && c != '.' && c != '-') {
      return bad("bucket names use lowercase letters, digits, '.' and '-'");
    }
  }
  if (!IsAlnumLower(b.front()) || !IsAlnumLower(b.back())) {
    return bad("bucket names start and end with a letter or digit");
  }
  if (b.find("..") != std::string_view::npos || b.find(".-") != std::string_view::npos ||
      b.find("-.") != std::string_view::npos) {
    return bad("bucket names have no adjacent periods or period-dash");
  }
  if (IsIpv4(b)) {
    return bad("bucket names are not IP addresses");
  }
  if (b.starts_with("xn--") || b.starts_with("sthree-")) {
    return bad("reserved bucket name prefix");
  }
  if (b.ends_with("-s3alias") || b.ends_with("--ol-s3")) {
    return bad("reserved bucket name suffix");
  }
  return Status::Ok();
}

Status CheckObjectName(std::string_view key) {
  if (key.empty()) {
    return Status(Errc::kInvalidObjectName, "empty object name");
  }
  if (key.size() > 1024) {
    return Status(Errc::kKeyTooLong, "object names are at most 1024 bytes");
  }
  if (key.find('\0') != std::string_view::npos) {
    return Status(Errc::kInvalidObjectName, "object names contain no NUL byte");
  }
  if (!ValidUtf8(key)) {
    return Status(Errc::kInvalidObjectName, "object names are valid UTF-8");
  }
  return Status::Ok();
}

Status DeleteMarkerError(std::string_view version_id) {
  return Status(version_id.empty() ? Errc::kNoSuchKey : Errc::kVersionIsDeleteMarker,
                "the version is a delete marker");
}

std::string PastPrefix(std::string_view prefix) {
  std::string s(prefix);
  s.append(1025, '\xff');
  return s;
}

std::string NewUuid() {
  std::array<unsigned char, 16> b{};
  RELEASE_ASSERT(RAND_bytes(b.data(), static_cast<int>(b.size())) == 1, "RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return std::string(out, 36);
}

std::string NewVersionId(std::int64_t mod_time_ns) {
  std::uint64_t random = 0;
  RELEASE_ASSERT(RAND_bytes(reinterpret_cast<unsigned char*>(&random), sizeof(random)) == 1,
                 "RAND_bytes failed");
  return meta::NewVersionId(mod_time_ns, random);
}

std::string NewUploadId() {
  std::array<unsigned char, 16> b{};
  RELEASE_ASSERT(RAND_bytes(b.data(), static_cast<int>(b.size())) == 1, "RAND_bytes failed");
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : b) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3F]);
  }
  return out;
}

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t StableHash(std::string_view data) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::vector<std::uint8_t> HashOrder(std::string_view key, int n) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(n));
  if (n <= 0) {
    return out;
  }
  auto start = static_cast<int>(StableHash(key) % static_cast<std::uint64_t>(n));
  for (int i = 0; i < n; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(1 + (start + i) % n);
  }
  return out;
}

std::string_view StripQuotes(std::string_view etag) {
  if (etag.starts_with("W/")) {
    etag.remove_prefix(2);
  }
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

const std::string& FindMeta(const Metadata& md, std::string_view key) {
  static const std::string kEmpty;
  for (const auto& [k, v] : md) {
    if (k == key) {
      return v;
    }
  }
  return kEmpty;
}

void SetMeta(Metadata& md, std::string_view key, std::string value) {
  for (auto& [k, v] : md) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  md.emplace_back(std::string(key), std::move(value));
}

ObjectInfo ToObjectInfo(std::string_view bucket, const meta::FileInfo& fi) {
  ObjectInfo oi;
  oi.bucket = std::string(bucket);
  oi.key = fi.name;
  oi.version_id = fi.version_id;
  oi.delete_marker = fi.deleted;
  oi.is_latest = fi.is_latest || fi.num_versions == 0;
  oi.size = fi.size;
  oi.mod_time_ns = fi.mod_time_ns;
  oi.etag = FindMeta(fi.metadata, "etag");
  oi.content_type = FindMeta(fi.metadata, "content-type");
  oi.metadata = fi.metadata;
  const std::string& sc = FindMeta(fi.metadata, "x-amz-storage-class");
  if (!sc.empty()) {
    oi.storage_class = sc;
  }
  oi.parts.reserve(fi.parts.size());
  for (const auto& p : fi.parts) {
    oi.parts.push_back(PartInfo{p.number, p.etag, p.size, p.mod_time_ns, p.checksums});
  }
  return oi;
}

const std::string& ObjectInfo::Meta(std::string_view key) const {
  return FindMeta(metadata, key);
}

Versioning BucketInfo::versioning() const {
  const std::string& v = Config(bucket_config::kVersioning);
  return v == "Enabled"     ? Versioning::kEnabled
         : v == "Suspended" ? Versioning::kSuspended
                            : Versioning::kUnversioned;
}

const std::string& BucketInfo::Config(std::string_view name) const {
  static const std::string kEmpty;
  auto it = config.find(name);
  return it == config.end() ? kEmpty : it->second;
}

}  // namespace cairn::object
