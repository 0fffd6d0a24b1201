// ForwardingDrive: a StorageApi that forwards every method to a target drive (LevelDB's
// EnvWrapper pattern). A wrapper (a fault injector in tests, a drive that counts or checks
// calls) derives from it and overrides only the methods it changes, so adding a StorageApi
// method means one forwarder here instead of one in every wrapper.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/storage_api.h"

namespace cairn::storage {

class ForwardingDrive : public StorageApi {
 public:
  // `target` must not be null; the wrapper shares its ownership.
  explicit ForwardingDrive(std::shared_ptr<StorageApi> target) : target_(std::move(target)) {}

  // The drive calls are forwarded to.
  StorageApi& target() const { return *target_; }

  // Each forwarder returns the target's own task: the arguments must outlive its co_await,
  // as for a direct call to the target.
  std::string endpoint() const override { return target_->endpoint(); }

  bool IsOnline() const override { return target_->IsOnline(); }

  std::size_t max_writer_buffer_bytes() const override {
    return target_->max_writer_buffer_bytes();
  }

  Task<Result<DiskInfo>> GetDiskInfo(const RequestContext& ctx) override {
    return target_->GetDiskInfo(ctx);
  }

  Task<Result<std::string>> ReadFormat(const RequestContext& ctx) override {
    return target_->ReadFormat(ctx);
  }

  Task<Status> WriteFormat(const RequestContext& ctx, std::string_view format_json) override {
    return target_->WriteFormat(ctx, format_json);
  }

  Task<Status> MakeVolume(const RequestContext& ctx, std::string_view volume,
                          std::string_view meta) override {
    return target_->MakeVolume(ctx, volume, meta);
  }

  Task<Result<VolumeInfo>> StatVolume(const RequestContext& ctx, std::string_view volume) override {
    return target_->StatVolume(ctx, volume);
  }

  Task<Result<std::vector<VolumeInfo>>> ListVolumes(const RequestContext& ctx) override {
    return target_->ListVolumes(ctx);
  }

  Task<Status> UpdateVolumeMeta(const RequestContext& ctx, std::string_view volume,
                                std::string_view meta) override {
    return target_->UpdateVolumeMeta(ctx, volume, meta);
  }

  Task<Status> DeleteVolume(const RequestContext& ctx, std::string_view volume,
                            bool force) override {
    return target_->DeleteVolume(ctx, volume, force);
  }

  Task<Result<CommitUndo>> WriteMetadata(const RequestContext& ctx,
                                         const meta::FileInfo& fi) override {
    return target_->WriteMetadata(ctx, fi);
  }

  Task<Result<CommitUndo>> RenameData(const RequestContext& ctx, const meta::FileInfo& fi,
                                      std::string_view tmp_dir) override {
    return target_->RenameData(ctx, fi, tmp_dir);
  }

  Task<Status> RevertCommit(const RequestContext& ctx, const meta::FileInfo& fi,
                            const CommitUndo& undo) override {
    return target_->RevertCommit(ctx, fi, undo);
  }

  Task<Status> PurgeReplaced(const RequestContext& ctx, std::string_view volume,
                             std::string_view key, std::string_view data_dir) override {
    return target_->PurgeReplaced(ctx, volume, key, data_dir);
  }

  Task<Result<meta::FileInfo>> ReadVersion(const RequestContext& ctx, std::string_view volume,
                                           std::string_view key, std::string_view version_id,
                                           bool read_data) override {
    return target_->ReadVersion(ctx, volume, key, version_id, read_data);
  }

  std::optional<Result<meta::FileInfo>> ReadVersionNow(const RequestContext& ctx,
                                                       std::string_view volume,
                                                       std::string_view key,
                                                       std::string_view version_id,
                                                       bool read_data) override {
    return target_->ReadVersionNow(ctx, volume, key, version_id, read_data);
  }

