#include "heal/mrf_queue.h"

#include <utility>

#include "meta/wire.h"

namespace cairn::heal {

namespace {

constexpr std::string_view kMrfRecordMagic = "MRFQ";
constexpr std::uint8_t kMrfRecordVersion = 1;
// Sealing adds the magic, the version byte and the checksum.
constexpr std::size_t kMrfRecordOverhead = 4 + 1 + 8 + 10;

}  // namespace

std::string MrfQueue::Id(const ErasureSet* set, std::string_view bucket, std::string_view key,
                         std::string_view version_id) {
  std::string id = std::to_string(reinterpret_cast<std::uintptr_t>(set));
  id.push_back('\0');
  id.append(bucket).push_back('\0');
  id.append(key).push_back('\0');
  id.append(version_id);
  return id;
}

bool MrfQueue::Push(ErasureSet* set, std::string_view bucket, std::string_view key,
                    std::string_view version_id, bool deep) {
  std::string id = Id(set, bucket, key, version_id);
  std::lock_guard lock(mu_);
  if (ids_.contains(id)) {
    if (deep) {
      for (auto& e : entries_) {
        if (e.set == set && e.bucket == bucket && e.key == key && e.version_id == version_id &&
            !e.deep) {
          e.deep = true;
          ++generation_;
        }
      }
    }
    return false;
  }
  if (entries_.size() >= capacity_) {
    ++stats_.dropped;
    return false;
  }
  Entry e;
  e.set = set;
  e.bucket = std::string(bucket);
  e.key = std::string(key);
  e.version_id = std::string(version_id);
  e.deep = deep;
  e.due = Clock::now();
  entries_.push_back(std::move(e));
  ids_.insert(std::move(id));
  ++stats_.pushed;
  ++generation_;
  return true;
}

std::vector<MrfQueue::Entry> MrfQueue::TakeDue(Clock::time_point now, std::size_t max) {
  std::vector<Entry> out;
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end() && out.size() < max;) {
    if (it->due > now) {
      ++it;
      continue;
    }
    ids_.erase(Id(it->set, it->bucket, it->key, it->version_id));
    out.push_back(std::move(*it));
    it = entries_.erase(it);
  }
  return out;
}

void MrfQueue::Requeue(Entry e) {
  std::string id = Id(e.set, e.bucket, e.key, e.version_id);
  std::lock_guard lock(mu_);
  if (ids_.contains(id) || entries_.size() >= capacity_) {
    stats_.dropped += ids_.contains(id) ? 0 : 1;
    ++generation_;
    return;
  }
  entries_.push_back(std::move(e));
  ids_.insert(std::move(id));
}

void MrfQueue::Finish(bool healed) {
  std::lock_guard lock(mu_);
  ++(healed ? stats_.healed : stats_.failed);
  ++generation_;
}

void MrfQueue::WakeWaiting() {
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  for (auto& e : entries_) {
    if (e.waits_for_drive) {
      e.due = now;
    }
  }
}

MrfQueue::Stats MrfQueue::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.queued = entries_.size();
  return s;
}

std::vector<MrfQueue::Entry> MrfQueue::Snapshot() const {
  std::lock_guard lock(mu_);
  return std::vector<Entry>(entries_.begin(), entries_.end());
}

std::uint64_t MrfQueue::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::string EncodeMrfRecord(const std::vector<MrfRecordEntry>& entries, std::size_t max_bytes,
                            std::size_t* left_out) {
  std::string body;
  meta::WireWriter w(body);
  std::size_t kept = 0;
  for (const MrfRecordEntry& e : entries) {
    const std::size_t before = body.size();
    w.Str(e.bucket);
    w.Str(e.key);
    w.Str(e.version_id);
    w.U8(e.deep ? 1 : 0);
    if (body.size() + kMrfRecordOverhead > max_bytes) {
      body.resize(before);
      break;
    }
    ++kept;
  }
  if (left_out != nullptr) {
    *left_out = entries.size() - kept;
  }
  std::string payload;
  meta::WireWriter p(payload);
  p.Varint(kept);
  p.Bytes(body);
  return meta::SealRecord(kMrfRecordMagic, kMrfRecordVersion, payload);
}

Result<std::vector<MrfRecordEntry>> DecodeMrfRecord(std::string_view bytes) {
  ASSIGN_OR_RETURN(std::string_view payload,
                   meta::OpenRecord(bytes, kMrfRecordMagic, kMrfRecordVersion));
  meta::WireReader r(payload);
  std::uint64_t n = 0;
  // An entry takes at least 4 bytes: three empty strings and the flags.
  if (!r.Count(n, 4)) {
    return Status(Errc::kFileCorrupt, "mrf record: bad count");
  }
  std::vector<MrfRecordEntry> out(n);
  for (MrfRecordEntry& e : out) {
    std::uint8_t flags = 0;
    if (!r.Str(e.bucket) || !r.Str(e.key) || !r.Str(e.version_id) || !r.U8(flags)) {
      return Status(Errc::kFileCorrupt, "mrf record: truncated entry");
    }
    e.deep = (flags & 1) != 0;
  }
  if (r.remaining() != 0) {
    return Status(Errc::kFileCorrupt, "mrf record: trailing bytes");
  }
  return out;
}

}  // namespace cairn::heal
