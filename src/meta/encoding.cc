#include "meta/encoding.h"

#include <algorithm>
#include <utility>

namespace cairn::meta {
namespace {

constexpr std::string_view kEntryMagic = "CRNE";
constexpr std::string_view kPartMagic = "CRNP";
constexpr std::uint8_t kPartFormatVersion = 1;
constexpr std::uint8_t kFlagDeleted = 1;
constexpr std::uint8_t kFlagInline = 2;
// magic + format version + reserved flags byte.
constexpr std::size_t kPreambleSize = 6;
// The smallest version record: a length byte and 20 bytes of fields (empty strings, zero
// counts). Bounds the version count by the bytes present before anything is allocated.
constexpr std::uint64_t kMinRecordSize = 21;

Status Corrupt(std::string_view what) {
  return Status(Errc::kFileCorrupt, "metadata entry: " + std::string(what));
}

// The parsed frame of an entry: records still encoded, data section located.
struct Frame {
  std::uint64_t num_versions = 0;
  std::uint64_t noncurrent = 0;  // versions kept outside the entry (format 2)
  std::string_view records;
  std::string_view data;  // the concatenated inline payloads
  std::uint64_t data_checksum = 0;
};

Result<Frame> ParseFrame(std::string_view bytes, bool verify_data) {
  if (bytes.size() < kPreambleSize + 2 + 16 || bytes.substr(0, 4) != kEntryMagic) {
    return Corrupt("bad magic or too short");
  }
  const auto format = static_cast<std::uint8_t>(bytes[4]);
  if (format != kEntryFormatVersion && format != kEntryFormatVersionNoncurrent) {
    return Corrupt("unsupported format version " + std::to_string(format));
  }
  Frame f;
  WireReader r(bytes.substr(kPreambleSize));
  std::uint64_t records_len = 0;
  if (!r.Varint(f.num_versions) ||
      (format == kEntryFormatVersionNoncurrent && !r.Varint(f.noncurrent)) ||
      f.noncurrent > UINT32_MAX || !r.Varint(records_len) || records_len > r.remaining() ||
      f.num_versions > records_len / kMinRecordSize || !r.Bytes(records_len, f.records)) {
    return Corrupt("bad header");
  }
  std::size_t header_end = kPreambleSize + r.position();
  std::uint64_t meta_sum = 0;
  if (!r.Fixed64(meta_sum) || r.remaining() < 8) {
    return Corrupt("truncated");
  }
  if (meta_sum != XxHash64(bytes.substr(0, header_end))) {
    return Corrupt("header checksum mismatch");
  }
  std::string_view rest = r.rest();
  f.data = rest.substr(0, rest.size() - 8);
  WireReader tail(rest.substr(rest.size() - 8));
  (void)tail.Fixed64(f.data_checksum);
  if (verify_data && f.data_checksum != XxHash64(f.data)) {
    return Corrupt("inline data checksum mismatch");
  }
  return f;
}

bool ReadPairs(WireReader& r, std::vector<std::pair<std::string, std::string>>& out) {
  std::uint64_t n = 0;
  if (!r.Count(n, 2)) {
    return false;
  }
  out.resize(n);
  for (auto& [k, v] : out) {
    if (!r.Str(k) || !r.Str(v)) {
      return false;
    }
  }
  return true;
}

void WritePairs(WireWriter& w, const std::vector<std::pair<std::string, std::string>>& pairs) {
  w.Varint(pairs.size());
  for (const auto& [k, v] : pairs) {
    w.Str(k);
    w.Str(v);
  }
}

void WriteRecord(WireWriter& w, const FileInfo& fi, std::size_t inline_len, std::string& scratch) {
  scratch.clear();
  WireWriter rec(scratch);
  std::uint8_t flags = (fi.deleted ? kFlagDeleted : 0) | (fi.is_inline ? kFlagInline : 0);
  rec.U8(flags);
  rec.Str(fi.version_id);
  rec.Str(fi.data_dir);
  rec.Fixed64(static_cast<std::uint64_t>(fi.mod_time_ns));
  rec.Signed(fi.size);
  WritePairs(rec, fi.metadata);
  rec.Varint(fi.parts.size());
  std::string part_buf;
  for (const auto& part : fi.parts) {
    part_buf.clear();
    WireWriter pw(part_buf);
    WritePart(pw, part);
    rec.Str(part_buf);
  }
  rec.U8(fi.erasure.data_blocks);
  rec.U8(fi.erasure.parity_blocks);
  rec.Varint(fi.erasure.block_size);
  rec.U8(fi.erasure.index);
  rec.Str(std::string_view(reinterpret_cast<const char*>(fi.erasure.distribution.data()),
                           fi.erasure.distribution.size()));
  rec.Varint(inline_len);
  w.Str(scratch);
}

// Parses one length-prefixed version record. Bytes after the known fields are ignored, so
// a newer writer may append fields.
bool ReadRecord(WireReader& records, FileInfo& fi, std::uint64_t& inline_len) {
  std::string_view body;
  if (!records.Str(body)) {
    return false;
  }
  WireReader r(body);
  std::uint8_t flags = 0;
  std::uint64_t mod_time = 0;
  if (!r.U8(flags) || !r.Str(fi.version_id) || !r.Str(fi.data_dir) || !r.Fixed64(mod_time) ||
      !r.Signed(fi.size) || !ReadPairs(r, fi.metadata)) {
    return false;
  }
  fi.deleted = (flags & kFlagDeleted) != 0;
  fi.is_inline = (flags & kFlagInline) != 0;
  fi.mod_time_ns = static_cast<std::int64_t>(mod_time);
  std::uint64_t num_parts = 0;
  if (!r.Count(num_parts, 1)) {
    return false;
  }
  fi.parts.resize(num_parts);
  for (auto& part : fi.parts) {
    std::string_view part_body;
    if (!r.Str(part_body)) {
      return false;
    }
    WireReader pr(part_body);
    if (!ReadPart(pr, part)) {
      return false;
    }
  }
  std::uint64_t block_size = 0;
  std::string_view dist;
  if (!r.U8(fi.erasure.data_blocks) || !r.U8(fi.erasure.parity_blocks) || !r.Varint(block_size) ||
      block_size > UINT32_MAX || !r.U8(fi.erasure.index) || !r.Str(dist) || !r.Varint(inline_len)) {
    return false;
  }
  fi.erasure.block_size = static_cast<std::uint32_t>(block_size);
  fi.erasure.distribution.assign(dist.begin(), dist.end());
  return true;
}

std::string Encode(std::span<const FileInfo> versions, std::span<const std::string_view> data,
                   std::uint64_t noncurrent) {
  std::string records;
  std::string scratch;
  std::size_t data_len = 0;
  {
    WireWriter w(records);
    for (std::size_t i = 0; i < versions.size(); ++i) {
      WriteRecord(w, versions[i], data[i].size(), scratch);
      data_len += data[i].size();
    }
  }
  std::string out;
  out.reserve(kPreambleSize + 20 + records.size() + 8 + data_len + 8);
  WireWriter w(out);
  w.Bytes(kEntryMagic);
  // Format 1 while every version is in the entry: what older binaries read.
  w.U8(noncurrent == 0 ? kEntryFormatVersion : kEntryFormatVersionNoncurrent);
  w.U8(0);
  w.Varint(versions.size());
  if (noncurrent != 0) {
    w.Varint(noncurrent);
  }
  w.Str(records);
  w.Fixed64(XxHash64(out));
  std::size_t data_start = out.size();
  for (auto d : data) {
    w.Bytes(d);
  }
  w.Fixed64(XxHash64(std::string_view(out).substr(data_start)));
  return out;
}

// A copy of fi without its inline data (whose bytes may be large).
FileInfo HeaderOf(const FileInfo& fi) {
  FileInfo h;
  h.volume = fi.volume;
  h.name = fi.name;
  h.version_id = fi.version_id;
  h.deleted = fi.deleted;
  h.data_dir = fi.data_dir;
  h.mod_time_ns = fi.mod_time_ns;
  h.size = fi.size;
  h.metadata = fi.metadata;
  h.parts = fi.parts;
  h.erasure = fi.erasure;
  h.is_inline = fi.is_inline;
  h.is_latest = fi.is_latest;
  h.num_versions = fi.num_versions;
  return h;
}

std::size_t InsertPosition(const std::vector<FileInfo>& versions, std::int64_t mod_time_ns) {
  std::size_t pos = 0;
  while (pos < versions.size() && versions[pos].mod_time_ns > mod_time_ns) {
    ++pos;
  }
  return pos;
}

std::optional<std::size_t> FindVersion(const std::vector<FileInfo>& versions,
                                       std::string_view version_id) {
  for (std::size_t i = 0; i < versions.size(); ++i) {
    if (SameVersionId(versions[i].version_id, version_id)) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string NewVersionId(std::int64_t mod_time_ns, std::uint64_t random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](std::uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      out.push_back(kHex[(v >> (4 * i)) & 0xf]);
    }
  };
  const auto t = static_cast<std::uint64_t>(mod_time_ns);
  put(t >> 32, 8);
  out.push_back('-');
  put((t >> 16) & 0xffff, 4);
  out.push_back('-');
  put(t & 0xffff, 4);
  out.push_back('-');
  put(random >> 48, 4);
  out.push_back('-');
  put(random & 0xffffffffffffULL, 12);
  return out;
}

std::optional<std::int64_t> VersionIdTime(std::string_view id) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-') {
    return std::nullopt;
  }
  std::uint64_t t = 0;
  for (std::size_t i = 0; i < 23; ++i) {
    if (i == 8 || i == 13 || i == 18) {
      continue;
    }
    const char c = id[i];
    int v = 0;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    if (i < 18) {
      t = (t << 4) | static_cast<std::uint64_t>(v);
    }
  }
  if (t > static_cast<std::uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(t);
}

bool SameVersionId(std::string_view a, std::string_view b) {
  if (a == "null") {
    a = {};
  }
  if (b == "null") {
    b = {};
  }
  return a == b;
}

void WritePart(WireWriter& w, const ObjectPart& part) {
  w.Signed(part.number);
  w.Str(part.etag);
  w.Signed(part.size);
  w.Fixed64(static_cast<std::uint64_t>(part.mod_time_ns));
  WritePairs(w, part.checksums);
}

bool ReadPart(WireReader& r, ObjectPart& part) {
  std::int64_t number = 0;
  std::uint64_t mod_time = 0;
  if (!r.Signed(number) || number < INT32_MIN || number > INT32_MAX || !r.Str(part.etag) ||
      !r.Signed(part.size) || !r.Fixed64(mod_time) || !ReadPairs(r, part.checksums)) {
    return false;
  }
  part.number = static_cast<std::int32_t>(number);
  part.mod_time_ns = static_cast<std::int64_t>(mod_time);
  return true;
}

std::string EncodeVersions(std::span<const FileInfo> versions) {
  std::vector<std::string_view> data;
  data.reserve(versions.size());
  for (const auto& fi : versions) {
    data.emplace_back(fi.inline_data);
  }
  return Encode(versions, data, 0);
}

Result<std::vector<FileInfo>> DecodeVersions(std::string_view bytes, bool with_inline_data) {
  ASSIGN_OR_RETURN(Frame f, ParseFrame(bytes, with_inline_data));
  std::vector<FileInfo> out(f.num_versions);
  WireReader records(f.records);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::uint64_t inline_len = 0;
    if (!ReadRecord(records, out[i], inline_len) || inline_len > f.data.size() - offset) {
      return Corrupt("bad version record");
    }
    if (with_inline_data) {
      out[i].inline_data.assign(f.data.substr(offset, inline_len));
    }
    offset += inline_len;
    out[i].is_latest = i == 0;
    out[i].num_versions = static_cast<std::uint32_t>(out.size() + f.noncurrent);
  }
  if (offset != f.data.size()) {
    return Corrupt("inline data length mismatch");
  }
  return out;
}

