// ErasureSet: listing. Each drive lists a page in key order; the pages are merged and an
// entry counts when its own read quorum of drives report it (the newest version wins): the
// data count of its geometry, which is below the set's for an object written with raised
// parity; a common prefix, when as many drives as the smallest such quorum (half the set)
// report it. Fewer drives than the set's read quorum may answer: the listing is then given
// only if every entry is decided (present on its quorum, or absent even if every silent
// drive had it), never with an object left out because too few drives answered. Entries
// past the shortest truncated page are not yet known on every drive, so the merge stops
// there and asks again from that point.
#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "object/erasure_set.h"
#include "object/object_util.h"
#include "object/quorum.h"
#include "object/set_util.h"

namespace cairn::object {

Task<Result<SetListResult>> ErasureSet::ListEntries(const RequestContext& ctx,
                                                    std::string_view bucket,
                                                    std::string_view prefix,
                                                    std::string_view start_after,
                                                    std::string_view delimiter, std::size_t limit) {
  SetListResult out;
  storage::ListOptions lo;
  lo.prefix = std::string(prefix);
  lo.start_after = std::string(start_after);
  lo.delimiter = std::string(delimiter);
  lo.limit = limit + 16;
  lo.include_deleted = false;
  const auto rq = static_cast<std::size_t>(read_quorum());
  // The data count of the most parity an object may have (raised to half the set).
  const std::size_t least_quorum = drives_.size() - drives_.size() / 2;
  for (;;) {
    auto res = co_await ForEachDrive<Result<std::vector<storage::ListEntry>>>(
        *this, [&](storage::StorageApi& d, std::size_t) { return d.ListObjects(ctx, bucket, lo); });
    CO_RETURN_IF_ERROR(ReduceQuorum(res, least_quorum, Errc::kReadQuorum));
    std::size_t silent = 0;
    for (const auto& r : res) {
      silent += r.ok() ? 0 : 1;
    }
    const bool below_set_quorum = res.size() - silent < rq;
    // The shortest truncated page bounds what is known everywhere.
    std::optional<std::string> bound;
    bool bound_is_prefix = false;
    for (const auto& r : res) {
      if (r.ok() && r->size() >= lo.limit && (!bound || r->back().name < *bound)) {
        bound = r->back().name;
        bound_is_prefix = r->back().is_prefix;
      }
    }

    // Each page is sorted by name: a k-way merge over the pages' heads, no map and no
    // allocation per entry. An entry counts when read quorum of drives list it.
    const std::size_t n = res.size();
    std::vector<std::size_t> head(n, 0);
    out.entries.reserve(std::min(limit, lo.limit));
    auto current = [&](std::size_t i) -> storage::ListEntry* {
      if (!res[i].ok() || head[i] >= res[i]->size()) {
        return nullptr;
      }
      storage::ListEntry* e = &(*res[i])[head[i]];
      if (bound && e->name > *bound) {
        return nullptr;
      }
      return e;
    };
    for (;;) {
      std::string_view least;
      bool any = false;
      for (std::size_t i = 0; i < n; ++i) {
        if (storage::ListEntry* e = current(i); e && (!any || e->name < least)) {
          least = e->name;
          any = true;
        }
      }
      if (!any) {
        break;
      }
      // Advance every page whose head is `least`, then take the newest of them (moving out
      // of it only once `least`, which may view its name, is no longer used).
      std::size_t count = 0;
      storage::ListEntry* newest = nullptr;
      for (std::size_t i = 0; i < n; ++i) {
        storage::ListEntry* e = current(i);
        if (e && e->name == least) {
          ++count;
          ++head[i];
          if (!newest || e->latest.mod_time_ns > newest->latest.mod_time_ns) {
            newest = e;
          }
        }
      }
      std::size_t need = least_quorum;
      if (!newest->is_prefix) {
        const std::size_t data = newest->latest.erasure.data_blocks;
        need = data > 0 ? std::min(data, rq) : rq;
      }
      if (count < need && count + silent >= need && below_set_quorum) {
        co_return Status(Errc::kReadQuorum, "too few drives answer to decide whether '" +
                                                std::string(least) + "' is listed");
      }
      if (count >= need) {
        if (out.entries.size() == limit) {
          out.truncated = true;
          co_return out;
        }
        SetListEntry le;
        le.name = std::move(newest->name);
        le.is_prefix = newest->is_prefix;
        le.fi = std::move(newest->latest);
        out.entries.push_back(std::move(le));
      }
    }
    if (!bound) {
      co_return out;
    }
    lo.start_after = bound_is_prefix ? PastPrefix(*bound) : *bound;
  }
}

namespace {

// The order of a versions listing: key, then newest first (the drives' record order), then
// version id; a common prefix sorts as its name.
struct VersionOrder {
  std::string_view name;
  std::uint64_t inverted_time = 0;
  std::string_view version_id;

  static VersionOrder Of(const storage::ListEntry& e) {
    if (e.is_prefix) {
      return {e.name, 0, {}};
    }
    return {e.name, ~static_cast<std::uint64_t>(e.latest.mod_time_ns), e.latest.version_id};
  }

