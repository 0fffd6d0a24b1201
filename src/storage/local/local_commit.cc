// LocalDrive: the group commit of metadata writes (WriteMetadata, and RenameData's commit).
// Callers queue and suspend without holding a thread; one task on the drive's pool drains
// the queue into a single synced WriteBatch, so one WAL fsync carries every commit that
// arrived while the previous one was on disk, then resumes each caller on its executor.
#include <bitset>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/local/local_drive.h"
#include "storage/local/namespace_store.h"
#include "storage/local/pending_commit.h"

namespace cairn::storage {
namespace {

// Validates a metadata write: names, data dir. The volume is checked by the caller.
Status CheckWrite(const meta::FileInfo& fi, bool data_dir_ok) {
  if (!keys::Valid(fi.volume) || !keys::Valid(fi.name)) {
    return Status(Errc::kInvalidArgument, "volume or key empty or with NUL");
  }
  if (!fi.data_dir.empty() && !data_dir_ok) {
    return Status(Errc::kInvalidArgument, "bad data dir");
  }
  return Status::Ok();
}

}  // namespace

void LocalDrive::EnqueueCommit(std::unique_ptr<internal::PendingCommit> commit) {
  bool start = false;
  {
    std::lock_guard lock(commit_mu_);
    commit_queue_.push_back(std::move(commit));
    start = !std::exchange(committing_, true);
  }
  if (start) {
    boost::asio::post(*pool_, [this] { RunCommits(); });
  }
}

void LocalDrive::RunCommits() {
  std::vector<std::unique_ptr<internal::PendingCommit>> batch;
  for (;;) {
    {
      std::lock_guard lock(commit_mu_);
      if (commit_queue_.empty()) {
        committing_ = false;
        return;
      }
      batch.swap(commit_queue_);
    }
    std::vector<std::unique_ptr<internal::PendingCommit>> deferred;
    CommitBatch(batch, deferred);
    for (auto& commit : batch) {
      if (commit) {
        commit->Complete();
      }
    }
    batch.clear();
    if (!deferred.empty()) {
      std::lock_guard lock(commit_mu_);
      commit_queue_.insert(commit_queue_.begin(), std::make_move_iterator(deferred.begin()),
                           std::make_move_iterator(deferred.end()));
    }
  }
}

void LocalDrive::CommitBatch(std::vector<std::unique_ptr<internal::PendingCommit>>& batch,
                             std::vector<std::unique_ptr<internal::PendingCommit>>& deferred) {
  // Once per batch, here on the drive's pool: CheckSpace may statvfs (and resume RocksDB),
  // which must not run on the network thread that queued the commit.
  const Status space = CheckSpace();
  std::shared_lock vlock(volumes_mu_);
  std::bitset<kEntryLockStripes> stripes;
  std::vector<internal::PendingCommit*> valid;
  std::unordered_set<std::string> keys_in_batch;
  for (auto& commit : batch) {
    const meta::FileInfo& fi = commit->fi;
    Status checked =
        space.ok() ? CheckWrite(fi, fi.data_dir.empty() || ValidDataDir(fi.data_dir)) : space;
    if (checked.ok() && volumes_.find(fi.volume) == volumes_.end()) {
      checked = Status(Errc::kVolumeNotFound, fi.volume);
    }
    if (!checked.ok()) {
      commit->result = std::move(checked);
      continue;
    }
    if (!keys_in_batch.insert(keys::Object(fi.volume, fi.name)).second) {
      // A second write of the object: it must see what the first one wrote (records of the
      // versions family too), so it waits for the next batch.
      deferred.push_back(std::move(commit));
      continue;
    }
    stripes.set(EntryStripe(fi.volume, fi.name));
    valid.push_back(commit.get());
  }
  for (std::size_t i = 0; i < kEntryLockStripes; ++i) {
    if (stripes.test(i)) {
      entry_locks_[i].lock();
    }
  }
  // The data a commit replaces stays until its writer settles it (PurgeReplaced or
  // RevertCommit), so each commit's result carries what it replaced.
  rocksdb::WriteBatch wb;
  bool any = false;
  for (internal::PendingCommit* commit : valid) {
    const meta::FileInfo& fi = commit->fi;
    CommitUndo undo;
    Result<EntryWrite> write = MergeEntry(keys::Object(fi.volume, fi.name), fi, undo);
    if (!write.ok()) {
      commit->result = write.status();
      continue;
    }
    write->AddTo(wb, *store_);
    any = true;
    commit->result = std::move(undo);
  }
  Status st = Status::Ok();
  if (any) {
    st = store_->Write(wb);
  }
  for (std::size_t i = kEntryLockStripes; i-- > 0;) {
    if (stripes.test(i)) {
      entry_locks_[i].unlock();
    }
  }
  vlock.unlock();
  if (!st.ok()) {
    for (internal::PendingCommit* commit : valid) {
      if (commit->result.ok()) {
        commit->result = st;
      }
    }
  }
}

Task<Result<CommitUndo>> LocalDrive::WriteMetadata(const RequestContext&,
                                                   const meta::FileInfo& fi) {
  co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                                 void(Result<CommitUndo>)>(
      [this, &fi](auto handler) {
        using Handler = decltype(handler);
        EnqueueCommit(
            std::make_unique<internal::PendingCommitFor<Handler>>(std::move(handler), fi));
      },
      boost::asio::use_awaitable);
}

}  // namespace cairn::storage