Result<FileInfo> DecodeLatest(std::string_view bytes, bool with_inline_data) {
  return DecodeVersion(bytes, {}, with_inline_data);
}

Result<FileInfo> DecodeVersion(std::string_view bytes, std::string_view version_id,
                               bool with_inline_data) {
  ASSIGN_OR_RETURN(Frame f, ParseFrame(bytes, with_inline_data));
  if (f.num_versions == 0) {
    return Corrupt("no versions");
  }
  WireReader records(f.records);
  std::size_t offset = 0;
  for (std::uint64_t i = 0; i < f.num_versions; ++i) {
    FileInfo fi;
    std::uint64_t inline_len = 0;
    if (!ReadRecord(records, fi, inline_len) || inline_len > f.data.size() - offset) {
      return Corrupt("bad version record");
    }
    if (version_id.empty() || SameVersionId(fi.version_id, version_id)) {
      if (with_inline_data) {
        fi.inline_data.assign(f.data.substr(offset, inline_len));
      }
      fi.is_latest = i == 0;
      fi.num_versions = static_cast<std::uint32_t>(f.num_versions + f.noncurrent);
      return fi;
    }
    offset += inline_len;
  }
  return Status(Errc::kFileVersionNotFound, "version " + std::string(version_id));
}

Result<EntryView> DecodeEntryView(std::string_view bytes) {
  ASSIGN_OR_RETURN(Frame f, ParseFrame(bytes, /*verify_data=*/true));
  EntryView view;
  view.noncurrent = f.noncurrent;
  view.versions.resize(f.num_versions);
  view.data.resize(f.num_versions);
  WireReader records(f.records);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < view.versions.size(); ++i) {
    std::uint64_t inline_len = 0;
    if (!ReadRecord(records, view.versions[i], inline_len) || inline_len > f.data.size() - offset) {
      return Corrupt("bad version record");
    }
    view.data[i] = f.data.substr(offset, inline_len);
    offset += inline_len;
  }
  if (offset != f.data.size()) {
    return Corrupt("inline data length mismatch");
  }
  return view;
}

