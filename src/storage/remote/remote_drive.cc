#include "storage/remote/remote_drive.h"

#include <algorithm>
#include <cstring>

#include "storage/remote/remote_codec.h"

namespace cairn::storage {

namespace m = rpc::method;
using meta::WireReader;
using meta::WireWriter;
using remote::Encode;

namespace {

// The most shard bytes one ReadAt call asks for; larger reads take several calls.
constexpr std::size_t kReadCallBytes = 4 << 20;

Status Malformed(std::string_view endpoint) {
  return Status(Errc::kInternal, "a malformed RPC reply from " + std::string(endpoint));
}

// The CommitUndo of a WriteMetadata, RenameData or CompleteUpload reply.
Result<CommitUndo> DecodeUndo(const Result<std::string>& reply, std::string_view endpoint) {
  if (!reply.ok()) {
    return reply.status();
  }
  CommitUndo undo;
  meta::WireReader rd(*reply);
  if (!remote::GetCommitUndo(rd, undo)) {
    return Malformed(endpoint);
  }
  return undo;
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
      const std::string args = Encode([&](WireWriter& w) {
        w.Str(data_dir_);
        w.Signed(part_);
        w.Varint(offset + done);
        w.Varint(want);
        w.Varint(handle_);
      });
      auto r = co_await drive_.Call(ctx_, m::kReadAt, args);
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

Task<Result<DiskInfo>> RemoteDrive::GetDiskInfo(const RequestContext& ctx) {
  auto r = co_await Call(ctx, m::kDiskInfo, "");
  if (!r.ok()) {
    co_return r.status();
  }
  DiskInfo info;
  WireReader rd(*r);
  if (!remote::GetDiskInfo(rd, info)) {
    co_return Malformed(endpoint_);
  }
  info.endpoint = endpoint_;
  co_return info;
}

Task<Result<std::string>> RemoteDrive::ReadFormat(const RequestContext& ctx) {
  co_return co_await Call(ctx, m::kReadFormat, "");
}

Task<Status> RemoteDrive::WriteFormat(const RequestContext& ctx, std::string_view format_json) {
  co_return (co_await Call(ctx, m::kWriteFormat, format_json)).status();
}

Task<Status> RemoteDrive::MakeVolume(const RequestContext& ctx, std::string_view volume,
                                     std::string_view meta) {
  co_return (co_await Call(ctx, m::kMakeVolume, Encode([&](WireWriter& w) {
                             w.Str(volume);
                             w.Str(meta);
                           })))
      .status();
}

Task<Result<VolumeInfo>> RemoteDrive::StatVolume(const RequestContext& ctx,
                                                 std::string_view volume) {
  auto r = co_await Call(ctx, m::kStatVolume, Encode([&](WireWriter& w) { w.Str(volume); }));
  if (!r.ok()) {
    co_return r.status();
  }
  VolumeInfo v;
  WireReader rd(*r);
  if (!remote::GetVolume(rd, v)) {
    co_return Malformed(endpoint_);
  }
  co_return v;
}

Task<Result<std::vector<VolumeInfo>>> RemoteDrive::ListVolumes(const RequestContext& ctx) {
  auto r = co_await Call(ctx, m::kListVolumes, "");
  if (!r.ok()) {
    co_return r.status();
  }
  std::vector<VolumeInfo> out;
  WireReader rd(*r);
  if (!remote::GetList(rd, out, remote::GetVolume)) {
    co_return Malformed(endpoint_);
  }
  co_return out;
}

Task<Status> RemoteDrive::UpdateVolumeMeta(const RequestContext& ctx, std::string_view volume,
                                           std::string_view meta) {
  co_return (co_await Call(ctx, m::kUpdateVolumeMeta, Encode([&](WireWriter& w) {
                             w.Str(volume);
                             w.Str(meta);
                           })))
      .status();
}

Task<Status> RemoteDrive::DeleteVolume(const RequestContext& ctx, std::string_view volume,
                                       bool force) {
  co_return (co_await Call(ctx, m::kDeleteVolume, Encode([&](WireWriter& w) {
                             w.Str(volume);
                             w.U8(force ? 1 : 0);
                           })))
      .status();
}

Task<Result<CommitUndo>> RemoteDrive::WriteMetadata(const RequestContext& ctx,
                                                    const meta::FileInfo& fi) {
  auto r = co_await Call(ctx, m::kWriteMetadata,
                         Encode([&](WireWriter& w) { remote::PutFileInfo(w, fi); }));
  co_return DecodeUndo(r, endpoint_);
}

Task<Result<CommitUndo>> RemoteDrive::RenameData(const RequestContext& ctx,
                                                 const meta::FileInfo& fi,
                                                 std::string_view tmp_dir) {
  auto r = co_await Call(ctx, m::kRenameData, Encode([&](WireWriter& w) {
                           remote::PutFileInfo(w, fi);
                           w.Str(tmp_dir);
                         }));
  co_return DecodeUndo(r, endpoint_);
}

Task<Status> RemoteDrive::RevertCommit(const RequestContext& ctx, const meta::FileInfo& fi,
                                       const CommitUndo& undo) {
  co_return (co_await Call(ctx, m::kRevertCommit, Encode([&](WireWriter& w) {
                             remote::PutFileInfo(w, fi);
                             remote::PutCommitUndo(w, undo);
                           })))
      .status();
}

Task<Status> RemoteDrive::PurgeReplaced(const RequestContext& ctx, std::string_view volume,
                                        std::string_view key, std::string_view data_dir) {
  co_return (co_await Call(ctx, m::kPurgeReplaced, Encode([&](WireWriter& w) {
                             w.Str(volume);
                             w.Str(key);
                             w.Str(data_dir);
                           })))
      .status();
}

Task<Result<meta::FileInfo>> RemoteDrive::ReadVersion(const RequestContext& ctx,
                                                      std::string_view volume, std::string_view key,
                                                      std::string_view version_id, bool read_data) {
  auto r = co_await Call(ctx, m::kReadVersion, Encode([&](WireWriter& w) {
                           w.Str(volume);
                           w.Str(key);
                           w.Str(version_id);
                           w.U8(read_data ? 1 : 0);
                         }));
  if (!r.ok()) {
    co_return r.status();
  }
  meta::FileInfo fi;
  WireReader rd(*r);
  if (!remote::GetFileInfo(rd, fi)) {
    co_return Malformed(endpoint_);
  }
  co_return fi;
}

Task<Result<std::vector<meta::FileInfo>>> RemoteDrive::ReadVersions(const RequestContext& ctx,
                                                                    std::string_view volume,
                                                                    std::string_view key) {
  auto r = co_await Call(ctx, m::kReadVersions, Encode([&](WireWriter& w) {
                           w.Str(volume);
                           w.Str(key);
                         }));
  if (!r.ok()) {
    co_return r.status();
  }
  std::vector<meta::FileInfo> out;
  WireReader rd(*r);
  if (!remote::GetList(rd, out, remote::GetFileInfo)) {
    co_return Malformed(endpoint_);
  }
  co_return out;
}

Task<Status> RemoteDrive::DeleteVersion(const RequestContext& ctx, const meta::FileInfo& fi) {
  co_return (co_await Call(ctx, m::kDeleteVersion,
                           Encode([&](WireWriter& w) { remote::PutFileInfo(w, fi); })))
      .status();
}

Task<Result<std::vector<ListEntry>>> RemoteDrive::ListObjects(const RequestContext& ctx,
                                                              std::string_view volume,
                                                              const ListOptions& opts) {
  auto r = co_await Call(ctx, m::kListObjects, Encode([&](WireWriter& w) {
                           w.Str(volume);
                           remote::PutListOptions(w, opts);
                         }));
  if (!r.ok()) {
    co_return r.status();
  }
  std::vector<ListEntry> out;
  WireReader rd(*r);
  if (!remote::GetList(rd, out, remote::GetListEntry)) {
    co_return Malformed(endpoint_);
  }
  co_return out;
}

Task<Result<std::unique_ptr<ShardWriter>>> RemoteDrive::CreateFile(const RequestContext& ctx,
                                                                   std::string_view tmp_path) {
  auto up = co_await client_->OpenUpload(ctx, m::kCreateFile, path_, tmp_path);
  if (!up.ok()) {
    co_return Translate(up.status());
  }
  co_return std::unique_ptr<ShardWriter>(
      std::make_unique<RemoteShardWriter>(std::move(*up), endpoint_));
}

Task<Result<std::unique_ptr<ShardReader>>> RemoteDrive::OpenShard(const RequestContext& ctx,
                                                                  std::string_view data_dir,
                                                                  int part_number) {
  auto r = co_await Call(ctx, m::kShardSize, Encode([&](WireWriter& w) {
                           w.Str(data_dir);
                           w.Signed(part_number);
                         }));
  if (!r.ok()) {
    co_return r.status();
  }
  std::uint64_t size = 0;
  std::uint64_t handle = 0;
  WireReader rd(*r);
  if (!rd.Varint(size) || !rd.Varint(handle)) {
    co_return Malformed(endpoint_);
  }
  co_return std::unique_ptr<ShardReader>(std::make_unique<RemoteShardReader>(
      *this, ctx, std::string(data_dir), part_number, size, handle));
}

Task<Status> RemoteDrive::DeleteTmp(const RequestContext& ctx, std::string_view tmp_dir) {
  co_return (co_await Call(ctx, m::kDeleteTmp, Encode([&](WireWriter& w) { w.Str(tmp_dir); })))
      .status();
}

Task<Status> RemoteDrive::PutUpload(const RequestContext& ctx, std::string_view volume,
                                    const MultipartUpload& upload) {
  co_return (co_await Call(ctx, m::kPutUpload, Encode([&](WireWriter& w) {
                             w.Str(volume);
                             remote::PutUpload(w, upload);
                           })))
      .status();
}

Task<Result<MultipartUpload>> RemoteDrive::ReadUpload(const RequestContext& ctx,
                                                      std::string_view volume, std::string_view key,
                                                      std::string_view upload_id) {
  auto r = co_await Call(ctx, m::kReadUpload, Encode([&](WireWriter& w) {
                           w.Str(volume);
                           w.Str(key);
                           w.Str(upload_id);
                         }));
  if (!r.ok()) {
    co_return r.status();
  }
  MultipartUpload u;
  WireReader rd(*r);
  if (!remote::GetUpload(rd, u)) {
    co_return Malformed(endpoint_);
  }
  co_return u;
}

Task<Result<std::vector<MultipartUpload>>> RemoteDrive::ListUploads(
    const RequestContext& ctx, std::string_view volume, std::string_view prefix,
    std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) {
  auto r = co_await Call(ctx, m::kListUploads, Encode([&](WireWriter& w) {
                           w.Str(volume);
                           w.Str(prefix);
                           w.Str(key_marker);
                           w.Str(upload_id_marker);
                           w.Varint(limit);
                         }));
  if (!r.ok()) {
    co_return r.status();
  }
  std::vector<MultipartUpload> out;
  WireReader rd(*r);
  if (!remote::GetList(rd, out, remote::GetUpload)) {
    co_return Malformed(endpoint_);
  }
  co_return out;
}

Task<Status> RemoteDrive::CommitPart(const RequestContext& ctx, std::string_view volume,
                                     std::string_view key, std::string_view upload_id,
                                     const meta::ObjectPart& part, std::string_view tmp_dir) {
  co_return (co_await Call(ctx, m::kCommitPart, Encode([&](WireWriter& w) {
                             w.Str(volume);
                             w.Str(key);
                             w.Str(upload_id);
                             remote::PutPart(w, part);
                             w.Str(tmp_dir);
                           })))
      .status();
}

Task<Result<std::vector<meta::ObjectPart>>> RemoteDrive::ListParts(const RequestContext& ctx,
                                                                   std::string_view volume,
                                                                   std::string_view key,
                                                                   std::string_view upload_id) {
  auto r = co_await Call(ctx, m::kListParts, Encode([&](WireWriter& w) {
                           w.Str(volume);
                           w.Str(key);
                           w.Str(upload_id);
                         }));
  if (!r.ok()) {
    co_return r.status();
  }
  std::vector<meta::ObjectPart> out;
  WireReader rd(*r);
  if (!remote::GetList(rd, out, remote::GetPart)) {
    co_return Malformed(endpoint_);
  }
  co_return out;
}

Task<Result<CommitUndo>> RemoteDrive::CompleteUpload(const RequestContext& ctx,
                                                     std::string_view upload_id,
                                                     const meta::FileInfo& fi) {
  auto r = co_await Call(ctx, m::kCompleteUpload, Encode([&](WireWriter& w) {
                           w.Str(upload_id);
                           remote::PutFileInfo(w, fi);
                         }));
  co_return DecodeUndo(r, endpoint_);
}

Task<Status> RemoteDrive::AbortUpload(const RequestContext& ctx, std::string_view volume,
                                      std::string_view key, std::string_view upload_id) {
  co_return (co_await Call(ctx, m::kAbortUpload, Encode([&](WireWriter& w) {
                             w.Str(volume);
                             w.Str(key);
                             w.Str(upload_id);
                           })))
      .status();
}

Task<Result<std::string>> RemoteDrive::ReadSystemRecord(const RequestContext& ctx,
                                                        std::string_view name) {
  co_return co_await Call(ctx, m::kReadSystemRecord, Encode([&](WireWriter& w) { w.Str(name); }));
}

Task<Status> RemoteDrive::WriteSystemRecord(const RequestContext& ctx, std::string_view name,
                                            std::string_view value) {
  co_return (co_await Call(ctx, m::kWriteSystemRecord, Encode([&](WireWriter& w) {
                             w.Str(name);
                             w.Str(value);
                           })))
      .status();
}

Task<Status> RemoteDrive::DeleteSystemRecord(const RequestContext& ctx, std::string_view name) {
  co_return (
      co_await Call(ctx, m::kDeleteSystemRecord, Encode([&](WireWriter& w) { w.Str(name); })))
      .status();
}

Task<Result<OrphanStats>> RemoteDrive::RemoveOrphanData(const RequestContext& ctx,
                                                        const OrphanCleanupOptions& opts) {
  auto r = co_await Call(ctx, m::kRemoveOrphanData,
                         Encode([&](WireWriter& w) { remote::PutOrphanOptions(w, opts); }));
  if (!r.ok()) {
    co_return r.status();
  }
  OrphanStats stats;
  WireReader rd(*r);
  if (!remote::GetOrphanStats(rd, stats)) {
    co_return Malformed(endpoint_);
  }
  co_return stats;
}

}  // namespace cairn::storage
