#include "storage/remote/remote_drive.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "storage/remote/drive_rpc.h"

namespace cairn::storage {

namespace m = rpc::method;
using remote::EncodeArgs;

namespace {

// The most shard bytes one ReadAt call asks for; larger reads take several calls.
constexpr std::size_t kReadCallBytes = 4 << 20;

Status Malformed(std::string_view endpoint) {
  return Status(Errc::kInternal, "a malformed RPC reply from " + std::string(endpoint));
}

// The Reply decoded from a call's reply body.
template <class Reply>
Result<Reply> DecodeReply(Result<std::string> body, std::string_view endpoint) {
  if (!body.ok()) {
    return body.status();
  }
  Reply reply;
  meta::WireReader rd(*body);
  if (!remote::GetReply(rd, reply)) {
    return Malformed(endpoint);
  }
  return reply;
}

class RemoteShardWriter final : public ShardWriter {
 public:
  RemoteShardWriter(std::unique_ptr<rpc::UploadStream> up, std::string endpoint)
      : up_(std::move(up)), endpoint_(std::move(endpoint)) {}

  Task<Status> Write(std::span<const std::byte> data) override {
    co_return Translate(co_await up_->Write(data));
  }

  Task<Status> Close() override {
    auto r = co_await up_->Finish();
    co_return Translate(r.status());
  }

 private:
  Status Translate(Status st) const {
    switch (st.code()) {
      case Errc::kNodeOffline:
      case Errc::kTimeout:
      case Errc::kRpcUnauthenticated:
        return Status(Errc::kDiskNotFound, endpoint_ + ": " + st.message());
      default:
        return st;
    }
  }

  std::unique_ptr<rpc::UploadStream> up_;
  std::string endpoint_;
};

class RemoteShardReader final : public ShardReader {
 public:
  RemoteShardReader(RemoteDrive& drive, RequestContext ctx, std::string data_dir, int part,
                    std::uint64_t size, std::uint64_t handle)
      : drive_(drive),
        ctx_(std::move(ctx)),
        data_dir_(std::move(data_dir)),
        part_(part),
        size_(size),
        handle_(handle) {}

  std::uint64_t size() const override { return size_; }

  Task<Result<std::size_t>> ReadAt(std::uint64_t offset, std::span<std::byte> buf) override {
    std::size_t done = 0;
    while (done < buf.size()) {
      const std::size_t want = std::min(buf.size() - done, kReadCallBytes);
      const remote::ReadAtCall call{.data_dir = data_dir_,
                                    .part = part_,
                                    .offset = offset + done,
                                    .length = want,
                                    .handle = handle_};
      auto r = co_await drive_.Invoke(ctx_, call);
      if (!r.ok()) {
        co_return r.status();
      }
      if (r->size() > want) {
        co_return Malformed(drive_.endpoint());
      }
      std::memcpy(buf.data() + done, r->data(), r->size());
      done += r->size();
      if (r->size() < want) {
        break;  // the end of the shard
      }
    }
    co_return done;
  }

