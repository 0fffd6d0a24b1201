// FaultyDrive: wraps a StorageApi and injects faults for the object layer's tests: offline
// (every call fails with kDiskNotFound), failing writes or commits, and corrupt reads (a flipped
// byte in every shard block read and in inline data). Built on storage::ForwardingDrive; with
// no fault set it behaves as its target (the storage conformance suite checks that).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "storage/forwarding_drive.h"
#include "storage/storage_api.h"

namespace cairn::testing {

class FaultyDrive final : public storage::ForwardingDrive {
 public:
  explicit FaultyDrive(std::shared_ptr<storage::StorageApi> inner)
      : ForwardingDrive(std::move(inner)) {}

  std::atomic<bool> offline{false};
  std::atomic<bool> fail_writes{false};
  std::atomic<bool> corrupt_reads{false};
  std::atomic<bool> corrupt_metadata{false};  // ReadVersion answers kFileCorrupt
  // The commit calls (WriteMetadata, RenameData, CompleteUpload) fail with kFaultyDisk while
  // every other write works: a drive lost between the shard write and the commit.
  std::atomic<bool> fail_commits{false};
  std::atomic<int> reverts{0};  // RevertCommit calls
  // Awaited before the next MakeVolume reaches the drive (once; set before the call races).
  std::function<Task<void>()> before_make_volume;

  bool IsOnline() const override { return !offline && target().IsOnline(); }

  // Always nullopt, so that every read meets the injected faults in ReadVersion.
  std::optional<Result<meta::FileInfo>> ReadVersionNow(const RequestContext&, std::string_view,
                                                       std::string_view, std::string_view,
                                                       bool) override {
    return std::nullopt;
  }

  Task<Result<storage::DiskInfo>> GetDiskInfo(const RequestContext& ctx) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().GetDiskInfo(ctx);
  }

