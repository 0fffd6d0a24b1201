// ErasureSet: multipart uploads. An upload is recorded on every drive of the key's set;
// each part is streamed into tmp shard files and committed with CommitPart; completion
// validates the client's part list against what quorum of drives recorded and commits the
// object in one batch per drive (CompleteUpload).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "common/checksum.h"
#include "object/erasure_set.h"
#include "object/multipart_checksum.h"
#include "object/object_util.h"
#include "object/quorum.h"
#include "object/set_util.h"

namespace cairn::object {

namespace {

constexpr int kMaxParts = 10000;

}  // namespace

Task<Result<QuorumUpload>> ReadUploadQuorum(const ErasureSet& set, const RequestContext& ctx,
                                            std::string_view bucket, std::string_view key,
                                            std::string_view upload_id) {
  auto res = co_await ForEachDrive<Result<storage::MultipartUpload>>(
      set, [&](storage::StorageApi& d, std::size_t) {
        return d.ReadUpload(ctx, bucket, key, upload_id);
      });
  std::map<std::string, std::size_t> counts;
  for (const auto& r : res) {
    if (r.ok()) {
      ++counts[r->fi.data_dir];
    }
  }
  for (const auto& [dir, count] : counts) {
    if (count < static_cast<std::size_t>(set.read_quorum())) {
      continue;
    }
    QuorumUpload q;
    q.has.resize(res.size());
    for (std::size_t i = 0; i < res.size(); ++i) {
      q.has[i] = res[i].ok() && res[i]->fi.data_dir == dir;
      if (q.has[i] && q.upload.upload_id.empty()) {
        q.upload = res[i].value();
      }
    }
    co_return q;
  }
  Status st = ReduceQuorum(res, set.read_quorum(), Errc::kReadQuorum);
  co_return st.ok() ? Status(Errc::kReadQuorum, "drives disagree on the upload") : st;
}

std::vector<meta::ObjectPart> AgreedParts(
    const std::vector<Result<std::vector<meta::ObjectPart>>>& lists, std::size_t quorum) {
  std::map<std::pair<std::int32_t, std::string>, std::pair<std::size_t, const meta::ObjectPart*>>
      seen;
  for (const auto& r : lists) {
    if (!r.ok()) {
      continue;
    }
    for (const auto& p : *r) {
      auto& s = seen[{p.number, p.etag + "/" + std::to_string(p.size)}];
      if (s.first++ == 0) {
        s.second = &p;
      }
    }
  }
  std::vector<meta::ObjectPart> out;
  for (const auto& [id, s] : seen) {
    if (s.first >= quorum && (out.empty() || out.back().number != id.first)) {
      out.push_back(*s.second);
    }
  }
  return out;
}

namespace {

// The parts that read quorum of drives recorded identically, by part number.
Task<Result<std::vector<meta::ObjectPart>>> QuorumParts(const ErasureSet& set,
                                                        const RequestContext& ctx,
                                                        std::string_view bucket,
                                                        std::string_view key,
                                                        std::string_view upload_id) {
  auto res = co_await ForEachDrive<Result<std::vector<meta::ObjectPart>>>(
      set, [&](storage::StorageApi& d, std::size_t) {
        return d.ListParts(ctx, bucket, key, upload_id);
      });
  CO_RETURN_IF_ERROR(ReduceQuorum(res, set.read_quorum(), Errc::kReadQuorum));
  co_return AgreedParts(res, static_cast<std::size_t>(set.read_quorum()));
}

}  // namespace

Task<Result<std::string>> ErasureSet::NewMultipartUpload(const RequestContext& ctx,
                                                         std::string_view bucket,
                                                         std::string_view key,
                                                         const PutOptions& opts,
                                                         std::string_view id_suffix) {
  CO_RETURN_IF_ERROR(CheckWritable());
  storage::MultipartUpload up;
  up.key = std::string(key);
  up.upload_id = NewUploadId() + std::string(id_suffix);
  up.initiated_ns = NowNs();
  up.fi.volume = std::string(bucket);
  up.fi.name = std::string(key);
  up.fi.version_id = opts.version_id;
  up.fi.data_dir = NewUuid();
  // Drives offline now raise the upload's parity; its parts and the object keep it.
  up.fi.erasure = NewErasureInfo(key, WriteParity(opts.parity));
  up.fi.metadata = opts.metadata;
  up.fi.mod_time_ns = up.initiated_ns;
  std::vector<storage::MultipartUpload> per(drives_.size(), up);
  for (std::size_t i = 0; i < per.size(); ++i) {
    per[i].fi.erasure.index = up.fi.erasure.distribution[i];
  }
  auto res = co_await ForEachDrive<Status>(*this, [&](storage::StorageApi& d, std::size_t i) {
    return d.PutUpload(ctx, bucket, per[i]);
  });
  Status st =
      ReduceQuorum(res, WriteQuorumFor(up.fi.erasure.data_blocks, up.fi.erasure.parity_blocks),
                   Errc::kWriteQuorum);
  if (!st.ok()) {
    std::vector<bool> made(res.size());
    for (std::size_t i = 0; i < res.size(); ++i) {
      made[i] = res[i].ok();
    }
    auto undo =
        co_await ForEachDriveIn<Status>(*this, made, [&](storage::StorageApi& d, std::size_t) {
          return d.AbortUpload(ctx, bucket, key, up.upload_id);
        });
    (void)undo;
    co_return st;
  }
  co_return up.upload_id;
}

Task<Result<PartInfo>> ErasureSet::PutObjectPart(const RequestContext& ctx, std::string_view bucket,
                                                 std::string_view key, std::string_view upload_id,
                                                 int part_number, HashReader& body) {
  if (part_number < 1 || part_number > kMaxParts) {
    co_return Status(Errc::kInvalidArgumentS3, "part numbers are 1 to 10000");
  }
  CO_ASSIGN_OR_RETURN(auto guard, co_await LockObject(ctx, bucket, key, false, upload_id));
  CO_RETURN_IF_ERROR(CheckWritable());
  CO_ASSIGN_OR_RETURN(auto q, co_await ReadUploadQuorum(*this, ctx, bucket, key, upload_id));
  if (auto cs = UploadChecksumOf(q.upload.fi.metadata)) {
    // A part of an upload with a checksum algorithm carries that checksum (computed here when
    // the client sent none, so that the completion can combine it), as S3 requires.
    const auto sent = body.checksum_algorithm();
    if (sent && *sent != cs->algorithm) {
      co_return Status(Errc::kInvalidRequest,
                       "Checksum Type mismatch occurred, expected checksum Type: " +
                           ChecksumHeader(cs->algorithm).substr(15) +
                           ", actual checksum Type: " + ChecksumHeader(*sent).substr(15));
    }
    body.AddChecksum(cs->algorithm);
  }
  const std::string tmp = NewUuid();
  const std::string staged = tmp + "/part.1";  // what CommitPart moves
  auto streamed = co_await StreamShards(ctx, body, q.upload.fi.erasure, staged, false);
  if (!streamed.ok()) {
    co_await DeleteTmpAll(ctx, tmp);
    co_return streamed.status();
  }
  meta::ObjectPart part;
  part.number = part_number;
  part.etag = body.md5_hex();
  part.size = streamed->size;
  // The part's time is when its body was all received: of two uploads of the number in
  // flight at once, every drive keeps the one that finished last (CommitPart keeps the later
  // time), whatever order the commits reach the drives in.
  part.mod_time_ns = NowNs();
  if (auto cs = body.checksum()) {
    std::string algo = cs->first.substr(std::string_view("x-amz-checksum-").size());
    std::transform(algo.begin(), algo.end(), algo.begin(), ::toupper);
    part.checksums.emplace_back(std::move(algo), cs->second);
  }
  std::vector<bool> mask(drives_.size());
  for (std::size_t i = 0; i < mask.size(); ++i) {
    mask[i] = streamed->alive[i] && q.has[i];
  }
  auto res = co_await ForEachDriveIn<Status>(*this, mask, [&](storage::StorageApi& d, std::size_t) {
    return d.CommitPart(ctx, bucket, key, upload_id, part, tmp);
  });
  if (CountOk(res) < mask.size()) {
    co_await DeleteTmpAll(ctx, tmp);
  }
  const auto& er = q.upload.fi.erasure;
  CO_RETURN_IF_ERROR(
      ReduceQuorum(res, WriteQuorumFor(er.data_blocks, er.parity_blocks), Errc::kWriteQuorum));
  co_return PartInfo{part.number, part.etag, part.size, part.mod_time_ns, part.checksums};
}

Task<Result<ListPartsResult>> ErasureSet::ListObjectParts(
    const RequestContext& ctx, std::string_view bucket, std::string_view key,
    std::string_view upload_id, int part_number_marker, int max_parts, bool metadata_only) {
  CO_ASSIGN_OR_RETURN(auto q, co_await ReadUploadQuorum(*this, ctx, bucket, key, upload_id));
  ListPartsResult out;
  out.metadata = q.upload.fi.metadata;
  if (metadata_only) {
    co_return out;
  }
  CO_ASSIGN_OR_RETURN(auto parts, co_await QuorumParts(*this, ctx, bucket, key, upload_id));
  for (const auto& p : parts) {
    if (p.number <= part_number_marker) {
      continue;
    }
    if (static_cast<int>(out.parts.size()) >= max_parts) {
      out.truncated = true;
      break;
    }
    out.parts.push_back(PartInfo{p.number, p.etag, p.size, p.mod_time_ns, p.checksums});
  }
  if (out.truncated && !out.parts.empty()) {
    out.next_part_number_marker = out.parts.back().number;
  }
  co_return out;
}

namespace {

// Completions are answered again for this long after they succeeded (a retry whose first
// answer was lost); a day, MinIO's default expiry of stale uploads.
constexpr std::int64_t kCompletionRetryWindowNs = std::int64_t{24} * 3600 * 1000 * 1000 * 1000;

// Where a completed object records the upload it came from (never sent to clients: the
// response headers and CopyObject take allowlisted metadata only).
constexpr std::string_view kUploadIdMeta = "x-cairn-internal-upload-id";

// Whether `parts` (a retried completion) names exactly the parts the object was made of.
// The Complete's list with one entry per part number. A number may be listed more than once
// (a client that uploaded it twice lists both ETags, as S3 allows): the entry whose ETag
// names the part that `stored` holds counts, else the last one (which then fails the ETag
// check as InvalidPart). `parts` is in ascending order.
std::vector<CompletePart> ChooseListedParts(const std::vector<CompletePart>& parts,
                                            const std::vector<meta::ObjectPart>& stored) {
  std::vector<CompletePart> out;
  out.reserve(parts.size());
  for (std::size_t i = 0; i < parts.size();) {
    std::size_t end = i + 1;
    while (end < parts.size() && parts[end].number == parts[i].number) {
      ++end;
    }
    const auto have = std::find_if(stored.begin(), stored.end(), [&](const meta::ObjectPart& p) {
      return p.number == parts[i].number;
    });
    std::size_t pick = end - 1;
    for (std::size_t j = i; have != stored.end() && j < end; ++j) {
      if (StripQuotes(parts[j].etag) == have->etag) {
        pick = j;
        break;
      }
    }
    out.push_back(parts[pick]);
    i = end;
  }
  return out;
}

Status SameParts(const meta::FileInfo& fi, const std::vector<CompletePart>& parts) {
  if (parts.size() != fi.parts.size()) {
    return Status(Errc::kInvalidPart, "the upload was completed with other parts");
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const meta::ObjectPart& have = fi.parts[i];
    if (parts[i].number != have.number || StripQuotes(parts[i].etag) != have.etag) {
      return Status(Errc::kInvalidPart, "the upload was completed with another part " +
                                            std::to_string(parts[i].number));
    }
    for (const auto& [k, v] : parts[i].checksums) {
      for (const auto& [hk, hv] : have.checksums) {
        if (ParseChecksumAlgorithm(k) == ParseChecksumAlgorithm(hk) && v != hv) {
          return Status(Errc::kInvalidPart,
                        "the checksum of part " + std::to_string(have.number) + " differs");
        }
      }
    }
  }
  return Status::Ok();
}

// The object checksum (and its type) of a completion, into fi.metadata; checks the one the
// client sent with the completion. Errors: kInvalidPart, kBadDigest, kInvalidRequest.
Status SetObjectChecksum(meta::FileInfo& fi, const Metadata& upload_metadata,
                         const std::vector<CompletePart>& parts, const PutOptions& opts) {
  auto cs = UploadChecksumOf(upload_metadata);
  if (!opts.checksum_type.empty() &&
      (!cs || opts.checksum_type != (cs->full_object ? kChecksumFullObject : kChecksumComposite))) {
    return Status(Errc::kInvalidRequest,
                  "The upload was not created with the " + opts.checksum_type + " checksum type.");
  }
  if (!cs) {
    if (opts.checksum_algorithm) {
      return Status(Errc::kInvalidRequest,
                    "The upload was not created with a checksum algorithm; the completion "
                    "cannot carry " +
                        ChecksumHeader(*opts.checksum_algorithm) + ".");
    }
    return Status::Ok();
  }
  if (opts.checksum_algorithm && *opts.checksum_algorithm != cs->algorithm) {
    return Status(Errc::kInvalidRequest, "The upload was created using the " +
                                             std::string(ChecksumName(cs->algorithm)) +
                                             " checksum algorithm; the completion carries " +
                                             ChecksumHeader(*opts.checksum_algorithm) + ".");
  }
  std::vector<meta::ObjectPart> sized = fi.parts;
  if (opts.checksum_part_size) {
    for (auto& p : sized) {
      p.size = opts.checksum_part_size(upload_metadata, p.size);
    }
  }
  ASSIGN_OR_RETURN(std::string value, MultipartObjectChecksum(*cs, sized, parts));
  const std::string_view bare = std::string_view(value).substr(0, value.find('-'));  // no "-N"
  if (!opts.checksum_base64.empty() && opts.checksum_base64 != bare) {
    return Status(Errc::kBadDigest, ChecksumHeader(cs->algorithm) + " " + opts.checksum_base64 +
                                        " does not match the object's " + value);
  }
  SetMeta(fi.metadata, ChecksumHeader(cs->algorithm), std::move(value));
  SetMeta(fi.metadata, kChecksumTypeMeta,
          std::string(cs->full_object ? kChecksumFullObject : kChecksumComposite));
  return Status::Ok();
}

}  // namespace

Task<Result<ObjectInfo>> ErasureSet::CompletedUploadAgain(const RequestContext& ctx,
                                                          std::string_view bucket,
                                                          std::string_view key,
                                                          std::string_view upload_id,
                                                          const std::vector<CompletePart>& parts) {
  auto qi = co_await ReadQuorumInfo(ctx, bucket, key, "", false);
  if (!qi.ok() && qi.code() != Errc::kNoSuchKey) {
    co_return qi.status();
  }
  const Status no_upload(Errc::kNoSuchUpload, std::string(upload_id));
  if (!qi.ok() || qi->fi.deleted || FindMeta(qi->fi.metadata, kUploadIdMeta) != upload_id ||
      NowNs() - qi->fi.mod_time_ns > kCompletionRetryWindowNs) {
    co_return no_upload;  // never completed, replaced since, or completed too long ago
  }
  CO_RETURN_IF_ERROR(SameParts(qi->fi, ChooseListedParts(parts, qi->fi.parts)));
  qi->fi.is_latest = true;
  co_return ToObjectInfo(bucket, qi->fi);
}

Task<Result<ObjectInfo>> ErasureSet::CompleteMultipartUpload(
    const RequestContext& ctx, std::string_view bucket, std::string_view key,
    std::string_view upload_id, const std::vector<CompletePart>& parts, const PutOptions& opts) {
  CO_ASSIGN_OR_RETURN(auto object_guard, co_await LockObject(ctx, bucket, key, true));
  CO_ASSIGN_OR_RETURN(auto upload_guard, co_await LockObject(ctx, bucket, key, true, upload_id));
  CO_RETURN_IF_ERROR(CheckWritable());
  if (parts.empty()) {
    co_return Status(Errc::kMalformedXml, "a multipart upload completes with at least one part");
  }
  if (parts.size() > static_cast<std::size_t>(kMaxParts)) {
    co_return Status(Errc::kTooManyParts, "at most 10000 parts");
  }
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].number < parts[i - 1].number) {
      co_return Status(Errc::kInvalidPartOrder, "parts must be listed in ascending order");
    }
  }
  auto quorum_upload = co_await ReadUploadQuorum(*this, ctx, bucket, key, upload_id);
  if (!quorum_upload.ok()) {
    if (ToObjectError(quorum_upload.code(), Errc::kReadQuorum) == Errc::kNoSuchUpload) {
      co_return co_await CompletedUploadAgain(ctx, bucket, key, upload_id, parts);
    }
    co_return quorum_upload.status();
  }
  const QuorumUpload& q = *quorum_upload;
  CO_ASSIGN_OR_RETURN(auto stored, co_await QuorumParts(*this, ctx, bucket, key, upload_id));
  const std::vector<CompletePart> listed = ChooseListedParts(parts, stored);

  meta::FileInfo fi;
  std::string md5s;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    auto it = std::find_if(stored.begin(), stored.end(),
                           [&](const meta::ObjectPart& p) { return p.number == listed[i].number; });
    if (it == stored.end() || StripQuotes(listed[i].etag) != it->etag) {
      co_return Status(Errc::kInvalidPart,
                       "part " + std::to_string(listed[i].number) + " not found or ETag differs");
    }
    if (i + 1 < listed.size() && it->size < opts_.min_part_size) {
      co_return Status(Errc::kEntityTooSmall,
                       "part " + std::to_string(it->number) + " is smaller than the minimum");
    }
    auto raw = HexDecode(it->etag);
    md5s += raw ? *raw : Md5(it->etag);
    fi.size += it->size;
    fi.parts.push_back(*it);
  }
  fi.metadata = q.upload.fi.metadata;
  CO_RETURN_IF_ERROR(SetObjectChecksum(fi, q.upload.fi.metadata, listed, opts));
  CO_RETURN_IF_ERROR(co_await CheckWritePreconditions(ctx, bucket, key, opts));

  fi.volume = std::string(bucket);
  fi.name = std::string(key);
  fi.version_id = opts.version_id.empty() ? q.upload.fi.version_id : opts.version_id;
  fi.data_dir = q.upload.fi.data_dir;
  fi.erasure = q.upload.fi.erasure;
  fi.mod_time_ns = NowNs();
  if (fi.version_id.empty() && opts.versioning == Versioning::kEnabled) {
    fi.version_id = NewVersionId(fi.mod_time_ns);
  }
  for (const auto& [k, v] : opts.metadata) {
    SetMeta(fi.metadata, k, v);
  }
  SetMeta(fi.metadata, "etag", HexEncode(Md5(md5s)) + "-" + std::to_string(listed.size()));
  SetMeta(fi.metadata, kUploadIdMeta, std::string(upload_id));
  std::vector<meta::FileInfo> per(drives_.size());
  for (std::size_t i = 0; i < per.size(); ++i) {
    if (q.has[i]) {
      per[i] = fi;
      per[i].erasure.index = fi.erasure.distribution[i];
    }
  }
  auto res = co_await ForEachDriveIn<Result<storage::CommitUndo>>(
      *this, q.has, [&](storage::StorageApi& d, std::size_t i) {
        return d.CompleteUpload(ctx, bucket, key, upload_id, per[i]);
      });
  CO_RETURN_IF_ERROR(co_await SettleCommit(
      ctx, per, res, WriteQuorumFor(fi.erasure.data_blocks, fi.erasure.parity_blocks)));
  if (CountOk(res) < per.size()) {
    QueueHeal(bucket, key, fi.version_id);  // committed on fewer than all drives
  }
  fi.is_latest = true;
  co_return ToObjectInfo(bucket, fi);
}

Task<Status> ErasureSet::AbortMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                              std::string_view key, std::string_view upload_id) {
  CO_ASSIGN_OR_RETURN(auto guard, co_await LockObject(ctx, bucket, key, true, upload_id));
  CO_RETURN_IF_ERROR(CheckWritable());
  auto res = co_await ForEachDrive<Status>(*this, [&](storage::StorageApi& d, std::size_t) {
    return d.AbortUpload(ctx, bucket, key, upload_id);
  });
  co_return ReduceQuorum(res, write_quorum(), Errc::kWriteQuorum);
}

}  // namespace cairn::object
