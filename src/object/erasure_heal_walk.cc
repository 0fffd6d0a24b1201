// ErasureSet: the listing side of a heal walk (heal sequences, the scanner, drive heals).
// Unlike a client listing, which shows what read quorum agrees on, a heal walk must visit
// every key that any drive holds: a key left on one drive may be dangling and is healed
// (purged) only if someone looks at it. Each drive lists a page; the union is merged in key
// order up to the shortest truncated page, so memory stays bounded by the page size.
#include <algorithm>
#include <optional>
#include <utility>

#include "object/erasure_set.h"
#include "object/set_util.h"

namespace cairn::object {

namespace {

bool WalkNotFound(Errc c) {
  return c == Errc::kVolumeNotFound || c == Errc::kFileNotFound || c == Errc::kFileVersionNotFound;
}

}  // namespace

Task<Result<HealWalkPage>> ErasureSet::ListForHeal(const RequestContext& ctx,
                                                   std::string_view bucket, std::string_view prefix,
                                                   std::string_view start_after,
                                                   std::size_t limit) {
  storage::ListOptions lo;
  lo.prefix = std::string(prefix);
  lo.start_after = std::string(start_after);
  lo.limit = std::max<std::size_t>(limit, 1);
  lo.include_deleted = true;
  auto res = co_await ForEachDrive<Result<std::vector<storage::ListEntry>>>(
      *this, [&](storage::StorageApi& d, std::size_t) { return d.ListObjects(ctx, bucket, lo); });
  HealWalkPage out;
  const std::size_t n = res.size();
  std::vector<bool> answered(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    if (res[i].ok()) {
      answered[i] = true;
    } else if (WalkNotFound(res[i].code())) {
      answered[i] = true;
      res[i] = std::vector<storage::ListEntry>{};
    }
    out.answered += answered[i] ? 1 : 0;
  }
  if (out.answered == 0) {
    co_return Status(Errc::kReadQuorum, "no drive of the set answers");
  }
  // Past the shortest truncated page, a drive may hold keys it has not listed yet.
  std::optional<std::string> bound;
  for (std::size_t i = 0; i < n; ++i) {
    if (answered[i] && res[i]->size() >= lo.limit && (!bound || res[i]->back().name < *bound)) {
      bound = res[i]->back().name;
    }
  }
  out.truncated = bound.has_value();
  std::vector<std::size_t> head(n, 0);
  auto current = [&](std::size_t i) -> storage::ListEntry* {
    if (!answered[i] || head[i] >= res[i]->size()) {
      return nullptr;
    }
    storage::ListEntry* e = &(*res[i])[head[i]];
    return (bound && e->name > *bound) ? nullptr : e;
  };
  for (;;) {
    const storage::ListEntry* least = nullptr;
    for (std::size_t i = 0; i < n; ++i) {
      if (storage::ListEntry* e = current(i); e && (!least || e->name < least->name)) {
        least = e;
      }
    }
    if (!least) {
      break;
    }
    HealWalkPage::Entry entry;
    entry.key = least->name;
    int holders = 0;
    bool same = true;
    const storage::ListEntry* first = nullptr;
    for (std::size_t i = 0; i < n; ++i) {
      storage::ListEntry* e = current(i);
      if (!e || e->name != entry.key) {
        continue;
      }
      ++head[i];
      ++holders;
      if (!first) {
        first = e;
        entry.size = e->latest.size;
      } else if (!SameVersion(first->latest, e->latest)) {
        same = false;
      }
      same = same && e->latest.num_versions <= 1;
    }
    entry.agree = same && holders == out.answered;
    out.entries.push_back(std::move(entry));
  }
  co_return out;
}

Task<Result<std::vector<std::string>>> ErasureSet::VersionsToHeal(const RequestContext& ctx,
                                                                  std::string_view bucket,
                                                                  std::string_view key, bool all) {
  auto res = co_await ForEachDrive<Result<std::vector<meta::FileInfo>>>(
      *this, [&](storage::StorageApi& d, std::size_t) { return d.ReadVersions(ctx, bucket, key); });
  const std::size_t n = res.size();
  std::size_t answered = 0;
  for (auto& r : res) {
    if (!r.ok() && WalkNotFound(r.code())) {
      r = std::vector<meta::FileInfo>{};
    }
    answered += r.ok() ? 1 : 0;
  }
  if (answered == 0) {
    co_return Status(Errc::kReadQuorum, "no drive of the set answers");
  }

  // Every version id any drive holds, newest first, and whether every answering drive
  // holds the same copy of it.
  struct Seen {
    std::string id;
    std::int64_t mod_time_ns = 0;
    std::size_t holders = 0;
    bool same = true;
    const meta::FileInfo* first = nullptr;
  };

  std::vector<Seen> seen;
  for (std::size_t i = 0; i < n; ++i) {
    if (!res[i].ok()) {
      continue;
    }
    for (const meta::FileInfo& fi : *res[i]) {
      auto it = std::find_if(seen.begin(), seen.end(),
                             [&](const Seen& s) { return s.id == fi.version_id; });
      if (it == seen.end()) {
        seen.push_back({fi.version_id, fi.mod_time_ns, 1, true, &fi});
        continue;
      }
      ++it->holders;
      it->same = it->same && SameVersion(*it->first, fi);
      it->mod_time_ns = std::max(it->mod_time_ns, fi.mod_time_ns);
    }
  }
  std::sort(seen.begin(), seen.end(),
            [](const Seen& a, const Seen& b) { return a.mod_time_ns > b.mod_time_ns; });
  std::vector<std::string> out;
  for (const Seen& s : seen) {
    if (all || !s.same || s.holders != answered) {
      out.push_back(s.id);
    }
  }
  co_return out;
}

}  // namespace cairn::object
