// ACLs applied to requests (s3/acl.h has the lists themselves): who a request's asker is as
// an ACL names it, the ACL and ownership of a bucket and of an object, the ACL a write asks
// for with x-amz-acl / x-amz-grant-*, and the ACL permission each action needs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/exchange.h"
#include "iam/iam.h"
#include "s3/acl.h"

namespace cairn::object {
struct BucketInfo;
struct ObjectInfo;
}  // namespace cairn::object

namespace cairn::s3 {

struct S3Request;

// The canonical id of a user (64 hex digits, as AWS's): the root user's is kOwnerId.
std::string CanonicalUserId(std::string_view user);

// The canonical id of an asker: its parent user's (root's keys: kOwnerId); "" = anonymous.
std::string CanonicalId(const iam::Identity* identity);

// The display name ACLs show for a canonical id: the user's name, kOwnerName for root, ""
// for an id no user has, and "" for every id when the asker is anonymous (user names are
// access keys: an anonymous reader of a public bucket is not told them).
std::string DisplayName(const S3Request& req, std::string_view id);

// Resolves a grantee id (a canonical id, or a user's name) against the users of
// req.opts.iam; the ids `current` (the ACL being replaced) names are taken as they are, so a
// document read with Get*Acl can be put back even when it names a user that is gone.
acl::ResolveId GranteeResolver(const S3Request& req, const acl::Acl* current = nullptr);

// The bucket's owner (kOwnerId for a bucket made before owners were kept), Object Ownership
// and ACL (with BucketOwnerEnforced: its owner's full control and nothing else).
std::string BucketOwner(const object::BucketInfo& bucket);
acl::Ownership BucketOwnership(const object::BucketInfo& bucket);
acl::Acl BucketAcl(const object::BucketInfo& bucket);
// As stored, also with BucketOwnerEnforced (GetBucketAcl and the switch to it read this).
acl::Acl StoredBucketAcl(const object::BucketInfo& bucket);

// An object's ACL: its stored one, or its bucket owner's private ACL (no ACL stored, or
// BucketOwnerEnforced).
acl::Acl ObjectAcl(const object::ObjectInfo& object, const object::BucketInfo& bucket);

// The ACL that `headers` ask for (x-amz-acl, or x-amz-grant-*), owned by `owner`; nullopt
// when they name none. `bucket` allows x-amz-grant-write (a bucket's). Errors:
// kInvalidRequest (both a canned ACL and grants), acl::Canned's, acl::ParseGrantHeader's.
Result<std::optional<acl::Acl>> RequestedAcl(const S3Request& req, const http::Request& headers,
                                             std::string_view owner, std::string_view bucket_owner,
                                             bool bucket, const acl::Acl* current = nullptr);

// True when `headers` carry x-amz-acl or an x-amz-grant-* header.
bool HasAclHeaders(const http::Request& headers);

// The ACL metadata (acl::kAclMeta) a new object written by the request to `bucket` stores
// under Object Ownership, from `headers`' x-amz-acl / x-amz-grant-*: "" when the object is
// the bucket owner's and private (nothing to store). Errors: kAccessControlListNotSupported
// (an ACL on a bucket with ACLs off), RequestedAcl's.
Result<std::string> NewObjectAcl(const S3Request& req, const http::Request& headers,
                                 const object::BucketInfo& bucket);

// The Owner a listing names for each object: its stored ACL's owner, else (or with
// BucketOwnerEnforced) its bucket's, with display names looked up once per listing.
class ListingOwners {
 public:
  ListingOwners(const S3Request& req, const object::BucketInfo& bucket);

  struct Owner {
    std::string_view id;
    std::string_view display_name;
  };

  Owner Of(const object::ObjectInfo& object);

 private:
  const S3Request& req_;
  std::string bucket_owner_;
  bool enforced_ = false;
  std::map<std::string, std::string, std::less<>> names_;
};

// The ACL permission that grants `action`, and whether it is the object's (else the
// bucket's); kNone for actions no ACL grants.
struct AclNeed {
  acl::Permission permission = acl::Permission::kNone;
  bool on_object = false;
};

AclNeed AclPermissionFor(std::string_view action);

}  // namespace cairn::s3
