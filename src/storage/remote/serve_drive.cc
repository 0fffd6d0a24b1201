// ServeDrive: the server half of RemoteDrive. Each call declared in drive_rpc.h has one
// handler here, `Serve(served, ctx, call)`, which takes the decoded arguments and returns the
// call's Reply; RegisterCall decodes, dispatches and encodes, for every call in DriveCalls.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "storage/remote/drive_rpc.h"
#include "storage/remote/remote_drive.h"

namespace cairn::storage {

namespace {

using remote::Done;

Status BadArgs() {
  return Status(Errc::kInvalidArgument, "malformed RPC arguments");
}

Result<Done> Finished(Status st) {
  if (!st.ok()) {
    return st;
  }
  return Done{};
}

// The shards this drive holds open for remote readers. OpenShard (ShardSize) opens the file
// and answers a handle; ReadAt with that handle reads the open file, so a reader keeps the
// version's data after the object is replaced or deleted, as a local reader does (GetObject
// releases the object's lock once its shards are open). A handle closes when a read reaches
// the shard's end, after kIdle without a read, or, least recently used first, past kMax;
// a ReadAt whose handle is gone opens the file by its path again.
class OpenShards {
 public:
  static constexpr std::size_t kMax = 256;
  static constexpr std::chrono::seconds kIdle{60};

  std::uint64_t Add(std::unique_ptr<ShardReader> reader, std::string data_dir, std::int64_t part) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    for (auto it = open_.begin(); it != open_.end();) {
      it = now - it->second.used > kIdle ? open_.erase(it) : std::next(it);
    }
    if (open_.size() >= kMax) {
      auto oldest = open_.begin();
      for (auto it = open_.begin(); it != open_.end(); ++it) {
        if (it->second.used < oldest->second.used) {
          oldest = it;
        }
      }
      open_.erase(oldest);
    }
    const std::uint64_t handle = ++next_;
    open_.emplace(handle, Entry{std::move(reader), std::move(data_dir), part, now});
    return handle;
  }

  // The open reader of `handle` if it is that shard's, else null.
  std::shared_ptr<ShardReader> Find(std::uint64_t handle, std::string_view data_dir,
                                    std::int64_t part) {
    std::lock_guard lock(mu_);
    auto it = open_.find(handle);
    if (it == open_.end() || it->second.data_dir != data_dir || it->second.part != part) {
      return nullptr;
    }
    it->second.used = std::chrono::steady_clock::now();
    return it->second.reader;
  }

  void Close(std::uint64_t handle) {
    std::lock_guard lock(mu_);
    open_.erase(handle);
  }

 private:
  struct Entry {
    std::shared_ptr<ShardReader> reader;
    std::string data_dir;
    std::int64_t part = 0;
    std::chrono::steady_clock::time_point used;
  };

