// RemoteDrive: the StorageApi of a drive on another node, one RPC hop away (DESIGN.md
// section 2). Every call is an rpc::Client call to the peer that holds the drive, addressed
// by the drive's path; shard data streams in bounded blocks (a ShardWriter is one streamed
// upload, a ShardReader reads one block per call). A network failure, a timeout or a refused
// token become kDiskNotFound, so the erasure layer sees an offline drive. ServeDrive is the
// server half: it registers a local drive's methods on an rpc::Server.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "rpc/client.h"
#include "rpc/server.h"
#include "storage/storage_api.h"

namespace cairn::storage {

class RemoteDrive final : public StorageApi {
 public:
  // `client` talks to the node holding the drive; `endpoint` is the drive's URL for logs
  // ("http://node2:9000/srv/d1"); `path` is the drive's name on that node (the URL's path).
  RemoteDrive(std::shared_ptr<rpc::Client> client, std::string endpoint, std::string path);

  std::string endpoint() const override { return endpoint_; }

  // The peer's state: false while its rpc::Client marks it offline.
  bool IsOnline() const override { return client_->online(); }

  // Its ShardWriter sends each Write as one chunk straight from the caller's buffer, but a
  // remote writer counts as much as a local one (1 MiB + 4 KiB), as before the contract
  // named it: the budget also bounds how many writes a node has in flight.
  std::size_t max_writer_buffer_bytes() const override { return (std::size_t{1} << 20) + 4096; }

  Task<Result<DiskInfo>> GetDiskInfo(const RequestContext& ctx) override;
  Task<Result<std::string>> ReadFormat(const RequestContext& ctx) override;
  Task<Status> WriteFormat(const RequestContext& ctx, std::string_view format_json) override;

  Task<Status> MakeVolume(const RequestContext& ctx, std::string_view volume,
                          std::string_view meta) override;
  Task<Result<VolumeInfo>> StatVolume(const RequestContext& ctx, std::string_view volume) override;
  Task<Result<std::vector<VolumeInfo>>> ListVolumes(const RequestContext& ctx) override;
  Task<Status> UpdateVolumeMeta(const RequestContext& ctx, std::string_view volume,
                                std::string_view meta) override;
  Task<Status> DeleteVolume(const RequestContext& ctx, std::string_view volume,
                            bool force) override;

  Task<Result<CommitUndo>> WriteMetadata(const RequestContext& ctx,
                                         const meta::FileInfo& fi) override;
  Task<Status> RevertCommit(const RequestContext& ctx, const meta::FileInfo& fi,
                            const CommitUndo& undo) override;
  Task<Status> PurgeReplaced(const RequestContext& ctx, std::string_view volume,
                             std::string_view key, std::string_view data_dir) override;
  Task<Result<CommitUndo>> RenameData(const RequestContext& ctx, const meta::FileInfo& fi,
                                      std::string_view tmp_dir) override;
  // Always nullopt: every answer is one RPC away.
  std::optional<Result<meta::FileInfo>> ReadVersionNow(const RequestContext& ctx,
                                                       std::string_view volume,
                                                       std::string_view key,
                                                       std::string_view version_id,
                                                       bool read_data) override;
  Task<Result<meta::FileInfo>> ReadVersion(const RequestContext& ctx, std::string_view volume,
                                           std::string_view key, std::string_view version_id,
                                           bool read_data) override;
  Task<Result<std::vector<meta::FileInfo>>> ReadVersions(const RequestContext& ctx,
                                                         std::string_view volume,
                                                         std::string_view key) override;
  Task<Status> DeleteVersion(const RequestContext& ctx, const meta::FileInfo& fi) override;

  Task<Result<std::vector<ListEntry>>> ListObjects(const RequestContext& ctx,
                                                   std::string_view volume,
                                                   const ListOptions& opts) override;

  Task<Result<std::unique_ptr<ShardWriter>>> CreateFile(const RequestContext& ctx,
                                                        std::string_view tmp_path) override;
  Task<Result<std::unique_ptr<ShardReader>>> OpenShard(const RequestContext& ctx,
                                                       std::string_view data_dir,
                                                       int part_number) override;
  Task<Status> DeleteTmp(const RequestContext& ctx, std::string_view tmp_dir) override;

  Task<Status> PutUpload(const RequestContext& ctx, std::string_view volume,
                         const MultipartUpload& upload) override;
  Task<Result<MultipartUpload>> ReadUpload(const RequestContext& ctx, std::string_view volume,
                                           std::string_view key,
                                           std::string_view upload_id) override;
  Task<Result<std::vector<MultipartUpload>>> ListUploads(
      const RequestContext& ctx, std::string_view volume, std::string_view prefix,
      std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) override;
  Task<Status> CommitPart(const RequestContext& ctx, std::string_view volume, std::string_view key,
                          std::string_view upload_id, const meta::ObjectPart& part,
                          std::string_view tmp_dir) override;
  Task<Result<std::vector<meta::ObjectPart>>> ListParts(const RequestContext& ctx,
                                                        std::string_view volume,
                                                        std::string_view key,
                                                        std::string_view upload_id) override;
  Task<Result<CommitUndo>> CompleteUpload(const RequestContext& ctx, std::string_view volume,
                                          std::string_view key, std::string_view upload_id,
                                          const meta::FileInfo& fi) override;
  Task<Status> AbortUpload(const RequestContext& ctx, std::string_view volume, std::string_view key,
                           std::string_view upload_id) override;

  Task<Result<std::string>> ReadSystemRecord(const RequestContext& ctx,
                                             std::string_view name) override;
  Task<Status> WriteSystemRecord(const RequestContext& ctx, std::string_view name,
                                 std::string_view value) override;
  Task<Status> DeleteSystemRecord(const RequestContext& ctx, std::string_view name) override;
  Task<Result<OrphanStats>> RemoveOrphanData(const RequestContext& ctx,
                                             const OrphanCleanupOptions& opts) override;

  // One RPC to this drive: network failures become kDiskNotFound naming the drive.
  Task<Result<std::string>> Call(const RequestContext& ctx, rpc::MethodId method,
                                 std::string_view body);
  // One declared call (drive_rpc.h): encodes `call`, sends it, decodes its Reply
  // (kInternal for a malformed reply). Defined in remote_drive.cc, its only user.
  template <class C>
  Task<Result<typename C::Reply>> Invoke(const RequestContext& ctx, const C& call);

 private:
  Status Translate(Status st) const;

  std::shared_ptr<rpc::Client> client_;
  std::string endpoint_;
  std::string path_;
};

// Serves `drive` on `server` under `name` (empty: drive.endpoint()), the path that the
// RemoteDrives of other nodes address it by. The drive must outlive the registration
// (remove it with server.Unregister(name)).
void ServeDrive(rpc::Server& server, StorageApi& drive, std::string_view name = {});

}  // namespace cairn::storage
