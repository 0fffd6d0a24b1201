// MemoryObjectLayer: an in-memory ObjectLayer with S3 semantics, for handler tests that
// should not depend on drives. It reads PUT bodies through the real HashReader, so digest
// and size checks are the real ones. Single-threaded; not for production.
#pragma once

#include <map>
#include <string>

#include "object/object_layer.h"

namespace cairn::s3::testing {

class MemoryObjectLayer final : public object::ObjectLayer {
 public:
  std::int64_t min_part_size = 5 << 20;  // every part but the last must be this large
  object::HealthInfo health{true, true, 4, 4};
  std::int64_t now_ns = 1'700'000'000'123'000'000;  // advanced by 1 s on every write

  Task<Status> MakeBucket(const RequestContext& ctx, std::string_view bucket,
                          const object::MakeBucketOptions& opts) override;
  Task<Result<object::BucketInfo>> GetBucketInfo(const RequestContext& ctx,
                                                 std::string_view bucket) override;
  Task<Status> SetBucketConfig(const RequestContext& ctx, std::string_view bucket,
                               std::string_view name, std::string_view document) override;
  Task<Result<std::vector<object::BucketInfo>>> ListBuckets(const RequestContext& ctx) override;
  Task<Status> DeleteBucket(const RequestContext& ctx, std::string_view bucket,
                            const object::DeleteBucketOptions& opts) override;
  Task<Result<object::ObjectInfo>> PutObject(const RequestContext& ctx, std::string_view bucket,
                                             std::string_view key, object::HashReader& body,
                                             const object::PutOptions& opts) override;
  Task<Result<std::unique_ptr<object::ObjectReader>>> GetObject(
      const RequestContext& ctx, std::string_view bucket, std::string_view key,
      const object::GetOptions& opts) override;
  Task<Result<object::ObjectInfo>> GetObjectInfo(const RequestContext& ctx, std::string_view bucket,
                                                 std::string_view key,
                                                 const object::GetOptions& opts) override;
  Task<Result<object::ObjectInfo>> UpdateObjectMetadata(
      const RequestContext& ctx, std::string_view bucket, std::string_view key,
      std::string_view version_id, const object::MetadataUpdate& update) override;
  Task<Result<object::ObjectInfo>> DeleteObject(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key,
                                                const object::DeleteOptions& opts) override;
  Task<Result<object::ListVersionsResult>> ListObjectVersions(
      const RequestContext& ctx, std::string_view bucket,
      const object::ListVersionsOptions& opts) override;
  Task<Result<object::ListResult>> ListObjects(const RequestContext& ctx, std::string_view bucket,
                                               const object::ListOptions& opts) override;
  Task<Result<std::string>> NewMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                               std::string_view key,
                                               const object::PutOptions& opts) override;
  Task<Result<object::PartInfo>> PutObjectPart(const RequestContext& ctx, std::string_view bucket,
                                               std::string_view key, std::string_view upload_id,
                                               int part_number, object::HashReader& body) override;
  Task<Result<object::ListPartsResult>> ListObjectParts(
      const RequestContext& ctx, std::string_view bucket, std::string_view key,
      std::string_view upload_id, const object::ListPartsOptions& opts) override;
  Task<Result<object::ListUploadsResult>> ListMultipartUploads(
      const RequestContext& ctx, std::string_view bucket,
      const object::ListUploadsOptions& opts) override;
  Task<Result<object::ObjectInfo>> CompleteMultipartUpload(
      const RequestContext& ctx, std::string_view bucket, std::string_view key,
      std::string_view upload_id, const std::vector<object::CompletePart>& parts,
      const object::PutOptions& opts) override;
  Task<Status> AbortMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                    std::string_view key, std::string_view upload_id) override;
  Task<object::HealthInfo> GetHealth(const RequestContext& ctx) override;

  // Test access.
  const std::string* DataForTest(const std::string& bucket, const std::string& key) const;

  std::size_t UploadCountForTest() const { return uploads_.size(); }

 private:
  struct Object {
    object::ObjectInfo info;
    std::string data;
  };

  struct Part {
    object::PartInfo info;
    std::string data;
  };

  struct Upload {
    std::string bucket;
    std::string key;
    object::Metadata metadata;
    std::int64_t initiated_ns = 0;
    std::map<int, Part> parts;
  };

  struct Bucket {
    object::BucketInfo info;
    std::map<std::string, Object> objects;
  };

  Bucket* FindBucket(std::string_view name);
  std::map<std::string, Bucket, std::less<>> buckets_;
  std::map<std::string, Upload, std::less<>> uploads_;
  int next_upload_ = 1;
};

}  // namespace cairn::s3::testing