  Task<Result<std::vector<meta::FileInfo>>> ReadVersions(const RequestContext& ctx,
                                                         std::string_view volume,
                                                         std::string_view key) override {
    return target_->ReadVersions(ctx, volume, key);
  }

  Task<Status> DeleteVersion(const RequestContext& ctx, const meta::FileInfo& fi) override {
    return target_->DeleteVersion(ctx, fi);
  }

  Task<Result<std::vector<ListEntry>>> ListObjects(const RequestContext& ctx,
                                                   std::string_view volume,
                                                   const ListOptions& opts) override {
    return target_->ListObjects(ctx, volume, opts);
  }

  Task<Result<std::unique_ptr<ShardWriter>>> CreateFile(const RequestContext& ctx,
                                                        std::string_view tmp_path) override {
    return target_->CreateFile(ctx, tmp_path);
  }

  Task<Result<std::unique_ptr<ShardReader>>> OpenShard(const RequestContext& ctx,
                                                       std::string_view data_dir,
                                                       int part_number) override {
    return target_->OpenShard(ctx, data_dir, part_number);
  }

  Task<Status> DeleteTmp(const RequestContext& ctx, std::string_view tmp_dir) override {
    return target_->DeleteTmp(ctx, tmp_dir);
  }

  Task<Status> PutUpload(const RequestContext& ctx, std::string_view volume,
                         const MultipartUpload& upload) override {
    return target_->PutUpload(ctx, volume, upload);
  }

  Task<Result<MultipartUpload>> ReadUpload(const RequestContext& ctx, std::string_view volume,
                                           std::string_view key,
                                           std::string_view upload_id) override {
    return target_->ReadUpload(ctx, volume, key, upload_id);
  }

  Task<Result<std::vector<MultipartUpload>>> ListUploads(
      const RequestContext& ctx, std::string_view volume, std::string_view prefix,
      std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) override {
    return target_->ListUploads(ctx, volume, prefix, key_marker, upload_id_marker, limit);
  }

  Task<Status> CommitPart(const RequestContext& ctx, std::string_view volume, std::string_view key,
                          std::string_view upload_id, const meta::ObjectPart& part,
                          std::string_view tmp_dir) override {
    return target_->CommitPart(ctx, volume, key, upload_id, part, tmp_dir);
  }

  Task<Result<std::vector<meta::ObjectPart>>> ListParts(const RequestContext& ctx,
                                                        std::string_view volume,
                                                        std::string_view key,
                                                        std::string_view upload_id) override {
    return target_->ListParts(ctx, volume, key, upload_id);
  }

  Task<Result<CommitUndo>> CompleteUpload(const RequestContext& ctx, std::string_view volume,
                                          std::string_view key, std::string_view upload_id,
                                          const meta::FileInfo& fi) override {
    return target_->CompleteUpload(ctx, volume, key, upload_id, fi);
  }

  Task<Status> AbortUpload(const RequestContext& ctx, std::string_view volume, std::string_view key,
                           std::string_view upload_id) override {
    return target_->AbortUpload(ctx, volume, key, upload_id);
  }

  Task<Result<std::string>> ReadSystemRecord(const RequestContext& ctx,
                                             std::string_view name) override {
    return target_->ReadSystemRecord(ctx, name);
  }

  Task<Status> WriteSystemRecord(const RequestContext& ctx, std::string_view name,
                                 std::string_view value) override {
    return target_->WriteSystemRecord(ctx, name, value);
  }

  Task<Status> DeleteSystemRecord(const RequestContext& ctx, std::string_view name) override {
    return target_->DeleteSystemRecord(ctx, name);
  }

  Task<Result<OrphanStats>> RemoveOrphanData(const RequestContext& ctx,
                                             const OrphanCleanupOptions& opts) override {
    return target_->RemoveOrphanData(ctx, opts);
  }

 private:
  std::shared_ptr<StorageApi> target_;
};

}  // namespace cairn::storage
