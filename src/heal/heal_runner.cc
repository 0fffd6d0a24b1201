#include "heal/heal_runner.h"

#include <boost/asio/co_spawn.hpp>

#include "common/log.h"
#include "object/object_util.h"

namespace cairn::heal {

namespace {

constexpr std::chrono::hours kKeepFinished{1};

// Owns `body` (a coroutine lambda refers to its captures through the closure) while it runs.
Task<Status> RunBody(std::function<Task<Status>()> body) {
  Status st = co_await body();
  co_return st;
}

}  // namespace

HealRunner::HealRunner(boost::asio::thread_pool& pool, std::size_t finished_kept)
    : strand_(boost::asio::make_strand(pool.get_executor())), finished_kept_(finished_kept) {}

HealRunner::~HealRunner() {
  Stop();
}

bool HealRunner::Spawn(std::shared_ptr<HealSequence> seq, std::function<Task<Status>()> body) {
  if (stopping() || !gate_.Enter()) {
    return false;
  }
  if (seq) {
    Register(seq);
  }
  boost::asio::co_spawn(strand_, RunBody(std::move(body)),
                        [this, seq](std::exception_ptr e, Status st) {
                          if (e) {
                            LOG_ERROR("heal: a heal coroutine stopped on an exception");
                            st = Status(Errc::kInternal, "exception in a heal sequence");
                          }
                          if (seq) {
                            Finish(*seq, st);
                          }
                          gate_.Leave();
                        });
  return true;
}

void HealRunner::Register(std::shared_ptr<HealSequence> seq) {
  std::lock_guard lock(mu_);
  seqs_.push_back(std::move(seq));
  PruneLocked();
}

void HealRunner::PruneLocked() {
  const std::int64_t oldest =
      object::NowNs() - std::chrono::duration_cast<std::chrono::nanoseconds>(kKeepFinished).count();
  std::size_t finished = 0;
  for (const auto& s : seqs_) {
    finished += s->running() ? 0 : 1;
  }
  std::erase_if(seqs_, [&](const std::shared_ptr<HealSequence>& s) {
    if (s->running()) {
      return false;
    }
    const HealProgress snap = s->Snapshot();
    if (finished > finished_kept_ || snap.ended_ns < oldest) {
      --finished;
      return true;
    }
    return false;
  });
}

void HealRunner::Finish(HealSequence& seq, const Status& st) {
  seq.Update([&](HealProgress& p) {
    if (st.ok()) {
      p.state = HealSequenceState::kDone;
    } else if (st.code() == Errc::kCancelled) {
      p.state = HealSequenceState::kStopped;
    } else {
      p.state = HealSequenceState::kFailed;
      p.error = st.ToString();
    }
    p.ended_ns = object::NowNs();
  });
}

void HealRunner::Stop() {
  stop_ = true;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : seqs_) {
      s->Stop();
    }
  }
  gate_.Close();
}

std::shared_ptr<HealSequence> HealRunner::RunningAdmin(const HealScope& scope) const {
  std::lock_guard lock(mu_);
  for (const auto& s : seqs_) {
    const HealProgress snap = s->Snapshot();
    if (snap.state == HealSequenceState::kRunning && snap.kind == HealSequenceKind::kAdmin &&
        snap.scope.bucket == scope.bucket && snap.scope.prefix == scope.prefix) {
      return s;
    }
  }
  return nullptr;
}

Result<HealProgress> HealRunner::Progress(std::string_view id) const {
  std::lock_guard lock(mu_);
  for (const auto& s : seqs_) {
    if (s->id() == id) {
      return s->Snapshot();
    }
  }
  return Status(Errc::kNotFound, "no heal sequence " + std::string(id));
}

Status HealRunner::StopSequence(std::string_view id) {
  std::lock_guard lock(mu_);
  for (const auto& s : seqs_) {
    if (s->id() == id) {
      s->Stop();
      return Status::Ok();
    }
  }
  return Status(Errc::kNotFound, "no heal sequence " + std::string(id));
}

std::vector<HealProgress> HealRunner::List() const {
  std::lock_guard lock(mu_);
  std::vector<HealProgress> out;
  for (const auto& s : seqs_) {
    out.push_back(s->Snapshot());
  }
  return out;
}

std::map<std::string, std::string> HealRunner::RunningDriveHeals() const {
  std::map<std::string, std::string> out;
  std::lock_guard lock(mu_);
  for (const auto& s : seqs_) {
    const HealProgress p = s->Snapshot();
    if (p.kind == HealSequenceKind::kDrive && p.state == HealSequenceState::kRunning) {
      out[p.drive] = p.id;
    }
  }
  return out;
}

}  // namespace cairn::heal
