// MrfWorker: the MRF queue survives a restart. The worker saves the queued entries of
// each set (object, version, deep flag; not the retry state) as the system record
// "mrf/<node id>" on the set's online drives, at most every save_interval while the queue
// changes and once more when it stops; when it starts it reads the records of every drive
// of each set and queues their union again. A drive that was offline during a save may keep
// an older record: its entries are queued again at the next start, and healing an object
// that is already whole costs only a metadata read.
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/fan_out.h"
#include "common/log.h"
#include "heal/mrf_worker.h"

namespace cairn::heal {

using object::ErasureSet;

namespace {

// A set's record stays well under the drive's limit (storage::kMaxSystemRecordBytes): about
// 4000 entries of 1 KiB keys; what does not fit is left to the scanner.
constexpr std::size_t kMrfRecordMaxBytes = 4 << 20;
// A save at stop must not hold the shutdown on a hung drive.
constexpr auto kMrfSaveDeadline = std::chrono::seconds(10);

std::string MrfRecordName(const std::string& node_id) {
  return "mrf/" + node_id;
}

}  // namespace

Task<void> MrfWorker::Load(const RequestContext& ctx) {
  const std::vector<ErasureSet*> sets = pools_.AllSets();
  const std::string name = MrfRecordName(opts_.node_id);
  saved_.assign(sets.size(), std::nullopt);
  std::size_t queued = 0;
  for (std::size_t s = 0; s < sets.size(); ++s) {
    ErasureSet* set = sets[s];
    const auto& drives = set->drives();
    auto records = co_await FanOut<Result<std::string>>(
        drives.size(), [&](std::size_t i) -> Task<Result<std::string>> {
          if (!drives[i]) {
            co_return Status(Errc::kDiskNotFound, "absent drive");
          }
          co_return co_await drives[i]->ReadSystemRecord(ctx, name);
        });
    bool none_anywhere = true;  // every drive answered that it holds no record
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (!records[i].ok()) {
        none_anywhere = none_anywhere && records[i].code() == Errc::kFileNotFound;
        continue;
      }
      none_anywhere = false;
      auto entries = DecodeMrfRecord(*records[i]);
      if (!entries.ok()) {
        LOG_WARN("heal: ignoring the MRF record {} on {}: {}", name, drives[i]->endpoint(),
                 entries.status().ToString());
        continue;
      }
      // Push drops duplicates (the same entry saved on several drives).
      for (const MrfRecordEntry& e : *entries) {
        queued += queue_.Push(set, e.bucket, e.key, e.version_id, e.deep) ? 1 : 0;
      }
    }
    if (none_anywhere) {
      saved_[s] = std::string();  // known: nothing stored
    }
  }
  // saved_gen_ stays 0: anything loaded (or pushed meanwhile) is saved again once,
  // which also rewrites the sets whose records were not known on every drive.
  if (queued > 0) {
    LOG_INFO("heal: {} objects queued again from the saved MRF queue", queued);
  }
}

Task<void> MrfWorker::Save(const RequestContext& parent, bool force) {
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t gen = queue_.generation();
  if (gen == saved_gen_ || (!force && now < next_save_)) {
    co_return;
  }
  next_save_ = now + opts_.save_interval;
  RequestContext ctx = parent;
  ctx.deadline = std::min(ctx.deadline, now + kMrfSaveDeadline);
  const std::vector<ErasureSet*> sets = pools_.AllSets();
  const std::string name = MrfRecordName(opts_.node_id);
  saved_.resize(sets.size());
  std::unordered_map<const ErasureSet*, std::size_t> index;
  for (std::size_t s = 0; s < sets.size(); ++s) {
    index.emplace(sets[s], s);
  }
  std::vector<std::vector<MrfRecordEntry>> per_set(sets.size());
  for (MrfQueue::Entry& e : queue_.Snapshot()) {
    auto it = index.find(e.set);
    if (it != index.end()) {
      per_set[it->second].push_back(
          {std::move(e.bucket), std::move(e.key), std::move(e.version_id), e.deep});
    }
  }
  bool all_saved = true;
  for (std::size_t s = 0; s < sets.size(); ++s) {
    std::size_t left_out = 0;
    // Empty: no entries, the record is deleted.
    const std::string record = per_set[s].empty()
                                   ? std::string()
                                   : EncodeMrfRecord(per_set[s], kMrfRecordMaxBytes, &left_out);
    if (saved_[s] == record) {
      continue;
    }
    if (left_out > 0) {
      LOG_WARN("heal: {} MRF entries of a set left out of its saved record (too large)", left_out);
    }
    const auto& drives = sets[s]->drives();
    auto results = co_await FanOut<Status>(drives.size(), [&](std::size_t i) -> Task<Status> {
      if (!drives[i] || !drives[i]->IsOnline()) {
        co_return Status(Errc::kDiskNotFound, "offline");
      }
      if (record.empty()) {
        co_return co_await drives[i]->DeleteSystemRecord(ctx, name);
      }
      co_return co_await drives[i]->WriteSystemRecord(ctx, name, record);
    });
    const bool any =
        std::any_of(results.begin(), results.end(), [](const Status& st) { return st.ok(); });
    if (any) {
      saved_[s] = record;
    } else {
      all_saved = false;
      LOG_WARN("heal: could not save the MRF queue of a set on any of its drives");
    }
  }
  if (all_saved) {
    saved_gen_ = gen;
  }
}

}  // namespace cairn::heal
