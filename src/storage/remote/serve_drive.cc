// ServeDrive: the server half of RemoteDrive. Each StorageApi method is one rpc handler
// registered under the drive's name; arguments and results use remote_codec.h.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/remote/remote_codec.h"
#include "storage/remote/remote_drive.h"

namespace cairn::storage {

namespace m = rpc::method;
using meta::WireReader;
using meta::WireWriter;
using remote::Encode;

namespace {

// A handler body: parses its arguments from the reader, calls the drive, returns the reply.
using Body = std::function<Task<Result<std::string>>(StorageApi& drive, const RequestContext& ctx,
                                                     WireReader& args)>;

Status BadArgs() {
  return Status(Errc::kInvalidArgument, "malformed RPC arguments");
}

Result<std::string> Empty(Status st) {
  if (!st.ok()) {
    return st;
  }
  return std::string();
}

Result<std::string> Undo(const Result<CommitUndo>& undo) {
  if (!undo.ok()) {
    return undo.status();
  }
  return Encode([&](WireWriter& w) { remote::PutCommitUndo(w, *undo); });
}

// The shard bytes one ReadAt call may ask for.
constexpr std::uint64_t kMaxReadBlock = 16 << 20;

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

Task<Result<std::string>> DoShardSize(StorageApi& d, OpenShards& shards, const RequestContext& ctx,
                                      WireReader& r) {
  std::string data_dir;
  std::int64_t part = 0;
  if (!r.Str(data_dir) || !r.Signed(part)) {
    co_return BadArgs();
  }
  auto reader = co_await d.OpenShard(ctx, data_dir, static_cast<int>(part));
  if (!reader.ok()) {
    co_return reader.status();
  }
  const std::uint64_t size = (*reader)->size();
  const std::uint64_t handle = shards.Add(std::move(reader).value(), std::move(data_dir), part);
  co_return Encode([&](WireWriter& w) {
    w.Varint(size);
    w.Varint(handle);
  });
}

Task<Result<std::string>> DoReadAt(StorageApi& d, OpenShards& shards, const RequestContext& ctx,
                                   WireReader& r) {
  std::string data_dir;
  std::int64_t part = 0;
  std::uint64_t offset = 0;
  std::uint64_t len = 0;
  std::uint64_t handle = 0;
  if (!r.Str(data_dir) || !r.Signed(part) || !r.Varint(offset) || !r.Varint(len) ||
      len > kMaxReadBlock || (r.remaining() > 0 && !r.Varint(handle))) {
    co_return BadArgs();
  }
  std::shared_ptr<ShardReader> reader = handle != 0 ? shards.Find(handle, data_dir, part) : nullptr;
  if (!reader) {
    auto opened = co_await d.OpenShard(ctx, data_dir, static_cast<int>(part));
    if (!opened.ok()) {
      co_return opened.status();
    }
    reader = std::move(opened).value();
  }
  std::string out(len, '\0');
  auto n = co_await reader->ReadAt(
      offset, std::span<std::byte>(reinterpret_cast<std::byte*>(out.data()), out.size()));
  if (!n.ok()) {
    co_return n.status();
  }
  out.resize(*n);
  if (handle != 0 && offset + *n >= reader->size()) {
    shards.Close(handle);
  }
  co_return out;
}

Task<Result<std::string>> DoCreateFile(StorageApi& d, const RequestContext& ctx,
                                       std::string_view tmp_path, ByteSource& body) {
  auto writer = co_await d.CreateFile(ctx, tmp_path);
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
  co_return Empty(co_await (*writer)->Close());
}

std::vector<std::pair<rpc::MethodId, Body>> Methods() {
  std::vector<std::pair<rpc::MethodId, Body>> t;
  t.emplace_back(
      m::kDiskInfo,
      [](StorageApi& d, const RequestContext& ctx, WireReader&) -> Task<Result<std::string>> {
        auto info = co_await d.GetDiskInfo(ctx);
        if (!info.ok()) {
          co_return info.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutDiskInfo(w, *info); });
      });
  t.emplace_back(
      m::kReadFormat,
      [](StorageApi& d, const RequestContext& ctx, WireReader&) -> Task<Result<std::string>> {
        co_return co_await d.ReadFormat(ctx);
      });
  t.emplace_back(
      m::kWriteFormat,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        co_return Empty(co_await d.WriteFormat(ctx, r.rest()));
      });
  t.emplace_back(
      m::kMakeVolume,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string meta;
        if (!r.Str(volume) || !r.Str(meta)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.MakeVolume(ctx, volume, meta));
      });
  t.emplace_back(
      m::kStatVolume,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        if (!r.Str(volume)) {
          co_return BadArgs();
        }
        auto v = co_await d.StatVolume(ctx, volume);
        if (!v.ok()) {
          co_return v.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutVolume(w, *v); });
      });
  t.emplace_back(
      m::kListVolumes,
      [](StorageApi& d, const RequestContext& ctx, WireReader&) -> Task<Result<std::string>> {
        auto v = co_await d.ListVolumes(ctx);
        if (!v.ok()) {
          co_return v.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutList(w, *v, remote::PutVolume); });
      });
  t.emplace_back(
      m::kUpdateVolumeMeta,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string meta;
        if (!r.Str(volume) || !r.Str(meta)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.UpdateVolumeMeta(ctx, volume, meta));
      });
  t.emplace_back(
      m::kDeleteVolume,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::uint8_t force = 0;
        if (!r.Str(volume) || !r.U8(force)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.DeleteVolume(ctx, volume, force != 0));
      });
  t.emplace_back(
      m::kWriteMetadata,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        meta::FileInfo fi;
        if (!remote::GetFileInfo(r, fi)) {
          co_return BadArgs();
        }
        co_return Undo(co_await d.WriteMetadata(ctx, fi));
      });
  t.emplace_back(
      m::kRenameData,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        meta::FileInfo fi;
        std::string tmp_dir;
        if (!remote::GetFileInfo(r, fi) || !r.Str(tmp_dir)) {
          co_return BadArgs();
        }
        co_return Undo(co_await d.RenameData(ctx, fi, tmp_dir));
      });
  t.emplace_back(
      m::kRevertCommit,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        meta::FileInfo fi;
        CommitUndo undo;
        if (!remote::GetFileInfo(r, fi) || !remote::GetCommitUndo(r, undo)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.RevertCommit(ctx, fi, undo));
      });
  t.emplace_back(
      m::kPurgeReplaced,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string key;
        std::string data_dir;
        if (!r.Str(volume) || !r.Str(key) || !r.Str(data_dir)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.PurgeReplaced(ctx, volume, key, data_dir));
      });
  t.emplace_back(
      m::kReadVersion,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string key;
        std::string version;
        std::uint8_t data = 0;
        if (!r.Str(volume) || !r.Str(key) || !r.Str(version) || !r.U8(data)) {
          co_return BadArgs();
        }
        auto fi = co_await d.ReadVersion(ctx, volume, key, version, data != 0);
        if (!fi.ok()) {
          co_return fi.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutFileInfo(w, *fi); });
      });
  t.emplace_back(
      m::kReadVersions,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string key;
        if (!r.Str(volume) || !r.Str(key)) {
          co_return BadArgs();
        }
        auto v = co_await d.ReadVersions(ctx, volume, key);
        if (!v.ok()) {
          co_return v.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutList(w, *v, remote::PutFileInfo); });
      });
  t.emplace_back(
      m::kDeleteVersion,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        meta::FileInfo fi;
        if (!remote::GetFileInfo(r, fi)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.DeleteVersion(ctx, fi));
      });
  t.emplace_back(
      m::kListObjects,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        ListOptions opts;
        if (!r.Str(volume) || !remote::GetListOptions(r, opts)) {
          co_return BadArgs();
        }
        auto v = co_await d.ListObjects(ctx, volume, opts);
        if (!v.ok()) {
          co_return v.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutList(w, *v, remote::PutListEntry); });
      });
  t.emplace_back(
      m::kDeleteTmp,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string tmp_dir;
        if (!r.Str(tmp_dir)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.DeleteTmp(ctx, tmp_dir));
      });
  t.emplace_back(
      m::kPutUpload,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        MultipartUpload u;
        if (!r.Str(volume) || !remote::GetUpload(r, u)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.PutUpload(ctx, volume, u));
      });
  t.emplace_back(
      m::kReadUpload,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string key;
        std::string id;
        if (!r.Str(volume) || !r.Str(key) || !r.Str(id)) {
          co_return BadArgs();
        }
        auto u = co_await d.ReadUpload(ctx, volume, key, id);
        if (!u.ok()) {
          co_return u.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutUpload(w, *u); });
      });
  t.emplace_back(
      m::kListUploads,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string prefix;
        std::string key_marker;
        std::string id_marker;
        std::uint64_t limit = 0;
        if (!r.Str(volume) || !r.Str(prefix) || !r.Str(key_marker) || !r.Str(id_marker) ||
            !r.Varint(limit)) {
          co_return BadArgs();
        }
        auto v = co_await d.ListUploads(ctx, volume, prefix, key_marker, id_marker,
                                        static_cast<std::size_t>(limit));
        if (!v.ok()) {
          co_return v.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutList(w, *v, remote::PutUpload); });
      });
  t.emplace_back(
      m::kCommitPart,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string key;
        std::string id;
        meta::ObjectPart part;
        std::string tmp_dir;
        if (!r.Str(volume) || !r.Str(key) || !r.Str(id) || !remote::GetPart(r, part) ||
            !r.Str(tmp_dir)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.CommitPart(ctx, volume, key, id, part, tmp_dir));
      });
  t.emplace_back(
      m::kListParts,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string key;
        std::string id;
        if (!r.Str(volume) || !r.Str(key) || !r.Str(id)) {
          co_return BadArgs();
        }
        auto v = co_await d.ListParts(ctx, volume, key, id);
        if (!v.ok()) {
          co_return v.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutList(w, *v, remote::PutPart); });
      });
  t.emplace_back(
      m::kCompleteUpload,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string id;
        meta::FileInfo fi;
        if (!r.Str(id) || !remote::GetFileInfo(r, fi)) {
          co_return BadArgs();
        }
        co_return Undo(co_await d.CompleteUpload(ctx, id, fi));
      });
  t.emplace_back(
      m::kAbortUpload,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string volume;
        std::string key;
        std::string id;
        if (!r.Str(volume) || !r.Str(key) || !r.Str(id)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.AbortUpload(ctx, volume, key, id));
      });
  t.emplace_back(
      m::kReadSystemRecord,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string name;
        if (!r.Str(name)) {
          co_return BadArgs();
        }
        co_return co_await d.ReadSystemRecord(ctx, name);
      });
  t.emplace_back(
      m::kWriteSystemRecord,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string name;
        std::string value;
        if (!r.Str(name) || !r.Str(value)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.WriteSystemRecord(ctx, name, value));
      });
  t.emplace_back(
      m::kDeleteSystemRecord,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        std::string name;
        if (!r.Str(name)) {
          co_return BadArgs();
        }
        co_return Empty(co_await d.DeleteSystemRecord(ctx, name));
      });
  t.emplace_back(
      m::kRemoveOrphanData,
      [](StorageApi& d, const RequestContext& ctx, WireReader& r) -> Task<Result<std::string>> {
        OrphanCleanupOptions opts;
        if (!remote::GetOrphanOptions(r, opts)) {
          co_return BadArgs();
        }
        auto stats = co_await d.RemoveOrphanData(ctx, opts);
        if (!stats.ok()) {
          co_return stats.status();
        }
        co_return Encode([&](WireWriter& w) { remote::PutOrphanStats(w, *stats); });
      });
  return t;
}

}  // namespace

