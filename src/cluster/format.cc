#include "cluster/format.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "common/fan_out.h"
#include "common/log.h"

namespace cairn::cluster {
namespace {

using nlohmann::json;

Status Corrupt(std::string why) {
  return Status(Errc::kCorruptedFormat, std::move(why));
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

Result<int> GetInt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    return Corrupt(fmt::format("\"{}\" is missing or not an integer", key));
  }
  const auto v = it->get<std::int64_t>();
  if (v < 0 || v > 1'000'000) {
    return Corrupt(fmt::format("\"{}\" is out of range", key));
  }
  return static_cast<int>(v);
}

Result<std::string> GetUuid(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || !IsUuid(it->get_ref<const std::string&>())) {
    return Corrupt(fmt::format("\"{}\" is missing or not a uuid", key));
  }
  return it->get<std::string>();
}

// The canonical text the deployment id is derived from.
std::string TopologySeed(const std::vector<PoolDrives>& pools) {
  std::string seed = fmt::format("cairn-deployment/v{}\n", kFormatVersion);
  for (std::size_t p = 0; p < pools.size(); ++p) {
    seed += fmt::format("pool {} {} {}\n", p, pools[p].layout.set_size, pools[p].layout.parity);
    for (const std::string& name : pools[p].names) {
      seed += name;
      seed += '\n';
    }
  }
  return seed;
}

FormatInfo NewPoolFormat(std::string_view deployment_id, int pool, const PoolLayout& layout) {
  FormatInfo f;
  f.deployment_id = std::string(deployment_id);
  f.pool = pool;
  f.set_size = layout.set_size;
  f.parity = layout.parity;
  for (int s = 0; s < layout.set_count(); ++s) {
    auto& ids = f.sets.emplace_back();
    for (int d = 0; d < layout.set_size; ++d) {
      ids.push_back(DriveUuid(deployment_id, pool, s, d));
    }
  }
  return f;
}

Task<Result<std::string>> ReadOne(const RequestContext& ctx, storage::StorageApi* drive) {
  if (drive == nullptr) {
    co_return Status(Errc::kDiskNotFound, "not opened on this node");
  }
  co_return co_await drive->ReadFormat(ctx);
}

Task<Status> WriteOne(const RequestContext& ctx, storage::StorageApi* drive,
                      const std::string& text) {
  co_return co_await drive->WriteFormat(ctx, text);
}

// A drive's state after reading: unformatted, formatted (with its format) or unusable.
struct DriveState {
  enum class Kind { kUnformatted, kFormatted, kOffline } kind = Kind::kOffline;
  FormatInfo format;
  Status status;
};

std::string SlotName(int pool, int set, int drive) {
  return fmt::format("pool {} set {} drive {}", pool, set, drive);
}

}  // namespace

std::string EncodeFormat(const FormatInfo& f) {
  json j = {{"format", "cairn"}, {"version", f.version},   {"deployment_id", f.deployment_id},
            {"pool", f.pool},    {"set", f.set},           {"drive", f.drive},
            {"this", f.id},      {"set_size", f.set_size}, {"parity", f.parity},
            {"sets", f.sets}};
  return j.dump(2) + "\n";
}

