// Quorum reduction: how per-drive results become one answer. Every fan-out in the object
// layer ends in ReduceQuorum, and every drive error crosses into object errors through the
// one ToObjectError mapping, so the S3 layer only ever sees object-level codes.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "common/errc.h"
#include "common/status.h"

namespace cairn::object {

// The code that at least `quorum` entries share (kOk counts like any code; on a tie the
// more frequent code wins, then kOk); `insufficient` when no code reaches quorum.
Errc ReduceErrc(std::span<const Errc> codes, std::size_t quorum, Errc insufficient);

// Maps a drive error to the object error a client sees. Drive-health errors (offline,
// faulty, corrupt, ...) become `quorum_error` (kReadQuorum or kWriteQuorum).
Errc ToObjectError(Errc drive_error, Errc quorum_error);
Status ToObjectError(const Status& drive_status, Errc quorum_error);

inline const Status& StatusOf(const Status& s) {
  return s;
}

template <class T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// ReduceQuorum over the results of a FanOut (Status or Result<T>): Ok when at least
// `quorum` drives succeeded; else the majority error mapped by ToObjectError; else
// `quorum_error`.
template <class R>
Status ReduceQuorum(const std::vector<R>& results, std::size_t quorum, Errc quorum_error) {
  std::vector<Errc> codes;
  codes.reserve(results.size());
  for (const auto& r : results) {
    codes.push_back(r.ok() ? Errc::kOk : StatusOf(r).code());
  }
  Errc c = ReduceErrc(codes, quorum, quorum_error);
  if (c == Errc::kOk) {
    return Status::Ok();
  }
  for (const auto& r : results) {
    if (!r.ok() && StatusOf(r).code() == c) {
      return ToObjectError(StatusOf(r), quorum_error);
    }
  }
  return Status(c, c == quorum_error ? "not enough drives agree" : "");
}

}  // namespace cairn::object
