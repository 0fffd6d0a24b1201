// Access control lists as S3 has them, and Object Ownership.
//
// An ACL is an owner and a list of grants; a grant gives one permission (READ, WRITE,
// READ_ACP, WRITE_ACP, FULL_CONTROL) to a user (by canonical id) or to a group (AllUsers:
// anyone, signed or not; AuthenticatedUsers: anyone signed). A bucket's ACL is its "acl"
// configuration document, an object's the version's metadata key x-cairn-internal-acl; both
// stored as compact JSON (Encode / Decode). An object without one is owned by its bucket's
// owner and private, so a bucket owner's plain PUT stores nothing extra.
//
// Object Ownership (the bucket's "ownership" document) says whether ACLs apply:
// BucketOwnerEnforced turns them off (the bucket owner owns everything; ACLs other than
// private / bucket-owner-full-control are refused), BucketOwnerPreferred makes the bucket
// owner own objects written with bucket-owner-full-control, ObjectWriter makes the writer
// the owner. docs/architecture.md ("Identities and authorization") has how ACLs join the
// policy evaluation.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::s3::acl {

// Permissions are bits: FULL_CONTROL holds the four others.
enum class Permission : std::uint8_t {
  kNone = 0,
  kRead = 1,
  kWrite = 2,
  kReadAcp = 4,
  kWriteAcp = 8,
  kFullControl = 15,
};

enum class GranteeType : std::uint8_t { kUser, kAllUsers, kAuthenticatedUsers, kLogDelivery };

struct Grant {
  GranteeType type = GranteeType::kUser;
  std::string id;  // kUser: the canonical id
  Permission permission = Permission::kRead;

  bool operator==(const Grant&) const = default;
};

struct Acl {
  std::string owner;  // canonical id
  std::vector<Grant> grants;

  bool operator==(const Acl&) const = default;
};

// The groups' URIs, as AWS names them.
inline constexpr std::string_view kAllUsersUri = "http://acs.amazonaws.com/groups/global/AllUsers";
inline constexpr std::string_view kAuthenticatedUsersUri =
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
inline constexpr std::string_view kLogDeliveryUri =
    "http://acs.amazonaws.com/groups/s3/LogDelivery";

// The version metadata key of an object's ACL.
inline constexpr std::string_view kAclMeta = "x-cairn-internal-acl";

// "READ" ... "FULL_CONTROL"; Parse returns nullopt for anything else.
std::string_view PermissionName(Permission p);
std::optional<Permission> ParsePermission(std::string_view name);

// The ACL that gives its owner FULL_CONTROL and nobody else anything ("private").
Acl Private(std::string_view owner);

// True when `acl` is `Private(acl.owner)`: nothing to store for an object whose owner is the
// bucket's, and the only bucket ACL Object Ownership BucketOwnerEnforced accepts.
bool IsPrivate(const Acl& acl);

// A canned ACL (x-amz-acl): private, public-read, public-read-write, authenticated-read,
// bucket-owner-read, bucket-owner-full-control (objects; on a bucket the last two are
// private), log-delivery-write (buckets). Errors: kInvalidArgumentS3 for another name.
Result<Acl> Canned(std::string_view name, std::string_view owner, std::string_view bucket_owner);

// Resolves a grantee named by id (a canonical id, or a user name for the ids of other
// S3 servers) to its canonical id. Errors: kInvalidArgumentS3 ("Invalid id").
using ResolveId = std::function<Result<std::string>(std::string_view id)>;

// One x-amz-grant-<permission> header: `id="..."`, `uri="..."` or `emailAddress="..."`
// grantees separated by commas. Errors: kInvalidArgumentS3, kUnresolvableGrantByEmailAddress
// (cairn has no e-mail addresses).
Result<std::vector<Grant>> ParseGrantHeader(Permission permission, std::string_view value,
                                            const ResolveId& resolve);

// An AccessControlPolicy document (PutBucketAcl / PutObjectAcl bodies). The Owner element,
// when present, must name `owner` (the resource's). Errors: kMalformedAclError,
// kMalformedXml, kInvalidArgumentS3, kUnresolvableGrantByEmailAddress, kAccessDenied (another
// owner).
Result<Acl> ParseXml(std::string_view xml, std::string_view owner, const ResolveId& resolve);

// The AccessControlPolicy document GetBucketAcl / GetObjectAcl answer with. `display_name`
// gives a canonical id's display name ("" for none: the element is left out).
std::string RenderXml(const Acl& acl,
                      const std::function<std::string(std::string_view id)>& display_name);

// The stored form (compact JSON) and back; Decode of "" or of a document it cannot read is
// Private(default_owner).
std::string Encode(const Acl& acl);
Acl Decode(std::string_view stored, std::string_view default_owner);

// True when `acl` gives `requester` (a canonical id; "" = anonymous) `needed`.
bool Permits(const Acl& acl, std::string_view requester, Permission needed);

// True when `acl` grants anything to AllUsers or AuthenticatedUsers (GetBucketPolicyStatus
// does not look at ACLs; the console and the README's warning do).
bool IsPublic(const Acl& acl);

// Object Ownership.
enum class Ownership : std::uint8_t { kBucketOwnerEnforced, kBucketOwnerPreferred, kObjectWriter };

std::string_view OwnershipName(Ownership o);
std::optional<Ownership> ParseOwnership(std::string_view name);

// The bucket's "ownership" document: "" (a bucket made before ACLs existed: ACLs off, as they
// were), an Ownership's name, or kOwnershipDeleted (DeleteBucketOwnershipControls: ACLs on,
// ObjectWriter, as AWS behaves without the setting).
inline constexpr std::string_view kOwnershipDeleted = "-";
Ownership StoredOwnership(std::string_view stored);

// An OwnershipControls document (one rule). Errors: kMalformedXml.
Result<Ownership> ParseOwnershipControls(std::string_view xml);
std::string RenderOwnershipControls(Ownership o);

}  // namespace cairn::s3::acl