Result<FormatInfo> DecodeFormat(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Corrupt("format.json is not a JSON object");
  }
  if (auto it = j.find("format"); it == j.end() || *it != "cairn") {
    return Corrupt("format.json is not a cairn format (\"format\" is not \"cairn\")");
  }
  FormatInfo f;
  ASSIGN_OR_RETURN(f.version, GetInt(j, "version"));
  if (f.version != kFormatVersion) {
    return Corrupt(fmt::format("format version {} is not supported (this build reads {})",
                               f.version, kFormatVersion));
  }
  ASSIGN_OR_RETURN(f.deployment_id, GetUuid(j, "deployment_id"));
  ASSIGN_OR_RETURN(f.id, GetUuid(j, "this"));
  ASSIGN_OR_RETURN(f.pool, GetInt(j, "pool"));
  ASSIGN_OR_RETURN(f.set, GetInt(j, "set"));
  ASSIGN_OR_RETURN(f.drive, GetInt(j, "drive"));
  ASSIGN_OR_RETURN(f.set_size, GetInt(j, "set_size"));
  ASSIGN_OR_RETURN(f.parity, GetInt(j, "parity"));
  if (f.set_size < 1 || f.set_size > kMaxSetSize || f.parity * 2 > f.set_size) {
    return Corrupt(
        fmt::format("set size {} with parity {} is not a valid layout", f.set_size, f.parity));
  }
  auto sets = j.find("sets");
  if (sets == j.end() || !sets->is_array() || sets->empty()) {
    return Corrupt("\"sets\" is missing or empty");
  }
  for (const json& set : *sets) {
    if (!set.is_array() || static_cast<int>(set.size()) != f.set_size) {
      return Corrupt(fmt::format("a set in \"sets\" does not hold {} drives", f.set_size));
    }
    auto& ids = f.sets.emplace_back();
    for (const json& id : set) {
      if (!id.is_string() || !IsUuid(id.get_ref<const std::string&>())) {
        return Corrupt("\"sets\" holds something that is not a uuid");
      }
      ids.push_back(id.get<std::string>());
    }
  }
  if (f.set >= static_cast<int>(f.sets.size()) || f.drive >= f.set_size ||
      f.sets[f.set][f.drive] != f.id) {
    return Corrupt(
        fmt::format("the drive's own id is not at set {} drive {} of \"sets\"", f.set, f.drive));
  }
  return f;
}

std::string DeterministicUuid(std::string_view seed) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(seed.data(), seed.size(), digest, &len, EVP_sha256(), nullptr);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x80);  // version 8
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    out += fmt::format("{:02x}", digest[i]);
  }
  return out;
}

std::string DriveUuid(std::string_view deployment_id, int pool, int set, int drive) {
  return DeterministicUuid(fmt::format("cairn-drive/{}/{}/{}/{}", deployment_id, pool, set, drive));
}

namespace {

DriveState Classify(Result<std::string> read) {
  DriveState st;
  if (read.ok()) {
    auto f = DecodeFormat(*read);
    if (f.ok()) {
      st.kind = DriveState::Kind::kFormatted;
      st.format = std::move(*f);
    } else {
      st.status = f.status();
    }
  } else if (read.code() == Errc::kUnformattedDisk) {
    st.kind = DriveState::Kind::kUnformatted;
  } else {
    st.status = read.status();
  }
  return st;
}

// The layout most of the pool's formatted drives of `deployment_id` agree on, or null.
const FormatInfo* PoolReference(const std::vector<DriveState>& states,
                                std::string_view deployment_id, int pool) {
  std::map<std::vector<std::vector<std::string>>, int> votes;
  const FormatInfo* ref = nullptr;
  for (const DriveState& st : states) {
    if (st.kind == DriveState::Kind::kFormatted && st.format.deployment_id == deployment_id &&
        st.format.pool == pool) {
      if (++votes[st.format.sets] > (ref ? votes[ref->sets] : 0)) {
        ref = &st.format;
      }
    }
  }
  return ref;
}

// Why a formatted drive may not sit in slot (pool, set, drive) of `reference`; Ok if it may.
Status CheckSlot(const FormatInfo& f, const FormatInfo& reference, std::string_view name, int pool,
                 int set, int drive) {
  const std::string slot = SlotName(pool + 1, set + 1, drive + 1);
  if (f.deployment_id != reference.deployment_id) {
    return Status(Errc::kInconsistentDisk,
                  fmt::format("drive {} belongs to deployment {}, but this deployment is {}; it "
                              "expected a drive of {} here",
                              name, f.deployment_id, reference.deployment_id, slot));
  }
  const std::string& expected = reference.sets[set][drive];
  if (f.pool != pool || f.set != set || f.drive != drive || f.id != expected) {
    return Status(
        Errc::kInconsistentDisk,
        fmt::format("drive {} was formatted as {} (id {}), but it is named as {} "
                    "(expected id {}); put it back in its place or give the drives in "
                    "their original order",
                    name, SlotName(f.pool + 1, f.set + 1, f.drive + 1), f.id, slot, expected));
  }
  return Status::Ok();
}

// A format.json to write to an unformatted drive.
struct PendingWrite {
  storage::StorageApi* drive = nullptr;
  std::string name;
  std::string text;
  bool heal = false;  // a replacement in a set whose other drives are formatted
};

}  // namespace