 private:
  RemoteDrive& drive_;
  const RequestContext ctx_;
  const std::string data_dir_;
  const int part_;
  const std::uint64_t size_;
  const std::uint64_t handle_;  // the serving drive's open file (0: none; it opens by path)
};

}  // namespace

RemoteDrive::RemoteDrive(std::shared_ptr<rpc::Client> client, std::string endpoint,
                         std::string path)
    : client_(std::move(client)), endpoint_(std::move(endpoint)), path_(std::move(path)) {}

Status RemoteDrive::Translate(Status st) const {
  switch (st.code()) {
    case Errc::kNodeOffline:
    case Errc::kTimeout:
    case Errc::kRpcUnauthenticated:
    case Errc::kRequestTimeTooSkewed:
      return Status(Errc::kDiskNotFound, endpoint_ + ": " + st.message());
    default:
      return st;
  }
}

Task<Result<std::string>> RemoteDrive::Call(const RequestContext& ctx, rpc::MethodId method,
                                            std::string_view body) {
  auto r = co_await client_->Call(ctx, method, path_, body);
  if (!r.ok()) {
    co_return Translate(r.status());
  }
  co_return r;
}

template <class C>
Task<Result<typename C::Reply>> RemoteDrive::Invoke(const RequestContext& ctx, const C& call) {
  const std::string args = EncodeArgs(call);
  auto r = co_await Call(ctx, C::kInfo.id, args);
  if constexpr (std::is_same_v<typename C::Reply, std::string>) {
    co_return r;  // the raw body (a shard block, a record): no decode, no copy
  } else {
    co_return DecodeReply<typename C::Reply>(std::move(r), endpoint_);
  }
}

Task<Result<DiskInfo>> RemoteDrive::GetDiskInfo(const RequestContext& ctx) {
  const remote::DiskInfoCall call;
  auto info = co_await Invoke(ctx, call);
  if (info.ok()) {
    info->endpoint = endpoint_;
  }
  co_return info;
}

Task<Result<std::string>> RemoteDrive::ReadFormat(const RequestContext& ctx) {
  const remote::ReadFormatCall call;
  co_return co_await Invoke(ctx, call);
}

Task<Status> RemoteDrive::WriteFormat(const RequestContext& ctx, std::string_view format_json) {
  const remote::WriteFormatCall call{.format_json = format_json};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Status> RemoteDrive::MakeVolume(const RequestContext& ctx, std::string_view volume,
                                     std::string_view meta) {
  const remote::MakeVolumeCall call{.volume = volume, .meta = meta};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Result<VolumeInfo>> RemoteDrive::StatVolume(const RequestContext& ctx,
                                                 std::string_view volume) {
  const remote::StatVolumeCall call{.volume = volume};
  co_return co_await Invoke(ctx, call);
}

Task<Result<std::vector<VolumeInfo>>> RemoteDrive::ListVolumes(const RequestContext& ctx) {
  const remote::ListVolumesCall call;
  co_return co_await Invoke(ctx, call);
}

Task<Status> RemoteDrive::UpdateVolumeMeta(const RequestContext& ctx, std::string_view volume,
                                           std::string_view meta) {
  const remote::UpdateVolumeMetaCall call{.volume = volume, .meta = meta};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Status> RemoteDrive::DeleteVolume(const RequestContext& ctx, std::string_view volume,
                                       bool force) {
  const remote::DeleteVolumeCall call{.volume = volume, .force = force};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Result<CommitUndo>> RemoteDrive::WriteMetadata(const RequestContext& ctx,
                                                    const meta::FileInfo& fi) {
  const remote::WriteMetadataCall call{.fi = fi};
  co_return co_await Invoke(ctx, call);
}

Task<Result<CommitUndo>> RemoteDrive::RenameData(const RequestContext& ctx,
                                                 const meta::FileInfo& fi,
                                                 std::string_view tmp_dir) {
  const remote::RenameDataCall call{.fi = fi, .tmp_dir = tmp_dir};
  co_return co_await Invoke(ctx, call);
}

Task<Status> RemoteDrive::RevertCommit(const RequestContext& ctx, const meta::FileInfo& fi,
                                       const CommitUndo& undo) {
  const remote::RevertCommitCall call{.fi = fi, .undo = undo};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Status> RemoteDrive::PurgeReplaced(const RequestContext& ctx, std::string_view volume,
                                        std::string_view key, std::string_view data_dir) {
  const remote::PurgeReplacedCall call{.volume = volume, .key = key, .data_dir = data_dir};
  co_return (co_await Invoke(ctx, call)).status();
}

std::optional<Result<meta::FileInfo>> RemoteDrive::ReadVersionNow(const RequestContext&,
                                                                  std::string_view,
                                                                  std::string_view,
                                                                  std::string_view, bool) {
  return std::nullopt;
}

Task<Result<meta::FileInfo>> RemoteDrive::ReadVersion(const RequestContext& ctx,
                                                      std::string_view volume, std::string_view key,
                                                      std::string_view version_id, bool read_data) {
  const remote::ReadVersionCall call{
      .volume = volume, .key = key, .version_id = version_id, .read_data = read_data};
  co_return co_await Invoke(ctx, call);
}

Task<Result<std::vector<meta::FileInfo>>> RemoteDrive::ReadVersions(const RequestContext& ctx,
                                                                    std::string_view volume,
                                                                    std::string_view key) {
  const remote::ReadVersionsCall call{.volume = volume, .key = key};
  co_return co_await Invoke(ctx, call);
}

Task<Status> RemoteDrive::DeleteVersion(const RequestContext& ctx, const meta::FileInfo& fi) {
  const remote::DeleteVersionCall call{.fi = fi};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Result<std::vector<ListEntry>>> RemoteDrive::ListObjects(const RequestContext& ctx,
                                                              std::string_view volume,
                                                              const ListOptions& opts) {
  const remote::ListObjectsCall call{.volume = volume, .opts = opts};
  co_return co_await Invoke(ctx, call);
}

Task<Result<std::unique_ptr<ShardWriter>>> RemoteDrive::CreateFile(const RequestContext& ctx,
                                                                   std::string_view tmp_path) {
  const remote::CreateFileCall call{.tmp_path = tmp_path};
  const std::string args = EncodeArgs(call);
  auto up = co_await client_->OpenUpload(ctx, remote::CreateFileCall::kInfo.id, path_, args);
  if (!up.ok()) {
    co_return Translate(up.status());
  }
  co_return std::unique_ptr<ShardWriter>(
      std::make_unique<RemoteShardWriter>(std::move(*up), endpoint_));
}

Task<Result<std::unique_ptr<ShardReader>>> RemoteDrive::OpenShard(const RequestContext& ctx,
                                                                  std::string_view data_dir,
                                                                  int part_number) {
  const remote::ShardSizeCall call{.data_dir = data_dir, .part = part_number};
  auto r = co_await Invoke(ctx, call);
  if (!r.ok()) {
    co_return r.status();
  }
  co_return std::unique_ptr<ShardReader>(std::make_unique<RemoteShardReader>(
      *this, ctx, std::string(data_dir), part_number, r->size, r->handle));
}

Task<Status> RemoteDrive::DeleteTmp(const RequestContext& ctx, std::string_view tmp_dir) {
  const remote::DeleteTmpCall call{.tmp_dir = tmp_dir};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Status> RemoteDrive::PutUpload(const RequestContext& ctx, std::string_view volume,
                                    const MultipartUpload& upload) {
  const remote::PutUploadCall call{.volume = volume, .upload = upload};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Result<MultipartUpload>> RemoteDrive::ReadUpload(const RequestContext& ctx,
                                                      std::string_view volume, std::string_view key,
                                                      std::string_view upload_id) {
  const remote::ReadUploadCall call{.volume = volume, .key = key, .upload_id = upload_id};
  co_return co_await Invoke(ctx, call);
}

Task<Result<std::vector<MultipartUpload>>> RemoteDrive::ListUploads(
    const RequestContext& ctx, std::string_view volume, std::string_view prefix,
    std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) {
  const remote::ListUploadsCall call{.volume = volume,
                                     .prefix = prefix,
                                     .key_marker = key_marker,
                                     .upload_id_marker = upload_id_marker,
                                     .limit = limit};
  co_return co_await Invoke(ctx, call);
}

Task<Status> RemoteDrive::CommitPart(const RequestContext& ctx, std::string_view volume,
                                     std::string_view key, std::string_view upload_id,
                                     const meta::ObjectPart& part, std::string_view tmp_dir) {
  const remote::CommitPartCall call{
      .volume = volume, .key = key, .upload_id = upload_id, .part = part, .tmp_dir = tmp_dir};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Result<std::vector<meta::ObjectPart>>> RemoteDrive::ListParts(const RequestContext& ctx,
                                                                   std::string_view volume,
                                                                   std::string_view key,
                                                                   std::string_view upload_id) {
  const remote::ListPartsCall call{.volume = volume, .key = key, .upload_id = upload_id};
  co_return co_await Invoke(ctx, call);
}

Task<Result<CommitUndo>> RemoteDrive::CompleteUpload(const RequestContext& ctx,
                                                     std::string_view volume, std::string_view key,
                                                     std::string_view upload_id,
                                                     const meta::FileInfo& fi) {
  if (volume != fi.volume || key != fi.name) {
    co_return Status(Errc::kInvalidArgument, "the upload's volume and key differ from fi's");
  }
  const remote::CompleteUploadCall call{.upload_id = upload_id, .fi = fi};
  co_return co_await Invoke(ctx, call);
}

Task<Status> RemoteDrive::AbortUpload(const RequestContext& ctx, std::string_view volume,
                                      std::string_view key, std::string_view upload_id) {
  const remote::AbortUploadCall call{.volume = volume, .key = key, .upload_id = upload_id};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Result<std::string>> RemoteDrive::ReadSystemRecord(const RequestContext& ctx,
                                                        std::string_view name) {
  const remote::ReadSystemRecordCall call{.name = name};
  co_return co_await Invoke(ctx, call);
}

Task<Status> RemoteDrive::WriteSystemRecord(const RequestContext& ctx, std::string_view name,
                                            std::string_view value) {
  const remote::WriteSystemRecordCall call{.name = name, .value = value};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Status> RemoteDrive::DeleteSystemRecord(const RequestContext& ctx, std::string_view name) {
  const remote::DeleteSystemRecordCall call{.name = name};
  co_return (co_await Invoke(ctx, call)).status();
}

Task<Result<OrphanStats>> RemoteDrive::RemoveOrphanData(const RequestContext& ctx,
                                                        const OrphanCleanupOptions& opts) {
  const remote::RemoveOrphanDataCall call{.opts = opts};
  co_return co_await Invoke(ctx, call);
}

}  // namespace cairn::storage
