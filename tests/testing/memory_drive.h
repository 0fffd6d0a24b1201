// MemoryDrive: a StorageApi held entirely in memory, for tests of the layers above storage
// (object layer, healing) that need many fast drives, and as the base of fault-injecting
// wrappers. Follows the contract of storage/storage_api.h, checked by the storage
// conformance suite (factory "Memory"); thread-safe (one mutex). Its users link
// cairn_storage (the name and path checks, DriveIdOf).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "meta/encoding.h"
#include "storage/local/fs_util.h"
#include "storage/storage_api.h"

namespace cairn::testing {

class MemoryDrive final : public storage::StorageApi {
 public:
  explicit MemoryDrive(std::string name = "mem") : name_(std::move(name)) {}

  std::string endpoint() const override { return name_; }

  bool IsOnline() const override { return online_.load(); }

  // Its writers append straight to the file's bytes (which are the drive's storage).
  std::size_t max_writer_buffer_bytes() const override { return 0; }

  // Always nullopt: every read goes through ReadVersion and its checks.
  std::optional<Result<meta::FileInfo>> ReadVersionNow(const RequestContext&, std::string_view,
                                                       std::string_view, std::string_view,
                                                       bool) override {
    return std::nullopt;
  }

  void SetOnline(bool online) { online_ = online; }

  // What a process restart does to a drive: staged files under tmp/ are gone (LocalDrive
  // clears tmp/ when it opens); everything committed stays.
  void RestartForTest() {
    std::lock_guard lock(mu_);
    RemovePrefix("tmp/");
  }

