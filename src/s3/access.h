// Authorization of S3 requests: the AWS action each operation needs, the condition keys a
// request carries, compiled bucket policies (cached per bucket, compiled once per document)
// and the check itself (iam::Authorize over the asker's policies and the bucket's policy).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "common/task.h"
#include "policy/policy.h"
#include "s3/router.h"

namespace cairn::object {
struct BucketInfo;
}

namespace cairn::s3 {

struct S3Request;

// The action `op` needs on its bucket or object ("s3:GetObject"; the *Version* actions when
// the request names a versionId), or "" for operations that check per key or per source in
// their handler (DeleteObjects, and nothing at all for the CORS preflight).
std::string_view ActionFor(Op op, const Route& route);

// "arn:aws:s3:::bucket" or "arn:aws:s3:::bucket/key" ("arn:aws:s3:::*" for no bucket).
std::string ResourceArn(std::string_view bucket, std::string_view key);

// The compiled policies of buckets, by bucket name, each kept with the document it was
// compiled from: a changed document is compiled once, on its first use.
class BucketPolicyCache {
 public:
  // The compiled form of `document` (nullptr when empty or, for a stored document that no
  // longer parses, never allowing anything).
  std::shared_ptr<const policy::Policy> Get(std::string_view bucket, const std::string& document);

 private:
  struct Entry {
    std::string document;
    std::shared_ptr<const policy::Policy> compiled;
  };

  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// True when the request's asker (req.identity; nullptr: anonymous) may do `action` on
// `bucket`/`key` under `bucket_info`'s policy (nullptr: no policy) and, when `with_acl`, the
// bucket's ACL (an object's ACL needs its metadata: CheckAccess reads it).
bool Allowed(const S3Request& req, std::string_view action, std::string_view bucket,
             std::string_view key, const object::BucketInfo* bucket_info, bool with_acl = true);

// ListBuckets without s3:ListAllMyBuckets: true when a policy allows s3:ListBucket on
// `bucket`, or none denies it and the asker owns it.
bool MayListBucket(const S3Request& req, const object::BucketInfo& bucket);

// kAccessDenied when a policy explicitly denies `action` (or a session policy does not allow
// it): what the ACL headers of a write must pass (its writer owns what it writes, and an owner
// may set its ACL, unless a policy says otherwise).
Task<Status> CheckNotDenied(S3Request& req, std::string_view action, std::string_view bucket,
                            std::string_view key);

// The same, reading the bucket's policy (cached bucket info) and, when only an object's ACL
// can allow, the object's (version `version_id`; "" the latest). Errors: kAccessDenied.
Task<Status> CheckAccess(S3Request& req, std::string_view action, std::string_view bucket,
                         std::string_view key, std::string_view version_id = {});

// The middleware's check of the operation the request selected (ActionFor). Errors:
// kAccessDenied. ListBuckets without s3:ListAllMyBuckets is let through with
// req.list_all_buckets false (the handler lists only the buckets the asker may list).
Task<Status> AuthorizeOperation(S3Request& req);

}  // namespace cairn::s3