  friend auto operator<=>(const VersionOrder&, const VersionOrder&) = default;
};

}  // namespace

Task<Result<SetListResult>> ErasureSet::ListVersions(
    const RequestContext& ctx, std::string_view bucket, std::string_view prefix,
    std::string_view key_marker, std::string_view version_marker, std::string_view delimiter,
    std::size_t limit) {
  SetListResult out;
  storage::ListOptions lo;
  lo.prefix = std::string(prefix);
  lo.start_after = std::string(key_marker);
  lo.version_marker = std::string(version_marker);
  lo.delimiter = std::string(delimiter);
  lo.limit = limit + 16;
  lo.versions = true;
  const auto rq = static_cast<std::size_t>(read_quorum());
  const std::size_t least_quorum = drives_.size() - drives_.size() / 2;
  for (;;) {
    auto res = co_await ForEachDrive<Result<std::vector<storage::ListEntry>>>(
        *this, [&](storage::StorageApi& d, std::size_t) { return d.ListObjects(ctx, bucket, lo); });
    CO_RETURN_IF_ERROR(ReduceQuorum(res, rq, Errc::kReadQuorum));
    // The shortest truncated page bounds what is known everywhere.
    const storage::ListEntry* bound = nullptr;
    for (const auto& r : res) {
      if (r.ok() && r->size() >= lo.limit &&
          (!bound || VersionOrder::Of(r->back()) < VersionOrder::Of(*bound))) {
        bound = &r->back();
      }
    }
    std::map<VersionOrder, std::pair<std::size_t, storage::ListEntry*>> merged;
    for (auto& r : res) {
      if (!r.ok()) {
        continue;
      }
      for (auto& e : *r) {
        if (bound && VersionOrder::Of(*bound) < VersionOrder::Of(e)) {
          break;
        }
        auto& slot = merged[VersionOrder::Of(e)];
        if (slot.first++ == 0) {
          slot.second = &e;
        }
      }
    }
    for (auto& [order, slot] : merged) {
      storage::ListEntry* e = slot.second;
      std::size_t need = least_quorum;
      if (!e->is_prefix) {
        const std::size_t data = e->latest.erasure.data_blocks;
        need = !e->latest.deleted && data > 0 ? std::min(data, rq) : rq;
      }
      if (slot.first < need) {
        continue;
      }
      if (out.entries.size() == limit) {
        out.truncated = true;
        co_return out;
      }
      SetListEntry le;
      le.name = e->name;
      le.is_prefix = e->is_prefix;
      le.fi = e->latest;
      out.entries.push_back(std::move(le));
    }
    if (!bound) {
      co_return out;
    }
    if (bound->is_prefix) {
      lo.start_after = PastPrefix(bound->name);
      lo.version_marker.clear();
    } else {
      lo.start_after = bound->name;
      lo.version_marker = bound->latest.version_id.empty() ? "null" : bound->latest.version_id;
    }
  }
}

Task<Result<std::vector<storage::MultipartUpload>>> ErasureSet::ListUploads(
    const RequestContext& ctx, std::string_view bucket, std::string_view prefix,
    std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) {
  std::vector<storage::MultipartUpload> out;
  std::string key_after(key_marker);
  std::string id_after(upload_id_marker);
  const std::size_t page = limit + 16;
  const auto rq = static_cast<std::size_t>(read_quorum());
  for (;;) {
    auto res = co_await ForEachDrive<Result<std::vector<storage::MultipartUpload>>>(
        *this, [&](storage::StorageApi& d, std::size_t) {
          return d.ListUploads(ctx, bucket, prefix, key_after, id_after, page);
        });
    CO_RETURN_IF_ERROR(ReduceQuorum(res, rq, Errc::kReadQuorum));
    using Id = std::pair<std::string_view, std::string_view>;
    std::optional<std::pair<std::string, std::string>> bound;
    for (const auto& r : res) {
      if (r.ok() && r->size() >= page) {
        Id last{r->back().key, r->back().upload_id};
        if (!bound || last < Id(bound->first, bound->second)) {
          bound.emplace(last.first, last.second);
        }
      }
    }
    std::map<Id, std::pair<std::size_t, storage::MultipartUpload*>> merged;
    for (auto& r : res) {
      if (!r.ok()) {
        continue;
      }
      for (auto& u : *r) {
        Id id{u.key, u.upload_id};
        if (bound && id > Id(bound->first, bound->second)) {
          break;
        }
        auto& s = merged[id];
        if (s.first++ == 0) {
          s.second = &u;
        }
      }
    }
    for (auto& [id, s] : merged) {
      if (s.first < rq) {
        continue;
      }
      if (out.size() == limit) {
        co_return out;
      }
      out.push_back(std::move(*s.second));
    }
    if (!bound || out.size() >= limit) {
      co_return out;
    }
    key_after = bound->first;
    id_after = bound->second;
  }
}

}  // namespace cairn::object