  // Files under tmp/ (staged, uncommitted shards).
  std::size_t TmpFilesForTest() const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& [path, data] : files_) {
      n += path.starts_with("tmp/") ? 1 : 0;
    }
    return n;
  }

  std::size_t DataFilesForTest() const {
    std::lock_guard lock(mu_);
    return files_.size() - TmpFilesLocked();
  }

  // Flips a byte of every committed shard file (all parts), and of inline data.
  void CorruptForTest() {
    std::lock_guard lock(mu_);
    for (auto& [path, data] : files_) {
      if (path.starts_with("data/") && data->size() > 40) {
        (*data)[40] ^= 0x5a;
      }
    }
    for (auto& [vol, objs] : objects_) {
      for (auto& [key, versions] : objs) {
        for (auto& v : versions) {
          if (v.inline_data.size() > 40) {
            v.inline_data[40] ^= 0x5a;
          }
        }
      }
    }
  }

  Task<Result<storage::DiskInfo>> GetDiskInfo(const RequestContext&) override {
    CO_RETURN_IF_ERROR(Check());
    storage::DiskInfo info;
    info.total = 1ULL << 40;
    info.free = info.total;
    info.endpoint = name_;
    std::lock_guard lock(mu_);
    info.id = storage::DriveIdOf(format_);
    co_return info;
  }

  Task<Result<std::string>> ReadFormat(const RequestContext&) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    if (format_.empty()) {
      co_return Status(Errc::kUnformattedDisk);
    }
    co_return format_;
  }

  Task<Status> WriteFormat(const RequestContext&, std::string_view format_json) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    format_ = std::string(format_json);
    co_return Status::Ok();
  }

  Task<Status> MakeVolume(const RequestContext&, std::string_view volume,
                          std::string_view meta) override {
    CO_RETURN_IF_ERROR(Check());
    if (!ValidName(volume)) {
      co_return Status(Errc::kInvalidArgument, "bad volume name");
    }
    std::lock_guard lock(mu_);
    if (volumes_.contains(std::string(volume))) {
      co_return Status(Errc::kVolumeExists);
    }
    volumes_[std::string(volume)] = storage::VolumeInfo{std::string(volume), 1, std::string(meta)};
    co_return Status::Ok();
  }

  Task<Result<storage::VolumeInfo>> StatVolume(const RequestContext&,
                                               std::string_view volume) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    auto it = volumes_.find(std::string(volume));
    if (it == volumes_.end()) {
      co_return Status(Errc::kVolumeNotFound);
    }
    co_return it->second;
  }

  Task<Result<std::vector<storage::VolumeInfo>>> ListVolumes(const RequestContext&) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    std::vector<storage::VolumeInfo> out;
    for (const auto& [n, v] : volumes_) {
      out.push_back(v);
    }
    co_return out;
  }

  Task<Status> UpdateVolumeMeta(const RequestContext&, std::string_view volume,
                                std::string_view meta) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    auto it = volumes_.find(std::string(volume));
    if (it == volumes_.end()) {
      co_return Status(Errc::kVolumeNotFound);
    }
    it->second.meta = std::string(meta);
    co_return Status::Ok();
  }

  Task<Status> DeleteVolume(const RequestContext&, std::string_view volume, bool force) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    std::string v(volume);
    if (!volumes_.contains(v)) {
      co_return Status(Errc::kVolumeNotFound);
    }
    if (!force && (!objects_[v].empty() || !uploads_[v].empty())) {
      co_return Status(Errc::kVolumeNotEmpty);
    }
    for (const auto& [key, versions] : objects_[v]) {
      for (const auto& version : versions) {
        RemoveDataDir(version.data_dir);
      }
    }
    for (const auto& [id, upload] : uploads_[v]) {
      RemoveDataDir(upload.record.fi.data_dir);
    }
    volumes_.erase(v);
    objects_.erase(v);
    uploads_.erase(v);
    co_return Status::Ok();
  }

  Task<Result<storage::CommitUndo>> WriteMetadata(const RequestContext&,
                                                  const meta::FileInfo& fi) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    co_return WriteLocked(fi);
  }

  Task<Status> RevertCommit(const RequestContext&, const meta::FileInfo& fi,
                            const storage::CommitUndo& undo) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    if (!volumes_.contains(fi.volume)) {
      co_return Status(Errc::kVolumeNotFound);
    }
    replaced_.erase(undo.replaced_data_dir);  // settled
    auto& objs = objects_[fi.volume];
    auto it = objs.find(fi.name);
    if (it == objs.end()) {
      co_return Status::Ok();
    }
    auto v = std::find_if(it->second.begin(), it->second.end(), [&](const meta::FileInfo& x) {
      return meta::SameVersionId(x.version_id, fi.version_id);
    });
    if (v == it->second.end() || v->data_dir != fi.data_dir || v->mod_time_ns != fi.mod_time_ns) {
      co_return Status::Ok();
    }
    std::vector<meta::FileInfo> restored;
    if (undo.had_entry) {
      auto decoded = meta::DecodeVersions(undo.previous_entry, true);
      if (!decoded.ok()) {
        co_return decoded.status();
      }
      restored = std::move(decoded).value();
      for (auto& r : restored) {
        r.volume = fi.volume;
        r.name = fi.name;
      }
      it->second = restored;
    } else {
      objs.erase(it);
    }
    if (!Referenced(restored, fi.data_dir)) {
      RemoveDataDir(fi.data_dir);
    }
    co_return Status::Ok();
  }

  Task<Status> PurgeReplaced(const RequestContext&, std::string_view volume, std::string_view key,
                             std::string_view data_dir) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    if (!volumes_.contains(std::string(volume))) {
      co_return Status(Errc::kVolumeNotFound);
    }
    replaced_.erase(std::string(data_dir));  // settled
    auto& objs = objects_[std::string(volume)];
    auto it = objs.find(std::string(key));
    if (it == objs.end() || !Referenced(it->second, data_dir)) {
      RemoveDataDir(std::string(data_dir));
    }
    co_return Status::Ok();
  }

  Task<Result<storage::CommitUndo>> RenameData(const RequestContext&, const meta::FileInfo& fi,
                                               std::string_view tmp_dir) override {
    CO_RETURN_IF_ERROR(Check());
    if (!storage::ValidRelativePath(tmp_dir, /*single=*/false) ||
        !storage::ValidDataDirName(fi.data_dir)) {
      co_return Status(Errc::kInvalidArgument, "bad tmp dir or data dir");
    }
    std::lock_guard lock(mu_);
    if (!volumes_.contains(fi.volume)) {
      co_return Status(Errc::kVolumeNotFound);
    }
    // Like a local drive: a staged file becomes data/<dir> itself (part 1 of a single-part
    // object), a staged folder's files data/<dir>/part.N; either replaces what was there.
    const std::string file = "tmp/" + std::string(tmp_dir);
    const std::string from = file + "/";
    auto staged = files_.find(file);
    auto first = files_.lower_bound(from);
    const bool any =
        staged != files_.end() || (first != files_.end() && first->first.starts_with(from));
    if (any) {
      RemoveDataDir(fi.data_dir);
    }
    if (staged != files_.end()) {  // RemoveDataDir erased data/ entries only
      files_["data/" + fi.data_dir] = staged->second;
      files_.erase(staged);
    }
    for (auto it = files_.lower_bound(from); it != files_.end() && it->first.starts_with(from);) {
      files_["data/" + fi.data_dir + "/" + it->first.substr(from.size())] = it->second;
      it = files_.erase(it);
    }
    if (!any) {
      co_return Status(Errc::kFileNotFound, "nothing staged");
    }
    co_return WriteLocked(fi);
  }

  Task<Result<meta::FileInfo>> ReadVersion(const RequestContext&, std::string_view volume,
                                           std::string_view key, std::string_view version_id,
                                           bool read_data) override {
    CO_RETURN_IF_ERROR(Check());
    if (!ValidName(volume) || !ValidName(key)) {
      co_return Status(Errc::kInvalidArgument, "bad volume or key");
    }
    std::lock_guard lock(mu_);
    auto versions = Find(volume, key);
    if (!versions.ok()) {
      co_return versions.status();
    }
    auto& vs = **versions;
    for (std::size_t i = 0; i < vs.size(); ++i) {
      if (version_id.empty() || meta::SameVersionId(vs[i].version_id, version_id)) {
        meta::FileInfo fi = vs[i];
        fi.is_latest = i == 0;
        fi.num_versions = static_cast<std::uint32_t>(vs.size());
        if (!read_data) {
          fi.inline_data.clear();
        }
        co_return fi;
      }
    }
    co_return Status(Errc::kFileVersionNotFound);
  }

  Task<Result<std::vector<meta::FileInfo>>> ReadVersions(const RequestContext&,
                                                         std::string_view volume,
                                                         std::string_view key) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    auto versions = Find(volume, key);
    if (!versions.ok()) {
      co_return versions.status();
    }
    std::vector<meta::FileInfo> out = **versions;
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i].inline_data.clear();
      out[i].is_latest = i == 0;
      out[i].num_versions = static_cast<std::uint32_t>(out.size());
    }
    co_return out;
  }

  Task<Status> DeleteVersion(const RequestContext&, const meta::FileInfo& fi) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    auto versions = Find(fi.volume, fi.name);
    if (!versions.ok()) {
      co_return versions.status();
    }
    auto& vs = **versions;
    auto it = std::find_if(vs.begin(), vs.end(), [&](const meta::FileInfo& v) {
      return meta::SameVersionId(v.version_id, fi.version_id);
    });
    if (it == vs.end()) {
      co_return Status(Errc::kFileVersionNotFound);
    }
    RemoveDataDir(it->data_dir);
    vs.erase(it);
    if (vs.empty()) {
      objects_[fi.volume].erase(fi.name);
    }
    co_return Status::Ok();
  }

  Task<Result<std::vector<storage::ListEntry>>> ListObjects(
      const RequestContext&, std::string_view volume, const storage::ListOptions& o) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    if (!volumes_.contains(std::string(volume))) {
      co_return Status(Errc::kVolumeNotFound);
    }
    std::vector<storage::ListEntry> out;
    auto& objs = objects_[std::string(volume)];
    const bool include_deleted = o.include_deleted || o.versions;
    const bool resume = o.versions && !o.version_marker.empty() && !o.start_after.empty();
    auto it = objs.lower_bound(std::max(o.prefix, o.start_after));
    while (it != objs.end() && out.size() < o.limit) {
      const std::string& key = it->first;
      if (!key.starts_with(o.prefix)) {
        break;
      }
      if (key < o.start_after || (key == o.start_after && !resume)) {
        ++it;
        continue;
      }
      if (!o.delimiter.empty()) {
        auto pos = key.find(o.delimiter, o.prefix.size());
        if (pos != std::string::npos) {
          std::string cp = key.substr(0, pos + o.delimiter.size());
          // A prefix is listed when it holds an object the listing shows.
          bool visible = false;
          for (; it != objs.end() && it->first.starts_with(cp); ++it) {
            visible = visible || !it->second.front().deleted || include_deleted;
          }
          if (visible && cp > o.start_after && !o.start_after.starts_with(cp)) {
            out.push_back(storage::ListEntry{cp, true, {}});
          }
          continue;
        }
      }
      if (o.versions) {
        bool past = !(resume && key == o.start_after);
        for (std::size_t i = 0; i < it->second.size() && out.size() < o.limit; ++i) {
          const meta::FileInfo& v = it->second[i];
          if (!past) {
            past = meta::SameVersionId(v.version_id, o.version_marker);
            continue;
          }
          storage::ListEntry e{key, false, v};
          e.latest.inline_data.clear();
          e.latest.is_latest = i == 0;
          e.latest.num_versions = static_cast<std::uint32_t>(it->second.size());
          out.push_back(std::move(e));
        }
        ++it;
        continue;
      }
      const meta::FileInfo& latest = it->second.front();
      if (!latest.deleted || include_deleted) {
        storage::ListEntry e{key, false, latest};
        e.latest.inline_data.clear();
        e.latest.is_latest = true;
        e.latest.num_versions = static_cast<std::uint32_t>(it->second.size());
        out.push_back(std::move(e));
      }
      ++it;
    }
    co_return out;
  }

  Task<Result<std::unique_ptr<storage::ShardWriter>>> CreateFile(
      const RequestContext&, std::string_view tmp_path) override {
    CO_RETURN_IF_ERROR(Check());
    if (!storage::ValidRelativePath(tmp_path, /*single=*/false)) {
      co_return Status(Errc::kInvalidArgument, "bad tmp path");
    }
    std::lock_guard lock(mu_);
    auto data = std::make_shared<std::string>();
    files_["tmp/" + std::string(tmp_path)] = data;
    co_return std::unique_ptr<storage::ShardWriter>(std::make_unique<Writer>(this, data));
  }

  Task<Result<std::unique_ptr<storage::ShardReader>>> OpenShard(const RequestContext&,
                                                                std::string_view data_dir,
                                                                int part_number) override {
    CO_RETURN_IF_ERROR(Check());
    if (!storage::ValidDataDirName(data_dir) || part_number < 1) {
      co_return Status(Errc::kInvalidArgument, "bad data dir or part number");
    }
    std::lock_guard lock(mu_);
    auto it = files_.end();
    if (part_number == 1) {
      it = files_.find("data/" + std::string(data_dir));
    }
    if (it == files_.end()) {
      it = files_.find("data/" + std::string(data_dir) + "/part." + std::to_string(part_number));
    }
    if (it == files_.end()) {
      co_return Status(Errc::kFileNotFound);
    }
    co_return std::unique_ptr<storage::ShardReader>(std::make_unique<Reader>(this, it->second));
  }

  Task<Status> DeleteTmp(const RequestContext&, std::string_view tmp_dir) override {
    CO_RETURN_IF_ERROR(Check());
    if (!storage::ValidRelativePath(tmp_dir, /*single=*/false)) {
      co_return Status(Errc::kInvalidArgument, "bad tmp dir");
    }
    std::lock_guard lock(mu_);
    files_.erase("tmp/" + std::string(tmp_dir));
    RemovePrefix("tmp/" + std::string(tmp_dir) + "/");
    co_return Status::Ok();
  }

  Task<Status> PutUpload(const RequestContext&, std::string_view volume,
                         const storage::MultipartUpload& upload) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    if (!volumes_.contains(std::string(volume))) {
      co_return Status(Errc::kVolumeNotFound);
    }
    uploads_[std::string(volume)][{upload.key, upload.upload_id}] = Upload{upload, {}};
    co_return Status::Ok();
  }

  Task<Result<storage::MultipartUpload>> ReadUpload(const RequestContext&, std::string_view volume,
                                                    std::string_view key,
                                                    std::string_view upload_id) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    auto u = FindUpload(volume, key, upload_id);
    if (!u.ok()) {
      co_return u.status();
    }
    co_return (*u)->record;
  }

  Task<Result<std::vector<storage::MultipartUpload>>> ListUploads(
      const RequestContext&, std::string_view volume, std::string_view prefix,
      std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    if (!volumes_.contains(std::string(volume))) {
      co_return Status(Errc::kVolumeNotFound);
    }
    std::vector<storage::MultipartUpload> out;
    std::pair<std::string, std::string> after{std::string(key_marker),
                                              std::string(upload_id_marker)};
    for (const auto& [id, u] : uploads_[std::string(volume)]) {
      if (out.size() >= limit) {
        break;
      }
      // Without an upload id marker, every upload of the marker key is skipped.
      const bool past = (key_marker.empty() && upload_id_marker.empty()) ||
                        (upload_id_marker.empty() ? id.first > key_marker : id > after);
      if (past) {
        if (id.first.starts_with(prefix)) {
          out.push_back(u.record);
        }
      }
    }
    co_return out;
  }

  Task<Status> CommitPart(const RequestContext&, std::string_view volume, std::string_view key,
                          std::string_view upload_id, const meta::ObjectPart& part,
                          std::string_view tmp_dir) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    auto u = FindUpload(volume, key, upload_id);
    if (!u.ok()) {
      co_return u.status();
    }
    auto it = files_.find("tmp/" + std::string(tmp_dir) + "/part.1");
    if (it == files_.end()) {
      co_return Status(Errc::kFileNotFound, "nothing staged");
    }
    if (auto cur = (*u)->parts.find(part.number);
        cur != (*u)->parts.end() && cur->second.mod_time_ns > part.mod_time_ns) {
      files_.erase(it);  // an upload of the part that started later is recorded
      co_return Status::Ok();
    }
    files_["data/" + (*u)->record.fi.data_dir + "/part." + std::to_string(part.number)] =
        it->second;
    files_.erase(it);
    (*u)->parts[part.number] = part;
    co_return Status::Ok();
  }

  Task<Result<std::vector<meta::ObjectPart>>> ListParts(const RequestContext&,
                                                        std::string_view volume,
                                                        std::string_view key,
                                                        std::string_view upload_id) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    auto u = FindUpload(volume, key, upload_id);
    if (!u.ok()) {
      co_return u.status();
    }
    std::vector<meta::ObjectPart> out;
    for (const auto& [n, p] : (*u)->parts) {
      out.push_back(p);
    }
    co_return out;
  }

  Task<Result<storage::CommitUndo>> CompleteUpload(const RequestContext&, std::string_view volume,
                                                   std::string_view key, std::string_view upload_id,
                                                   const meta::FileInfo& fi) override {
    CO_RETURN_IF_ERROR(Check());
    if (volume != fi.volume || key != fi.name) {
      co_return Status(Errc::kInvalidArgument, "the upload's volume and key differ from fi's");
    }
    std::lock_guard lock(mu_);
    auto u = FindUpload(fi.volume, fi.name, upload_id);
    if (!u.ok()) {
      co_return u.status();
    }
    for (const auto& p : fi.parts) {
      if (!(*u)->parts.contains(p.number)) {
        co_return Status(Errc::kPartNotFound);
      }
    }
    const std::string dir = (*u)->record.fi.data_dir;
    for (const auto& [n, p] : (*u)->parts) {
      bool used = std::any_of(fi.parts.begin(), fi.parts.end(),
                              [n = n](const meta::ObjectPart& q) { return q.number == n; });
      if (!used) {
        files_.erase("data/" + dir + "/part." + std::to_string(n));
      }
    }
    uploads_[fi.volume].erase({fi.name, std::string(upload_id)});
    co_return WriteLocked(fi);
  }

  Task<Status> AbortUpload(const RequestContext&, std::string_view volume, std::string_view key,
                           std::string_view upload_id) override {
    CO_RETURN_IF_ERROR(Check());
    std::lock_guard lock(mu_);
    auto u = FindUpload(volume, key, upload_id);
    if (!u.ok()) {
      co_return u.status();
    }
    // The folder stays when a version of the object uses it (a heal wrote it there).
    const std::string dir = (*u)->record.fi.data_dir;
    uploads_[std::string(volume)].erase({std::string(key), std::string(upload_id)});
    auto& objs = objects_[std::string(volume)];
    auto obj = objs.find(std::string(key));
    if (obj == objs.end() || !Referenced(obj->second, dir)) {
      RemoveDataDir(dir);
    }
    co_return Status::Ok();
  }

  Task<Result<std::string>> ReadSystemRecord(const RequestContext&,
                                             std::string_view name) override {
    CO_RETURN_IF_ERROR(Check());
    if (!storage::ValidSystemRecordName(name)) {
      co_return Status(Errc::kInvalidArgument, "bad system record name");
    }
    std::lock_guard lock(mu_);
    auto it = records_.find(std::string(name));
    if (it == records_.end()) {
      co_return Status(Errc::kFileNotFound, "system record " + std::string(name));
    }
    co_return it->second;
  }

  Task<Status> WriteSystemRecord(const RequestContext&, std::string_view name,
                                 std::string_view value) override {
    CO_RETURN_IF_ERROR(Check());
    if (!storage::ValidSystemRecordName(name) || value.size() > storage::kMaxSystemRecordBytes) {
      co_return Status(Errc::kInvalidArgument, "bad system record");
    }
    std::lock_guard lock(mu_);
    records_.insert_or_assign(std::string(name), std::string(value));
    co_return Status::Ok();
  }

  Task<Status> DeleteSystemRecord(const RequestContext&, std::string_view name) override {
    CO_RETURN_IF_ERROR(Check());
    if (!storage::ValidSystemRecordName(name)) {
      co_return Status(Errc::kInvalidArgument, "bad system record name");
    }
    std::lock_guard lock(mu_);
    records_.erase(std::string(name));
    co_return Status::Ok();
  }

  // Files have no ages here, and RenameData moves and commits under one lock, so no write is
  // ever between the two: every unreferenced data dir goes at once, except those a commit
  // replaced and its writer has not settled yet (PurgeReplaced, RevertCommit). Staged tmp/
  // files stay (they may belong to a write in flight).
  Task<Result<storage::OrphanStats>> RemoveOrphanData(
      const RequestContext&, const storage::OrphanCleanupOptions& opts) override {
    CO_RETURN_IF_ERROR(Check());
    if (opts.first_fan_out < 0 || opts.first_fan_out >= storage::kDataFanOuts) {
      co_return Status(Errc::kInvalidArgument, "bad orphan cleanup options");
    }
    std::lock_guard lock(mu_);
    std::set<std::string> referenced;
    for (const auto& [vol, objs] : objects_) {
      for (const auto& [key, versions] : objs) {
        for (const auto& v : versions) {
          referenced.insert(v.data_dir);
        }
      }
    }
    for (const auto& [vol, uploads] : uploads_) {
      for (const auto& [id, u] : uploads) {
        referenced.insert(u.record.fi.data_dir);
      }
    }
    referenced.insert(replaced_.begin(), replaced_.end());
    storage::OrphanStats stats;
    std::string last_dir;
    for (auto it = files_.lower_bound("data/");
         it != files_.end() && it->first.starts_with("data/");) {
      const std::string dir = it->first.substr(5, it->first.find('/', 5) - 5);
      if (referenced.contains(dir)) {
        ++it;
        continue;
      }
      stats.data_dirs += dir != last_dir ? 1 : 0;
      stats.data_bytes += it->second->size();
      last_dir = dir;
      it = files_.erase(it);
    }
    co_return stats;
  }

 private:
  struct Upload {
    storage::MultipartUpload record;
    std::map<int, meta::ObjectPart> parts;
  };

  class Writer final : public storage::ShardWriter {
   public:
    Writer(MemoryDrive* drive, std::shared_ptr<std::string> data)
        : drive_(drive), data_(std::move(data)) {}

    Task<Status> Write(std::span<const std::byte> data) override {
      CO_RETURN_IF_ERROR(drive_->Check());
      if (closed_) {
        co_return Status(Errc::kInvalidArgument, "write after close");
      }
      std::lock_guard lock(drive_->mu_);
      data_->append(reinterpret_cast<const char*>(data.data()), data.size());
      co_return Status::Ok();
    }

    Task<Status> Close() override {
      closed_ = true;
      co_return drive_->Check();
    }

   private:
    MemoryDrive* drive_;
    std::shared_ptr<std::string> data_;
    bool closed_ = false;
  };

  class Reader final : public storage::ShardReader {
   public:
    Reader(MemoryDrive* drive, std::shared_ptr<std::string> data)
        : drive_(drive), data_(std::move(data)) {}

    std::uint64_t size() const override { return data_->size(); }

    Task<Result<std::size_t>> ReadAt(std::uint64_t offset, std::span<std::byte> buf) override {
      CO_RETURN_IF_ERROR(drive_->Check());
      std::lock_guard lock(drive_->mu_);
      if (offset >= data_->size()) {
        co_return std::size_t{0};
      }
      std::size_t n = std::min<std::size_t>(buf.size(), data_->size() - offset);
      std::memcpy(buf.data(), data_->data() + offset, n);
      co_return n;
    }

   private:
    MemoryDrive* drive_;
    std::shared_ptr<std::string> data_;
  };

  // A volume, key or upload id: non-empty, no NUL (as a drive's namespace keys need).
  static bool ValidName(std::string_view name) {
    return !name.empty() && name.find('\0') == std::string_view::npos;
  }

  Status Check() const {
    return online_.load() ? Status::Ok() : Status(Errc::kDiskNotFound, name_ + " is offline");
  }

  std::size_t TmpFilesLocked() const {
    std::size_t n = 0;
    for (const auto& [path, data] : files_) {
      n += path.starts_with("tmp/") ? 1 : 0;
    }
    return n;
  }

  Result<std::vector<meta::FileInfo>*> Find(std::string_view volume, std::string_view key) {
    if (!volumes_.contains(std::string(volume))) {
      return Status(Errc::kVolumeNotFound);
    }
    auto& objs = objects_[std::string(volume)];
    auto it = objs.find(std::string(key));
    if (it == objs.end()) {
      return Status(Errc::kFileNotFound);
    }
    return &it->second;
  }

  Result<Upload*> FindUpload(std::string_view volume, std::string_view key,
                             std::string_view upload_id) {
    if (!volumes_.contains(std::string(volume))) {
      return Status(Errc::kVolumeNotFound);
    }
    auto& ups = uploads_[std::string(volume)];
    auto it = ups.find({std::string(key), std::string(upload_id)});
    if (it == ups.end()) {
      return Status(Errc::kUploadNotFound);
    }
    return &it->second;
  }

  // Merges `fi` as a drive's commit does; the replaced version's data stays until settled.
  Result<storage::CommitUndo> WriteLocked(const meta::FileInfo& fi) {
    if (!ValidName(fi.volume) || !ValidName(fi.name) ||
        (!fi.data_dir.empty() && !storage::ValidDataDirName(fi.data_dir))) {
      return Status(Errc::kInvalidArgument, "bad volume, key or data dir");
    }
    if (!volumes_.contains(fi.volume)) {
      return Status(Errc::kVolumeNotFound);
    }
    storage::CommitUndo undo;
    auto& objs = objects_[fi.volume];
    auto found = objs.find(fi.name);
    if (found != objs.end()) {
      undo.had_entry = true;
      undo.previous_entry = meta::EncodeVersions(found->second);
    }
    auto& vs = objs[fi.name];
    // As a drive merges: the same version id replaced, newest first by mod time.
    auto previous = meta::MergeVersion(vs, fi);
    if (previous) {
      std::string replaced = previous->data_dir;
      if (!replaced.empty() && replaced != fi.data_dir && !Referenced(vs, replaced)) {
        replaced_.insert(replaced);
        undo.replaced_data_dir = std::move(replaced);
      }
    }
    return undo;
  }

  static bool Referenced(const std::vector<meta::FileInfo>& versions, std::string_view dir) {
    return std::any_of(versions.begin(), versions.end(),
                       [&](const meta::FileInfo& v) { return v.data_dir == dir; });
  }

  void RemoveDataDir(const std::string& data_dir) {
    if (!data_dir.empty()) {
      files_.erase("data/" + data_dir);
      RemovePrefix("data/" + data_dir + "/");
    }
  }

  void RemovePrefix(const std::string& prefix) {
    for (auto it = files_.lower_bound(prefix);
         it != files_.end() && it->first.starts_with(prefix);) {
      it = files_.erase(it);
    }
  }

  const std::string name_;
  std::atomic<bool> online_{true};
  mutable std::mutex mu_;
  // All state below is guarded by mu_.
  std::string format_;
  std::map<std::string, storage::VolumeInfo> volumes_;
  std::map<std::string, std::map<std::string, std::vector<meta::FileInfo>>> objects_;
  std::map<std::string, std::map<std::pair<std::string, std::string>, Upload>> uploads_;
  // "tmp/...", "data/<dir>" (a single-part object's shard) and "data/<dir>/part.N".
  std::map<std::string, std::shared_ptr<std::string>> files_;
  // Data folders that a commit replaced and its writer has not settled: kept by
  // RemoveOrphanData until PurgeReplaced or RevertCommit.
  std::set<std::string> replaced_;
  std::map<std::string, std::string> records_;  // system records by name
};

}  // namespace cairn::testing
