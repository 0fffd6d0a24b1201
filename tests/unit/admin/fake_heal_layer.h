// FakeHealLayer: an ObjectLayer that only answers the heal and drive-status methods, from
// fields the test sets, and records what StartHeal and StopHeal were asked. Every S3
// operation answers kNotImplemented. Single-threaded.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "object/object_layer.h"

namespace cairn::admin::testing {

class FakeHealLayer final : public object::ObjectLayer {
 public:
  // What the heal methods answer.
  std::map<std::string, object::HealProgress> sequences;
  std::vector<object::DriveStatus> drives;
  object::HealCounters counters;
  Status start_error = Status::Ok();
  std::string next_id = "seq-1";
  // What StartHeal was called with.
  int starts = 0;
  object::HealScope last_scope;
  object::HealSequenceOptions last_options;

  Task<Result<std::string>> StartHeal(const RequestContext&, const object::HealScope& scope,
                                      const object::HealSequenceOptions& opts) override {
    ++starts;
    last_scope = scope;
    last_options = opts;
    if (!start_error.ok()) {
      co_return start_error;
    }
    co_return next_id;
  }

  Result<object::HealProgress> GetHealProgress(std::string_view id) const override {
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
    it->second.state = object::HealSequenceState::kStopped;
    return Status::Ok();
  }

  std::vector<object::HealProgress> ListHeals() const override {
    std::vector<object::HealProgress> out;
    for (const auto& [id, p] : sequences) {
      out.push_back(p);
    }
    return out;
  }

  Task<std::vector<object::DriveStatus>> GetDriveStatus(const RequestContext&) override {
    co_return drives;
  }

  object::HealCounters GetHealCounters() const override { return counters; }

  // The S3 operations: not part of these tests.
  Task<Status> MakeBucket(const RequestContext&, std::string_view, std::string_view) override {
    co_return Unsupported();
  }

  Task<Result<object::BucketInfo>> GetBucketInfo(const RequestContext&, std::string_view) override {
    co_return Unsupported();
  }

  Task<Result<std::vector<object::BucketInfo>>> ListBuckets(const RequestContext&) override {
    co_return Unsupported();
  }

  Task<Status> DeleteBucket(const RequestContext&, std::string_view, bool) override {
    co_return Unsupported();
  }

  Task<Result<object::ObjectInfo>> PutObject(const RequestContext&, std::string_view,
                                             std::string_view, object::HashReader&,
                                             const object::PutOptions&) override {
    co_return Unsupported();
  }

  Task<Result<std::unique_ptr<object::ObjectReader>>> GetObject(
      const RequestContext&, std::string_view, std::string_view,
      const object::GetOptions&) override {
    co_return Unsupported();
  }

  Task<Result<object::ObjectInfo>> GetObjectInfo(const RequestContext&, std::string_view,
                                                 std::string_view,
                                                 const object::GetOptions&) override {
    co_return Unsupported();
  }

  Task<Result<object::ObjectInfo>> DeleteObject(const RequestContext&, std::string_view,
                                                std::string_view,
                                                const object::DeleteOptions&) override {
    co_return Unsupported();
  }

  Task<Result<object::ListResult>> ListObjects(const RequestContext&, std::string_view,
                                               const object::ListOptions&) override {
    co_return Unsupported();
  }

  Task<Result<std::string>> NewMultipartUpload(const RequestContext&, std::string_view,
                                               std::string_view,
                                               const object::PutOptions&) override {
    co_return Unsupported();
  }

  Task<Result<object::PartInfo>> PutObjectPart(const RequestContext&, std::string_view,
                                               std::string_view, std::string_view, int,
                                               object::HashReader&) override {
    co_return Unsupported();
  }

  Task<Result<object::ListPartsResult>> ListObjectParts(const RequestContext&, std::string_view,
                                                        std::string_view, std::string_view, int,
                                                        int) override {
    co_return Unsupported();
  }

  Task<Result<object::ListUploadsResult>> ListMultipartUploads(const RequestContext&,
                                                               std::string_view, std::string_view,
                                                               std::string_view, std::string_view,
                                                               std::string_view, int) override {
    co_return Unsupported();
  }

  Task<Result<object::ObjectInfo>> CompleteMultipartUpload(const RequestContext&, std::string_view,
                                                           std::string_view, std::string_view,
                                                           const std::vector<object::CompletePart>&,
                                                           const object::PutOptions&) override {
    co_return Unsupported();
  }

  Task<Status> AbortMultipartUpload(const RequestContext&, std::string_view, std::string_view,
                                    std::string_view) override {
    co_return Unsupported();
  }

  Task<object::HealthInfo> GetHealth(const RequestContext&) override {
    co_return object::HealthInfo{true, true, 4, 4};
  }

 private:
  static Status Unsupported() { return Status(Errc::kNotImplemented, "fake heal layer"); }
};

}  // namespace cairn::admin::testing