  std::mutex mu_;
  std::unordered_map<std::uint64_t, Entry> open_;
  std::uint64_t next_ = 0;
};

// What the handlers of one served drive share.
struct Served {
  StorageApi& drive;
  OpenShards shards;
};

// The handlers, one per call of DriveCalls.

Task<Result<DiskInfo>> Serve(Served& s, const RequestContext& ctx, const remote::DiskInfoCall&) {
  co_return co_await s.drive.GetDiskInfo(ctx);
}

Task<Result<std::string>> Serve(Served& s, const RequestContext& ctx,
                                const remote::ReadFormatCall&) {
  co_return co_await s.drive.ReadFormat(ctx);
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::WriteFormatCall& a) {
  co_return Finished(co_await s.drive.WriteFormat(ctx, a.format_json));
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::MakeVolumeCall& a) {
  co_return Finished(co_await s.drive.MakeVolume(ctx, a.volume, a.meta));
}

Task<Result<VolumeInfo>> Serve(Served& s, const RequestContext& ctx,
                               const remote::StatVolumeCall& a) {
  co_return co_await s.drive.StatVolume(ctx, a.volume);
}

Task<Result<std::vector<VolumeInfo>>> Serve(Served& s, const RequestContext& ctx,
                                            const remote::ListVolumesCall&) {
  co_return co_await s.drive.ListVolumes(ctx);
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx,
                         const remote::UpdateVolumeMetaCall& a) {
  co_return Finished(co_await s.drive.UpdateVolumeMeta(ctx, a.volume, a.meta));
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::DeleteVolumeCall& a) {
  co_return Finished(co_await s.drive.DeleteVolume(ctx, a.volume, a.force));
}

Task<Result<CommitUndo>> Serve(Served& s, const RequestContext& ctx,
                               const remote::WriteMetadataCall& a) {
  co_return co_await s.drive.WriteMetadata(ctx, *a.fi);
}

Task<Result<CommitUndo>> Serve(Served& s, const RequestContext& ctx,
                               const remote::RenameDataCall& a) {
  co_return co_await s.drive.RenameData(ctx, *a.fi, a.tmp_dir);
}

Task<Result<meta::FileInfo>> Serve(Served& s, const RequestContext& ctx,
                                   const remote::ReadVersionCall& a) {
  co_return co_await s.drive.ReadVersion(ctx, a.volume, a.key, a.version_id, a.read_data);
}

Task<Result<std::vector<meta::FileInfo>>> Serve(Served& s, const RequestContext& ctx,
                                                const remote::ReadVersionsCall& a) {
  co_return co_await s.drive.ReadVersions(ctx, a.volume, a.key);
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::DeleteVersionCall& a) {
  co_return Finished(co_await s.drive.DeleteVersion(ctx, *a.fi));
}

Task<Result<std::vector<ListEntry>>> Serve(Served& s, const RequestContext& ctx,
                                           const remote::ListObjectsCall& a) {
  co_return co_await s.drive.ListObjects(ctx, a.volume, *a.opts);
}

// Streamed: the body is the shard's bytes.
Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::CreateFileCall& a,
                         ByteSource& body) {
  auto writer = co_await s.drive.CreateFile(ctx, a.tmp_path);
  if (!writer.ok()) {
    co_return writer.status();
  }
  std::vector<std::byte> buf(256 << 10);
  for (;;) {
    auto n = co_await body.Read(buf);
    if (!n.ok()) {
      co_return n.status();
    }
    if (*n == 0) {
      break;
    }
    Status st = co_await (*writer)->Write(std::span<const std::byte>(buf.data(), *n));
    if (!st.ok()) {
      co_return st;
    }
  }
  co_return Finished(co_await (*writer)->Close());
}

Task<Result<remote::ShardOpened>> Serve(Served& s, const RequestContext& ctx,
                                        const remote::ShardSizeCall& a) {
  auto reader = co_await s.drive.OpenShard(ctx, a.data_dir, static_cast<int>(a.part));
  if (!reader.ok()) {
    co_return reader.status();
  }
  remote::ShardOpened out;
  out.size = (*reader)->size();
  out.handle = s.shards.Add(std::move(reader).value(), std::string(a.data_dir), a.part);
  co_return out;
}

Task<Result<std::string>> Serve(Served& s, const RequestContext& ctx, const remote::ReadAtCall& a) {
  std::shared_ptr<ShardReader> reader =
      a.handle != 0 ? s.shards.Find(a.handle, a.data_dir, a.part) : nullptr;
  if (!reader) {
    auto opened = co_await s.drive.OpenShard(ctx, a.data_dir, static_cast<int>(a.part));
    if (!opened.ok()) {
      co_return opened.status();
    }
    reader = std::move(opened).value();
  }
  std::string out(a.length, '\0');
  auto n = co_await reader->ReadAt(
      a.offset, std::span<std::byte>(reinterpret_cast<std::byte*>(out.data()), out.size()));
  if (!n.ok()) {
    co_return n.status();
  }
  out.resize(*n);
  if (a.handle != 0 && a.offset + *n >= reader->size()) {
    s.shards.Close(a.handle);
  }
  co_return out;
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::DeleteTmpCall& a) {
  co_return Finished(co_await s.drive.DeleteTmp(ctx, a.tmp_dir));
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::PutUploadCall& a) {
  co_return Finished(co_await s.drive.PutUpload(ctx, a.volume, *a.upload));
}

Task<Result<MultipartUpload>> Serve(Served& s, const RequestContext& ctx,
                                    const remote::ReadUploadCall& a) {
  co_return co_await s.drive.ReadUpload(ctx, a.volume, a.key, a.upload_id);
}

