// FakeHealAdmin: a HealAdmin that answers the heal and drive-status methods from fields the
// test sets, and records what StartHeal and StopHeal were asked. Single-threaded.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "heal/heal_admin.h"

namespace cairn::admin::testing {

class FakeHealAdmin final : public heal::HealAdmin {
 public:
  // What the heal methods answer.
  std::map<std::string, heal::HealProgress> sequences;
  std::vector<heal::DriveStatus> drives;
  heal::HealCounters counters;
  Status start_error = Status::Ok();
  std::string next_id = "seq-1";
  // What StartHeal was called with.
  int starts = 0;
  heal::HealScope last_scope;
  heal::HealSequenceOptions last_options;

  Task<Result<std::string>> StartHeal(const RequestContext&, const heal::HealScope& scope,
                                      const heal::HealSequenceOptions& opts) override {
    ++starts;
    last_scope = scope;
    last_options = opts;
    if (!start_error.ok()) {
      co_return start_error;
    }
    co_return next_id;
  }

  Result<heal::HealProgress> GetHealProgress(std::string_view id) const override {
    auto it = sequences.find(std::string(id));
    if (it == sequences.end()) {
      return Status(Errc::kNotFound, "no heal sequence " + std::string(id));
    }
    return it->second;
  }

  Status StopHeal(std::string_view id) override {
    auto it = sequences.find(std::string(id));
    if (it == sequences.end()) {
      return Status(Errc::kNotFound, "no heal sequence " + std::string(id));
    }
    it->second.state = heal::HealSequenceState::kStopped;
    return Status::Ok();
  }

  std::vector<heal::HealProgress> ListHeals() const override {
    std::vector<heal::HealProgress> out;
    for (const auto& [id, p] : sequences) {
      out.push_back(p);
    }
    return out;
  }

  Task<std::vector<heal::DriveStatus>> GetDriveStatus(const RequestContext&) override {
    co_return drives;
  }

  heal::HealCounters GetHealCounters() const override { return counters; }
};

}  // namespace cairn::admin::testing
