#include "s3/acl_access.h"

#include <algorithm>
#include <array>

#include "common/checksum.h"
#include "object/object_layer.h"
#include "s3/request.h"

namespace cairn::s3 {
namespace {

struct GrantHeader {
  std::string_view name;
  acl::Permission permission;
  bool bucket_only;
};

constexpr std::array kGrantHeaders = {
    GrantHeader{"x-amz-grant-read", acl::Permission::kRead, false},
    GrantHeader{"x-amz-grant-write", acl::Permission::kWrite, true},
    GrantHeader{"x-amz-grant-read-acp", acl::Permission::kReadAcp, false},
    GrantHeader{"x-amz-grant-write-acp", acl::Permission::kWriteAcp, false},
    GrantHeader{"x-amz-grant-full-control", acl::Permission::kFullControl, false},
};

// True when `headers` carry an x-amz-grant-* header (x-amz-grant-write only with `bucket`).
bool HasGrantHeaders(const http::Request& headers, bool bucket) {
  return std::any_of(kGrantHeaders.begin(), kGrantHeaders.end(), [&](const GrantHeader& h) {
    return (bucket || !h.bucket_only) && headers.Header(h.name) != nullptr;
  });
}

bool IsCanonicalId(std::string_view id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The name of the user whose canonical id is `id` (nullopt: no user has it).
std::optional<std::string> UserOfCanonicalId(const S3Request& req, std::string_view id) {
  if (req.opts.iam != nullptr) {
    for (const auto& user : req.opts.iam->ListUsers()) {
      if (CanonicalUserId(user.access_key) == id) {
        return user.access_key;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string CanonicalUserId(std::string_view user) {
  return HexEncode(Sha256("cairn-canonical-user:" + std::string(user)));
}

std::string CanonicalId(const iam::Identity* identity) {
  if (identity == nullptr) {
    return "";
  }
  if (identity->root_power) {
    return std::string(kOwnerId);
  }
  return CanonicalUserId(identity->parent_user);
}

std::string DisplayName(const S3Request& req, std::string_view id) {
  if (req.identity == nullptr) {
    return "";
  }
  if (id == kOwnerId) {
    return std::string(kOwnerName);
  }
  return UserOfCanonicalId(req, id).value_or("");
}

acl::ResolveId GranteeResolver(const S3Request& req, const acl::Acl* current) {
  std::vector<std::string> known;
  if (current != nullptr) {
    known.push_back(current->owner);
    for (const auto& g : current->grants) {
      if (g.type == acl::GranteeType::kUser) {
        known.push_back(g.id);
      }
    }
  }
  return [&req, known = std::move(known)](std::string_view id) -> Result<std::string> {
    if (id == kOwnerId || std::find(known.begin(), known.end(), id) != known.end()) {
      return std::string(id);
    }
    if (IsCanonicalId(id)) {
      // A canonical id is only ever one (never a user whose name looks like one).
      if (UserOfCanonicalId(req, id)) {
        return std::string(id);
      }
    } else if (req.opts.iam != nullptr && req.opts.iam->GetUser(id).ok()) {
      return CanonicalUserId(id);  // a user's name, as other servers' ids are
    }
    return Status(Errc::kInvalidArgumentS3, "Invalid id");
  };
}

std::string BucketOwner(const object::BucketInfo& bucket) {
  // The owner is its own document (the ACL's owner is always the same), so that a PUT does
  // not parse the ACL to find it; a bucket made before owners were kept is root's.
  const std::string& owner = bucket.Config(object::bucket_config::kOwner);
  return owner.empty() ? std::string(kOwnerId) : owner;
}

acl::Ownership BucketOwnership(const object::BucketInfo& bucket) {
  return acl::StoredOwnership(bucket.Config(object::bucket_config::kOwnership));
}

acl::Acl StoredBucketAcl(const object::BucketInfo& bucket) {
  return acl::Decode(bucket.Config(object::bucket_config::kAcl), BucketOwner(bucket));
}

acl::Acl BucketAcl(const object::BucketInfo& bucket) {
  acl::Acl stored = StoredBucketAcl(bucket);
  if (BucketOwnership(bucket) == acl::Ownership::kBucketOwnerEnforced) {
    return acl::Private(stored.owner);
  }
  return stored;
}

acl::Acl ObjectAcl(const object::ObjectInfo& object, const object::BucketInfo& bucket) {
  const std::string& stored = object.Meta(acl::kAclMeta);
  if (stored.empty() || BucketOwnership(bucket) == acl::Ownership::kBucketOwnerEnforced) {
    return acl::Private(BucketOwner(bucket));
  }
  return acl::Decode(stored, BucketOwner(bucket));
}

Result<std::optional<acl::Acl>> RequestedAcl(const S3Request& req, const http::Request& headers,
                                             std::string_view owner, std::string_view bucket_owner,
                                             bool bucket, const acl::Acl* current) {
  const std::string* canned = headers.Header("x-amz-acl");
  std::optional<acl::Acl> out;
  if (canned != nullptr) {
    ASSIGN_OR_RETURN(acl::Acl a, acl::Canned(*canned, owner, bucket_owner));
    out = std::move(a);
  }
  const acl::ResolveId resolve = GranteeResolver(req, current);
  for (const GrantHeader& h : kGrantHeaders) {
    const std::string* value = headers.Header(h.name);
    if (value == nullptr || (h.bucket_only && !bucket)) {
      continue;
    }
    if (canned != nullptr) {
      return Status(Errc::kInvalidRequest,
                    "Specifying both Canned ACLs and Header Grants is not allowed");
    }
    if (!out) {
      out = acl::Acl{std::string(owner), {}};
    }
    ASSIGN_OR_RETURN(auto grants, acl::ParseGrantHeader(h.permission, *value, resolve));
    for (auto& g : grants) {
      out->grants.push_back(std::move(g));
    }
  }
  return out;
}

bool HasAclHeaders(const http::Request& headers) {
  return headers.Header("x-amz-acl") != nullptr || HasGrantHeaders(headers, true);
}

Result<std::string> NewObjectAcl(const S3Request& req, const http::Request& headers,
                                 const object::BucketInfo& bucket) {
  const acl::Ownership ownership = BucketOwnership(bucket);
  const std::string bucket_owner = BucketOwner(bucket);
  const std::string* canned = headers.Header("x-amz-acl");
  if (ownership == acl::Ownership::kBucketOwnerEnforced) {
    // ACLs are off: the bucket owner owns the object. Only the ACLs that say so are taken.
    if (HasGrantHeaders(headers, false) ||
        (canned != nullptr && *canned != "private" && *canned != "bucket-owner-full-control")) {
      return Status(Errc::kAccessControlListNotSupported, "The bucket does not allow ACLs");
    }
    return std::string();
  }
  std::string owner = CanonicalId(req.identity.get());
  if (owner.empty()) {
    owner = bucket_owner;  // an anonymous write (a public-read-write bucket)
  }
  if (owner == bucket_owner && !HasAclHeaders(headers)) {
    return std::string();  // the bucket owner's private object: the default, nothing stored
  }
  if (ownership == acl::Ownership::kBucketOwnerPreferred && canned != nullptr &&
      *canned == "bucket-owner-full-control") {
    owner = bucket_owner;
  }
  ASSIGN_OR_RETURN(auto requested, RequestedAcl(req, headers, owner, bucket_owner, false));
  acl::Acl result = requested ? std::move(*requested) : acl::Private(owner);
  if (owner == bucket_owner && acl::IsPrivate(result)) {
    return std::string();
  }
  return acl::Encode(result);
}

ListingOwners::ListingOwners(const S3Request& req, const object::BucketInfo& bucket)
    : req_(req),
      bucket_owner_(BucketOwner(bucket)),
      enforced_(BucketOwnership(bucket) == acl::Ownership::kBucketOwnerEnforced) {}

ListingOwners::Owner ListingOwners::Of(const object::ObjectInfo& object) {
  const std::string& stored = object.Meta(acl::kAclMeta);
  std::string id =
      stored.empty() || enforced_ ? bucket_owner_ : acl::Decode(stored, bucket_owner_).owner;
  auto it = names_.find(id);
  if (it == names_.end()) {
    std::string name = DisplayName(req_, id);
    it = names_.emplace(std::move(id), std::move(name)).first;
  }
  return Owner{it->first, it->second};
}

AclNeed AclPermissionFor(std::string_view action) {
  struct Row {
    std::string_view action;
    acl::Permission permission;
    bool on_object;
  };

  static constexpr Row kRows[] = {
      {"s3:ListBucket", acl::Permission::kRead, false},
      {"s3:ListBucketVersions", acl::Permission::kRead, false},
      {"s3:ListBucketMultipartUploads", acl::Permission::kRead, false},
      {"s3:PutObject", acl::Permission::kWrite, false},
      {"s3:DeleteObject", acl::Permission::kWrite, false},
      {"s3:GetBucketAcl", acl::Permission::kReadAcp, false},
      {"s3:PutBucketAcl", acl::Permission::kWriteAcp, false},
      {"s3:GetObject", acl::Permission::kRead, true},
      {"s3:GetObjectVersion", acl::Permission::kRead, true},
      {"s3:GetObjectAttributes", acl::Permission::kRead, true},
      {"s3:GetObjectVersionAttributes", acl::Permission::kRead, true},
      {"s3:GetObjectTorrent", acl::Permission::kRead, true},
      {"s3:GetObjectVersionTorrent", acl::Permission::kRead, true},
      {"s3:GetObjectAcl", acl::Permission::kReadAcp, true},
      {"s3:GetObjectVersionAcl", acl::Permission::kReadAcp, true},
      {"s3:PutObjectAcl", acl::Permission::kWriteAcp, true},
      {"s3:PutObjectVersionAcl", acl::Permission::kWriteAcp, true},
  };
  for (const Row& r : kRows) {
    if (r.action == action) {
      return AclNeed{r.permission, r.on_object};
    }
  }
  return AclNeed{};
}

}  // namespace cairn::s3
