// The binary encoding of an object's metadata entry (every version, newest first), as the
// objects column family of a drive stores it, and helpers to merge versions. Versioned and
// checksummed; the layout is documented in docs/format.md. Headers come first and inline
// data last, so a listing decodes the latest version without touching any inline bytes.
// Every decoder returns kFileCorrupt on malformed, truncated or mismatching input and never
// reads out of bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "meta/file_info.h"
#include "meta/wire.h"

namespace cairn::meta {

// Format version of the entry encoding (byte 4 of an entry). Bump on any change. Format 2
// adds, after the version count, the count of the object's versions kept outside the entry
// (a drive keeps noncurrent versions one record each: docs/format.md); an entry with none
// is written as format 1, which every older binary reads.
inline constexpr std::uint8_t kEntryFormatVersion = 1;
inline constexpr std::uint8_t kEntryFormatVersionNoncurrent = 2;

// Encodes `versions` (newest first) with their inline data. `volume`, `name`, `is_latest`
// and `num_versions` are not stored.
std::string EncodeVersions(std::span<const FileInfo> versions);

// Decodes every version, newest first, with is_latest and num_versions (the versions in the
// entry plus those kept outside it) filled in. With
// `with_inline_data` the inline bytes are copied and the data checksum verified; without,
// inline_data stays empty (is_inline still tells where the data lives).
Result<std::vector<FileInfo>> DecodeVersions(std::string_view bytes, bool with_inline_data);

// The newest version only, for listing: parses one header and copies no other version's
// inline data. Verifies the header checksum always, the data checksum only with
// `with_inline_data`. kFileCorrupt also for an entry with no versions.
Result<FileInfo> DecodeLatest(std::string_view bytes, bool with_inline_data);

// One version by id: empty = the latest; "null" or "" in a stored version = the null
// version. Copies only that version's inline data. Errors: kFileCorrupt,
// kFileVersionNotFound.
Result<FileInfo> DecodeVersion(std::string_view bytes, std::string_view version_id,
                               bool with_inline_data);

// A decoded entry whose inline data stays in the source buffer: the way to rewrite an
// entry (merge or remove a version) without copying other versions' inline data.
struct EntryView {
  std::vector<FileInfo> versions;      // inline_data left empty
  std::vector<std::string_view> data;  // data[i]: inline bytes of versions[i]
  std::uint64_t noncurrent = 0;        // the object's versions kept outside the entry
};

// Decodes headers and verifies both checksums; the views point into `bytes`.
Result<EntryView> DecodeEntryView(std::string_view bytes);
// Encodes an EntryView (inline bytes taken from `data`, not from versions[i].inline_data).
std::string EncodeEntryView(const EntryView& entry);

// A version id for a version made at `mod_time_ns`: 36 characters shaped like a UUID, the
// first 16 hex digits the time, the rest from `random`. The time makes the version findable
// by id alone among thousands (VersionIdTime), and ids of one key sort like their times.
std::string NewVersionId(std::int64_t mod_time_ns, std::uint64_t random);
// The time NewVersionId put in `id`; nullopt for any other id ("null", a foreign uuid).
std::optional<std::int64_t> VersionIdTime(std::string_view id);

// True when two version ids name the same version ("" and "null" are the null version).
bool SameVersionId(std::string_view a, std::string_view b);

// Merges `fi` into `versions` (newest first): a version with the same id is replaced, then
// `fi` goes before every version whose mod time is not newer. Returns the replaced version.
std::optional<FileInfo> MergeVersion(std::vector<FileInfo>& versions, FileInfo fi);
// The same on an EntryView; `fi`'s inline data is referenced, not copied: `fi` must outlive
// the view's use. Returns the replaced version (without inline data).
std::optional<FileInfo> MergeVersion(EntryView& entry, const FileInfo& fi);

// Removes the version with id `version_id`; returns it, or nullopt when absent.
std::optional<FileInfo> RemoveVersion(EntryView& entry, std::string_view version_id);

// One multipart part record (sealed: magic "CRNP", version 1).
std::string EncodePart(const ObjectPart& part);
Result<ObjectPart> DecodePart(std::string_view bytes);

// Field-level helpers shared with storage's value codecs.
void WritePart(WireWriter& w, const ObjectPart& part);
bool ReadPart(WireReader& r, ObjectPart& part);

}  // namespace cairn::meta