void ServeDrive(rpc::Server& server, StorageApi& drive, std::string_view name) {
  const std::string resource(name.empty() ? drive.endpoint() : std::string(name));
  StorageApi* d = &drive;
  for (auto& [method, body] : Methods()) {
    server.Register(
        method, resource,
        [d, body = std::move(body)](const RequestContext& ctx,
                                    std::string_view args) -> Task<Result<std::string>> {
          WireReader r(args);
          co_return co_await body(*d, ctx, r);
        });
  }
  auto shards = std::make_shared<OpenShards>();
  server.Register(
      m::kShardSize, resource,
      [d, shards](const RequestContext& ctx, std::string_view args) -> Task<Result<std::string>> {
        WireReader r(args);
        co_return co_await DoShardSize(*d, *shards, ctx, r);
      });
  server.Register(
      m::kReadAt, resource,
      [d, shards](const RequestContext& ctx, std::string_view args) -> Task<Result<std::string>> {
        WireReader r(args);
        co_return co_await DoReadAt(*d, *shards, ctx, r);
      });
  server.RegisterStream(m::kCreateFile, resource,
                        [d](const RequestContext& ctx, std::string_view tmp_path,
                            ByteSource& body) -> Task<Result<std::string>> {
                          co_return co_await DoCreateFile(*d, ctx, tmp_path, body);
                        });
}

}  // namespace cairn::storage
