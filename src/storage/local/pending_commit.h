// PendingCommit: one WriteMetadata waiting in a LocalDrive's group-commit queue. Internal to
// LocalDrive. The committer fills `result`, then calls Complete, which resumes the waiting
// coroutine on its own executor (never on the committer's thread).
#pragma once

#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "common/post_back.h"
#include "common/status.h"
#include "meta/file_info.h"
#include "storage/storage_api.h"

namespace cairn::storage::internal {

struct PendingCommit {
  explicit PendingCommit(const meta::FileInfo& f) : fi(f) {}

  virtual ~PendingCommit() = default;
  // Posts `result` to the waiter. Call once; the object may be destroyed right after.
  virtual void Complete() = 0;

  const meta::FileInfo& fi;  // owned by the waiter, which stays suspended until Complete
  Result<CommitUndo> result;
};

template <class Handler>
class PendingCommitFor final : public PendingCommit {
 public:
  PendingCommitFor(Handler handler, const meta::FileInfo& f)
      : PendingCommit(f),
        handler_(std::move(handler)),
        work_(boost::asio::make_work_guard(boost::asio::get_associated_executor(handler_))) {}

  void Complete() override {
    PostBack(std::move(work_), [handler = std::move(handler_), st = std::move(result)]() mutable {
      std::move(handler)(std::move(st));
    });
  }

 private:
  Handler handler_;
  decltype(boost::asio::make_work_guard(
      boost::asio::get_associated_executor(std::declval<Handler&>()))) work_;
};

}  // namespace cairn::storage::internal