std::string EncodeEntryView(const EntryView& entry) {
  return Encode(entry.versions, entry.data, entry.noncurrent);
}

std::optional<FileInfo> MergeVersion(std::vector<FileInfo>& versions, FileInfo fi) {
  std::optional<FileInfo> replaced;
  if (auto i = FindVersion(versions, fi.version_id)) {
    replaced = std::move(versions[*i]);
    versions.erase(versions.begin() + static_cast<std::ptrdiff_t>(*i));
  }
  std::size_t pos = InsertPosition(versions, fi.mod_time_ns);
  versions.insert(versions.begin() + static_cast<std::ptrdiff_t>(pos), std::move(fi));
  return replaced;
}

std::optional<FileInfo> MergeVersion(EntryView& entry, const FileInfo& fi) {
  std::optional<FileInfo> replaced = RemoveVersion(entry, fi.version_id);
  std::size_t pos = InsertPosition(entry.versions, fi.mod_time_ns);
  entry.versions.insert(entry.versions.begin() + static_cast<std::ptrdiff_t>(pos), HeaderOf(fi));
  entry.data.insert(entry.data.begin() + static_cast<std::ptrdiff_t>(pos),
                    std::string_view(fi.inline_data));
  return replaced;
}

std::optional<FileInfo> RemoveVersion(EntryView& entry, std::string_view version_id) {
  auto i = FindVersion(entry.versions, version_id);
  if (!i) {
    return std::nullopt;
  }
  FileInfo removed = std::move(entry.versions[*i]);
  entry.versions.erase(entry.versions.begin() + static_cast<std::ptrdiff_t>(*i));
  entry.data.erase(entry.data.begin() + static_cast<std::ptrdiff_t>(*i));
  return removed;
}

std::string EncodePart(const ObjectPart& part) {
  std::string payload;
  WireWriter w(payload);
  WritePart(w, part);
  return SealRecord(kPartMagic, kPartFormatVersion, payload);
}

Result<ObjectPart> DecodePart(std::string_view bytes) {
  ASSIGN_OR_RETURN(std::string_view payload, OpenRecord(bytes, kPartMagic, kPartFormatVersion));
  WireReader r(payload);
  ObjectPart part;
  if (!ReadPart(r, part)) {
    return Status(Errc::kFileCorrupt, "part record: malformed");
  }
  return part;
}

}  // namespace cairn::meta