Task<Result<std::vector<MultipartUpload>>> Serve(Served& s, const RequestContext& ctx,
                                                 const remote::ListUploadsCall& a) {
  co_return co_await s.drive.ListUploads(ctx, a.volume, a.prefix, a.key_marker, a.upload_id_marker,
                                         static_cast<std::size_t>(a.limit));
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::CommitPartCall& a) {
  co_return Finished(
      co_await s.drive.CommitPart(ctx, a.volume, a.key, a.upload_id, *a.part, a.tmp_dir));
}

Task<Result<std::vector<meta::ObjectPart>>> Serve(Served& s, const RequestContext& ctx,
                                                  const remote::ListPartsCall& a) {
  co_return co_await s.drive.ListParts(ctx, a.volume, a.key, a.upload_id);
}

Task<Result<CommitUndo>> Serve(Served& s, const RequestContext& ctx,
                               const remote::CompleteUploadCall& a) {
  co_return co_await s.drive.CompleteUpload(ctx, a.fi->volume, a.fi->name, a.upload_id, *a.fi);
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::AbortUploadCall& a) {
  co_return Finished(co_await s.drive.AbortUpload(ctx, a.volume, a.key, a.upload_id));
}

Task<Result<std::string>> Serve(Served& s, const RequestContext& ctx,
                                const remote::ReadSystemRecordCall& a) {
  co_return co_await s.drive.ReadSystemRecord(ctx, a.name);
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx,
                         const remote::WriteSystemRecordCall& a) {
  co_return Finished(co_await s.drive.WriteSystemRecord(ctx, a.name, a.value));
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx,
                         const remote::DeleteSystemRecordCall& a) {
  co_return Finished(co_await s.drive.DeleteSystemRecord(ctx, a.name));
}

Task<Result<OrphanStats>> Serve(Served& s, const RequestContext& ctx,
                                const remote::RemoveOrphanDataCall& a) {
  co_return co_await s.drive.RemoveOrphanData(ctx, *a.opts);
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::RevertCommitCall& a) {
  co_return Finished(co_await s.drive.RevertCommit(ctx, *a.fi, *a.undo));
}

Task<Result<Done>> Serve(Served& s, const RequestContext& ctx, const remote::PurgeReplacedCall& a) {
  co_return Finished(co_await s.drive.PurgeReplaced(ctx, a.volume, a.key, a.data_dir));
}

// The reply body of a handler's result.
template <class Reply>
Result<std::string> EncodeReply(Result<Reply> reply) {
  if (!reply.ok()) {
    return reply.status();
  }
  if constexpr (std::is_same_v<Reply, std::string>) {
    return reply;  // the raw bytes (a shard block, a record): no copy
  } else {
    std::string out;
    meta::WireWriter w(out);
    remote::PutReply(w, *reply);
    return out;
  }
}

// Registers call C's handler: decodes its arguments (malformed: kInvalidArgument, a 400),
// serves it, encodes its Reply.
template <class C>
void RegisterCall(rpc::Server& server, const std::string& resource,
                  const std::shared_ptr<Served>& served) {
  if constexpr (C::kInfo.streamed) {
    server.RegisterStream(C::kInfo.id, resource,
                          [served](const RequestContext& ctx, std::string_view args,
                                   ByteSource& body) -> Task<Result<std::string>> {
                            C call;
                            meta::WireReader r(args);
                            if (!call.Get(r)) {
                              co_return BadArgs();
                            }
                            auto reply = co_await Serve(*served, ctx, call, body);
                            co_return EncodeReply(std::move(reply));
                          });
  } else {
    server.Register(
        C::kInfo.id, resource,
        [served](const RequestContext& ctx, std::string_view args) -> Task<Result<std::string>> {
          C call;
          meta::WireReader r(args);
          if (!call.Get(r)) {
            co_return BadArgs();
          }
          auto reply = co_await Serve(*served, ctx, call);
          co_return EncodeReply(std::move(reply));
        });
  }
}

template <class... Calls>
void RegisterAll(remote::CallList<Calls...>, rpc::Server& server, const std::string& resource,
                 const std::shared_ptr<Served>& served) {
  (RegisterCall<Calls>(server, resource, served), ...);
}

}  // namespace

void ServeDrive(rpc::Server& server, StorageApi& drive, std::string_view name) {
  const std::string resource(name.empty() ? drive.endpoint() : std::string(name));
  auto served = std::make_shared<Served>(drive);
  RegisterAll(remote::DriveCalls{}, server, resource, served);
}

}  // namespace cairn::storage