Task<Result<FormatResult>> LoadOrCreateFormat(const RequestContext& ctx,
                                              const std::vector<PoolDrives>& pools) {
  // 1. Read every drive of every pool.
  std::vector<std::vector<DriveState>> states(pools.size());
  std::map<std::string, int> votes;  // deployment id -> formatted drives holding it
  bool any_readable = false;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    const auto& drives = pools[p].drives;
    auto reads = co_await FanOut<Result<std::string>>(
        drives.size(), [&](std::size_t i) { return ReadOne(ctx, drives[i]); });
    for (auto& read : reads) {
      DriveState& st = states[p].emplace_back(Classify(std::move(read)));
      if (st.kind == DriveState::Kind::kFormatted) {
        ++votes[st.format.deployment_id];
      }
      any_readable = any_readable || st.kind != DriveState::Kind::kOffline;
    }
  }
  if (!any_readable) {
    co_return Status(Errc::kDiskNotFound, "no drive of this node could be read");
  }

  FormatResult result;
  result.fresh = votes.empty();
  if (result.fresh) {
    result.deployment_id = DeterministicUuid(TopologySeed(pools));
  } else {
    result.deployment_id =
        std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& b) {
          return a.second < b.second;
        })->first;
  }

  // 2. Per pool: find the reference layout, check every drive against its slot.
  std::vector<PendingWrite> writes;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    const PoolDrives& pool = pools[p];
    const int pool_index = static_cast<int>(p);
    const FormatInfo* ref = PoolReference(states[p], result.deployment_id, pool_index);
    const FormatInfo reference =
        ref ? *ref : NewPoolFormat(result.deployment_id, pool_index, pool.layout);
    if (reference.set_size != pool.layout.set_size || reference.parity != pool.layout.parity ||
        static_cast<int>(reference.sets.size()) != pool.layout.set_count()) {
      co_return Status(
          Errc::kInconsistentDisk,
          fmt::format("the drives of pool {} were formatted as {} sets of {} drives with parity "
                      "{}, but this start lays them out as {}; start with the same drives, "
                      "--set-size and --parity as when they were formatted",
                      p + 1, reference.sets.size(), reference.set_size, reference.parity,
                      pool.layout.Describe()));
    }

    FormattedPool& out = result.pools.emplace_back();
    out.set_size = pool.layout.set_size;
    out.parity = pool.layout.parity;
    for (int s = 0; s < pool.layout.set_count(); ++s) {
      auto& set_drives = out.sets.emplace_back();
      auto& set_names = out.names.emplace_back();
      for (int d = 0; d < pool.layout.set_size; ++d) {
        const int index = pool.layout.sets[s][d];
        const std::string& name = pool.names[index];
        const DriveState& st = states[p][index];
        set_names.push_back(name);
        set_drives.push_back(nullptr);
        switch (st.kind) {
          case DriveState::Kind::kOffline:
            if (pool.drives[index] != nullptr) {
              result.offline.push_back({name, st.status});
            }
            break;
          case DriveState::Kind::kUnformatted: {
            FormatInfo f = reference;
            f.set = s;
            f.drive = d;
            f.id = reference.sets[s][d];
            writes.push_back({pool.drives[index], name, EncodeFormat(f), ref != nullptr});
            set_drives.back() = pool.drives[index];
            break;
          }
          case DriveState::Kind::kFormatted: {
            Status refusal = CheckSlot(st.format, reference, name, pool_index, s, d);
            if (refusal.ok()) {
              set_drives.back() = pool.drives[index];
            } else {
              result.refused.push_back({name, std::move(refusal)});
            }
            break;
          }
        }
      }
    }
  }

  // 3. Format the unformatted drives.
  auto written = co_await FanOut<Status>(
      writes.size(), [&](std::size_t i) { return WriteOne(ctx, writes[i].drive, writes[i].text); });
  for (std::size_t i = 0; i < written.size(); ++i) {
    if (!written[i].ok()) {
      result.offline.push_back({writes[i].name, written[i]});
      for (auto& pool : result.pools) {
        for (auto& set : pool.sets) {
          std::replace(set.begin(), set.end(), writes[i].drive,
                       static_cast<storage::StorageApi*>(nullptr));
        }
      }
      continue;
    }
    result.formatted.push_back(writes[i].name);
    if (writes[i].heal) {
      result.healing.push_back(writes[i].name);
    }
  }
  co_return result;
}

}  // namespace cairn::cluster
