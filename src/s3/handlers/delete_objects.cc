#include "s3/errors.h"
#include "s3/handlers/handlers.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {

// Follows MinIO: Content-MD5 is not required (AWS requires it or a checksum); when sent it
// is verified, as is a signed x-amz-content-sha256.
Task<Status> DeleteObjects(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxDeleteBody));
  CO_ASSIGN_OR_RETURN(DeleteRequestXml parsed, ParseDeleteObjects(xml));
  // Check the bucket once, so a missing bucket is one NoSuchBucket, not N per-key errors.
  auto bucket = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
  CO_RETURN_IF_ERROR(bucket.status());
  XmlWriter w;
  w.Open("DeleteResult");
  for (const auto& obj : parsed.objects) {
    Result<object::ObjectInfo> deleted = Status(Errc::kKeyTooLong);
    Result<std::string> version_id = CheckedVersionId(obj.version_id);
    // Each key is authorized on its own, as AWS does (its tags for s3:ExistingObjectTag,
    // ACLs): a denied key is an <Error>.
    Status allowed = Status(Errc::kAccessDenied);
    if (version_id.ok()) {
      const std::string_view action =
          version_id->empty() ? "s3:DeleteObject" : "s3:DeleteObjectVersion";
      allowed = co_await CheckAccess(req, action, req.route.bucket, obj.key, *version_id);
    }
    if (!version_id.ok()) {
      deleted = version_id.status();
    } else if (!allowed.ok()) {
      deleted = allowed;
    } else if (obj.key.size() <= 1024) {
      const object::DeleteOptions opts = LockedDeleteOptions(req, *version_id);
      deleted = co_await req.layer.DeleteObject(req.ctx, req.route.bucket, obj.key, opts);
    }
    if (deleted.ok()) {
      if (parsed.quiet) {
        continue;
      }
      w.Open("Deleted").Element("Key", obj.key);
      if (!obj.version_id.empty()) {
        w.Element("VersionId", obj.version_id);
      }
      if (deleted->delete_marker) {
        w.Bool("DeleteMarker", true);
        if (obj.version_id.empty()) {  // a marker made now, not one removed by id
          w.Element("DeleteMarkerVersionId",
                    deleted->version_id.empty() ? "null" : deleted->version_id);
        }
      }
      w.Close();
      continue;
    }
    const S3ErrorInfo& err = S3ErrorFor(deleted.code());
    w.Open("Error").Element("Key", obj.key);
    if (!obj.version_id.empty()) {
      w.Element("VersionId", obj.version_id);
    }
    w.Element("Code", err.code).Element("Message", err.message).Close();
  }
  co_return co_await SendXml(req, w.Finish());
}

}  // namespace cairn::s3