  Task<Result<std::string>> ReadFormat(const RequestContext& ctx) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().ReadFormat(ctx);
  }

  Task<Status> WriteFormat(const RequestContext& ctx, std::string_view f) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().WriteFormat(ctx, f);
  }

  Task<Status> MakeVolume(const RequestContext& ctx, std::string_view v,
                          std::string_view m) override {
    CO_RETURN_IF_ERROR(Writable());
    if (auto hook = std::exchange(before_make_volume, nullptr)) {
      co_await hook();
    }
    co_return co_await target().MakeVolume(ctx, v, m);
  }

  Task<Result<storage::VolumeInfo>> StatVolume(const RequestContext& ctx,
                                               std::string_view v) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().StatVolume(ctx, v);
  }

  Task<Result<std::vector<storage::VolumeInfo>>> ListVolumes(const RequestContext& ctx) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().ListVolumes(ctx);
  }

  Task<Status> UpdateVolumeMeta(const RequestContext& ctx, std::string_view v,
                                std::string_view m) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().UpdateVolumeMeta(ctx, v, m);
  }

  Task<Status> DeleteVolume(const RequestContext& ctx, std::string_view v, bool force) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().DeleteVolume(ctx, v, force);
  }

  Task<Result<storage::CommitUndo>> WriteMetadata(const RequestContext& ctx,
                                                  const meta::FileInfo& fi) override {
    CO_RETURN_IF_ERROR(Committable());
    co_return co_await target().WriteMetadata(ctx, fi);
  }

  Task<Result<storage::CommitUndo>> RenameData(const RequestContext& ctx, const meta::FileInfo& fi,
                                               std::string_view tmp) override {
    CO_RETURN_IF_ERROR(Committable());
    co_return co_await target().RenameData(ctx, fi, tmp);
  }

  Task<Status> RevertCommit(const RequestContext& ctx, const meta::FileInfo& fi,
                            const storage::CommitUndo& undo) override {
    CO_RETURN_IF_ERROR(Writable());
    ++reverts;
    co_return co_await target().RevertCommit(ctx, fi, undo);
  }

  Task<Status> PurgeReplaced(const RequestContext& ctx, std::string_view v, std::string_view k,
                             std::string_view dir) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().PurgeReplaced(ctx, v, k, dir);
  }

  Task<Result<meta::FileInfo>> ReadVersion(const RequestContext& ctx, std::string_view v,
                                           std::string_view k, std::string_view id,
                                           bool read_data) override {
    CO_RETURN_IF_ERROR(Up());
    if (corrupt_metadata) {
      co_return Status(Errc::kFileCorrupt, "injected: corrupt metadata entry");
    }
    auto r = co_await target().ReadVersion(ctx, v, k, id, read_data);
    if (r.ok() && corrupt_reads && r->inline_data.size() > 40) {
      r->inline_data[40] ^= 0x5a;
    }
    co_return r;
  }

  Task<Result<std::vector<meta::FileInfo>>> ReadVersions(const RequestContext& ctx,
                                                         std::string_view v,
                                                         std::string_view k) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().ReadVersions(ctx, v, k);
  }

  Task<Status> DeleteVersion(const RequestContext& ctx, const meta::FileInfo& fi) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().DeleteVersion(ctx, fi);
  }

  Task<Result<std::vector<storage::ListEntry>>> ListObjects(
      const RequestContext& ctx, std::string_view v, const storage::ListOptions& o) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().ListObjects(ctx, v, o);
  }

  Task<Result<std::unique_ptr<storage::ShardWriter>>> CreateFile(const RequestContext& ctx,
                                                                 std::string_view p) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().CreateFile(ctx, p);
  }

  Task<Result<std::unique_ptr<storage::ShardReader>>> OpenShard(const RequestContext& ctx,
                                                                std::string_view dir,
                                                                int part) override {
    CO_RETURN_IF_ERROR(Up());
    auto r = co_await target().OpenShard(ctx, dir, part);
    if (!r.ok()) {
      co_return r.status();
    }
    co_return std::unique_ptr<storage::ShardReader>(
        std::make_unique<Reader>(this, std::move(r).value()));
  }

  Task<Status> DeleteTmp(const RequestContext& ctx, std::string_view t) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().DeleteTmp(ctx, t);
  }

  Task<Status> PutUpload(const RequestContext& ctx, std::string_view v,
                         const storage::MultipartUpload& u) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().PutUpload(ctx, v, u);
  }

  Task<Result<storage::MultipartUpload>> ReadUpload(const RequestContext& ctx, std::string_view v,
                                                    std::string_view k,
                                                    std::string_view id) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().ReadUpload(ctx, v, k, id);
  }

  Task<Result<std::vector<storage::MultipartUpload>>> ListUploads(
      const RequestContext& ctx, std::string_view v, std::string_view prefix, std::string_view km,
      std::string_view im, std::size_t limit) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().ListUploads(ctx, v, prefix, km, im, limit);
  }

  Task<Status> CommitPart(const RequestContext& ctx, std::string_view v, std::string_view k,
                          std::string_view id, const meta::ObjectPart& p,
                          std::string_view t) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().CommitPart(ctx, v, k, id, p, t);
  }

  Task<Result<std::vector<meta::ObjectPart>>> ListParts(const RequestContext& ctx,
                                                        std::string_view v, std::string_view k,
                                                        std::string_view id) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().ListParts(ctx, v, k, id);
  }

  Task<Result<storage::CommitUndo>> CompleteUpload(const RequestContext& ctx, std::string_view v,
                                                   std::string_view k, std::string_view id,
                                                   const meta::FileInfo& fi) override {
    CO_RETURN_IF_ERROR(Committable());
    co_return co_await target().CompleteUpload(ctx, v, k, id, fi);
  }

  Task<Status> AbortUpload(const RequestContext& ctx, std::string_view v, std::string_view k,
                           std::string_view id) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().AbortUpload(ctx, v, k, id);
  }

  Task<Result<std::string>> ReadSystemRecord(const RequestContext& ctx,
                                             std::string_view name) override {
    CO_RETURN_IF_ERROR(Up());
    co_return co_await target().ReadSystemRecord(ctx, name);
  }

  Task<Status> WriteSystemRecord(const RequestContext& ctx, std::string_view name,
                                 std::string_view value) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().WriteSystemRecord(ctx, name, value);
  }

  Task<Status> DeleteSystemRecord(const RequestContext& ctx, std::string_view name) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().DeleteSystemRecord(ctx, name);
  }

  Task<Result<storage::OrphanStats>> RemoveOrphanData(
      const RequestContext& ctx, const storage::OrphanCleanupOptions& opts) override {
    CO_RETURN_IF_ERROR(Writable());
    co_return co_await target().RemoveOrphanData(ctx, opts);
  }

 private:
  class Reader final : public storage::ShardReader {
   public:
    Reader(FaultyDrive* d, std::unique_ptr<storage::ShardReader> inner)
        : drive_(d), inner_(std::move(inner)) {}

    std::uint64_t size() const override { return inner_->size(); }

    Task<Result<std::size_t>> ReadAt(std::uint64_t off, std::span<std::byte> buf) override {
      CO_RETURN_IF_ERROR(drive_->Up());
      auto n = co_await inner_->ReadAt(off, buf);
      if (n.ok() && drive_->corrupt_reads && *n > 40) {
        buf[40] ^= std::byte{0x5a};
      }
      co_return n;
    }

   private:
    FaultyDrive* drive_;
    std::unique_ptr<storage::ShardReader> inner_;
  };

  Status Up() const {
    return offline ? Status(Errc::kDiskNotFound, "injected: offline") : Status::Ok();
  }

  Status Writable() const {
    if (offline) {
      return Status(Errc::kDiskNotFound, "injected: offline");
    }
    return fail_writes ? Status(Errc::kFaultyDisk, "injected: write failure") : Status::Ok();
  }

  Status Committable() const {
    RETURN_IF_ERROR(Writable());
    return fail_commits ? Status(Errc::kFaultyDisk, "injected: commit failure") : Status::Ok();
  }
};

}  // namespace cairn::testing
