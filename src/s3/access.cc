#include "s3/access.h"

#include <algorithm>
#include <chrono>
#include <span>

#include "iam/iam.h"
#include "object/object_layer.h"
#include "s3/acl_access.h"
#include "s3/dates.h"
#include "s3/handlers/handlers.h"
#include "s3/request.h"
#include "s3/tagging.h"

namespace cairn::s3 {
namespace {

bool HasVersion(const Route& route) {
  const auto v = route.query.Get("versionId");
  return v.has_value() && !v->empty();
}

// The client's address without its port ("1.2.3.4:5" -> "1.2.3.4", "[::1]:5" -> "::1").
std::string_view SourceIp(std::string_view remote) {
  if (remote.starts_with('[')) {
    const auto end = remote.find(']');
    return end == std::string_view::npos ? remote.substr(1) : remote.substr(1, end - 1);
  }
  const auto colon = remote.rfind(':');
  if (colon != std::string_view::npos && remote.find(':') == colon) {
    return remote.substr(0, colon);
  }
  return remote;
}

// The condition keys the policies of one check read (each list lowercase and sorted).
class WantedKeys {
 public:
  WantedKeys(std::span<const std::string> a, std::span<const std::string> b) : a_(a), b_(b) {}

  bool empty() const { return a_.empty() && b_.empty(); }

  bool operator()(std::string_view lower_key) const {
    return std::binary_search(a_.begin(), a_.end(), lower_key) ||
           std::binary_search(b_.begin(), b_.end(), lower_key);
  }

  // Calls f(key) for each wanted key (a key both lists want, twice).
  template <typename F>
  void ForEach(F&& f) const {
    for (const std::string& k : a_) {
      f(std::string_view(k));
    }
    for (const std::string& k : b_) {
      f(std::string_view(k));
    }
  }

  // True when a key that starts with `prefix` is wanted.
  bool AnyWithPrefix(std::string_view prefix) const {
    auto in = [&](std::span<const std::string> keys) {
      auto it = std::lower_bound(keys.begin(), keys.end(), prefix);
      return it != keys.end() && std::string_view(*it).starts_with(prefix);
    };
    return in(a_) || in(b_);
  }

 private:
  std::span<const std::string> a_;
  std::span<const std::string> b_;
};

// s3:ExistingObjectTag/<key>: the tags of the object a request acts on (lowercase, as the
// policies' keys are).
constexpr std::string_view kExistingObjectTag = "s3:existingobjecttag/";
// s3:RequestObjectTag/<key>: the tags a write asks for (x-amz-tagging).
constexpr std::string_view kRequestObjectTag = "s3:requestobjecttag/";

// Request headers that are condition keys of the same name under "s3:".
constexpr std::string_view kHeaderKeys[] = {
    "x-amz-acl",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-copy-source",
    "x-amz-metadata-directive",
    "x-amz-storage-class",
    "x-amz-content-sha256",
    "x-amz-grant-read",
    "x-amz-grant-write",
    "x-amz-grant-read-acp",
    "x-amz-grant-write-acp",
    "x-amz-grant-full-control",
    "x-amz-object-lock-mode",
    "x-amz-object-lock-retain-until-date",
    "x-amz-object-lock-legal-hold",
};

std::string_view AuthType(const S3Request& req) {
  if (req.post_form) {
    return "POST";
  }
  return req.auth.presigned ? "REST-QUERY-STRING" : "REST-HEADER";
}

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sets the value of the condition key `key` (lowercase) that the request carries, if any.
void AddCondition(const S3Request& req, std::string_view key, policy::ConditionValues& c,
                  bool& identity_added) {
  const http::Request& http = req.http();
  auto header = [&](std::string_view name) {
    if (const std::string* v = req.Header(name)) {
      c.Set(key, *v);
    }
  };
  if (key == "aws:username" || key == "aws:userid" || key == "aws:principaltype") {
    if (!identity_added) {
      iam::AddIdentityConditions(req.identity.get(), c);
      identity_added = true;
    }
  } else if (key == "aws:sourceip") {
    c.Set(key, std::string(SourceIp(http.remote_address)));
  } else if (key == "aws:securetransport") {
    c.Set(key, http.tls ? "true" : "false");
  } else if (key == "aws:currenttime") {
    c.Set(key, FormatIso8601(NowNs()));
  } else if (key == "aws:epochtime") {
    c.Set(key, std::to_string(NowNs() / 1000000000));
  } else if (key == "aws:useragent") {
    header("user-agent");
  } else if (key == "aws:referer") {
    header("referer");
  } else if (key.starts_with("s3:")) {
    const std::string_view rest = key.substr(3);
    // (the query parameter's name, and its lowercase key)
    constexpr std::pair<std::string_view, std::string_view> kQueryKeys[] = {
        {"prefix", "prefix"},
        {"delimiter", "delimiter"},
        {"max-keys", "max-keys"},
        {"versionId", "versionid"}};
    for (const auto& [q, lower] : kQueryKeys) {
      if (lower == rest) {
        if (auto v = req.route.query.Get(q)) {
          c.Set(key, std::string(*v));
        }
        return;
      }
    }
    if (std::find(std::begin(kHeaderKeys), std::end(kHeaderKeys), rest) != std::end(kHeaderKeys)) {
      header(rest);
    } else if (rest == "object-lock-mode") {
      header("x-amz-object-lock-mode");
    } else if (rest == "signatureversion" && !req.auth.anonymous) {
      c.Set(key, req.auth.version == 2 ? "AWS" : "AWS4-HMAC-SHA256");
    } else if (rest == "authtype" && !req.auth.anonymous) {
      c.Set(key, std::string(AuthType(req)));
    }
  }
}

// The condition keys of the request, as AWS names them: only those `want` asks for, so a
// policy without conditions or variables costs nothing here.
policy::ConditionValues Conditions(const S3Request& req, const WantedKeys& want,
                                   const std::string* stored_tags) {
  policy::ConditionValues c;
  if (want.empty()) {
    return c;
  }
  if (stored_tags != nullptr) {
    for (const Tag& tag : DecodeStoredTags(*stored_tags)) {
      std::string key = AsciiLower(std::string(kExistingObjectTag) + tag.key);
      if (want(key)) {
        c.Set(key, tag.value);
      }
    }
  }
  // s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys: the tags a write sends
  // (x-amz-tagging; a malformed header is the handler's error, and then no tags here).
  const std::string* tagging = req.Header("x-amz-tagging");
  if (tagging != nullptr &&
      (want.AnyWithPrefix(kRequestObjectTag) || want("s3:requestobjecttagkeys"))) {
    auto tags = ParseTaggingQuery(*tagging, TagScope::kObject);
    for (const Tag& tag : tags.ok() ? *tags : TagSet()) {
      std::string key = AsciiLower(std::string(kRequestObjectTag) + tag.key);
      if (want(key)) {
        c.Set(key, tag.value);
      }
      c.Add("s3:requestobjecttagkeys", tag.key);
    }
  }
  bool identity_added = false;
  want.ForEach([&](std::string_view key) { AddCondition(req, key, c, identity_added); });
  return c;
}

}  // namespace

std::string_view ActionFor(Op op, const Route& route) {
  const bool v = HasVersion(route);
  switch (op) {
    case Op::kListBuckets:
      return "s3:ListAllMyBuckets";
    case Op::kCreateBucket:
      return "s3:CreateBucket";
    case Op::kHeadBucket:
    case Op::kListObjectsV1:
    case Op::kListObjectsV2:
      return "s3:ListBucket";
    case Op::kDeleteBucket:
      return "s3:DeleteBucket";
    case Op::kGetBucketLocation:
      return "s3:GetBucketLocation";
    case Op::kGetBucketVersioning:
      return "s3:GetBucketVersioning";
    case Op::kPutBucketVersioning:
      return "s3:PutBucketVersioning";
    case Op::kListObjectVersions:
      return "s3:ListBucketVersions";
    case Op::kListMultipartUploads:
      return "s3:ListBucketMultipartUploads";
    case Op::kPutObject:
    case Op::kCopyObject:
    case Op::kCreateMultipartUpload:
    case Op::kUploadPart:
    case Op::kUploadPartCopy:
    case Op::kCompleteMultipartUpload:
    case Op::kPostObject:
      return "s3:PutObject";
    case Op::kGetObject:
    case Op::kHeadObject:
      return v ? "s3:GetObjectVersion" : "s3:GetObject";
    case Op::kDeleteObject:
      return v ? "s3:DeleteObjectVersion" : "s3:DeleteObject";
    case Op::kAbortMultipartUpload:
      return "s3:AbortMultipartUpload";
    case Op::kListParts:
      return "s3:ListMultipartUploadParts";
    case Op::kGetObjectAttributes:
      return v ? "s3:GetObjectVersionAttributes" : "s3:GetObjectAttributes";
    case Op::kGetObjectTorrent:
      return v ? "s3:GetObjectVersionTorrent" : "s3:GetObjectTorrent";
    case Op::kGetBucketCors:
      return "s3:GetBucketCORS";
    case Op::kPutBucketCors:
    case Op::kDeleteBucketCors:
      return "s3:PutBucketCORS";
    case Op::kGetBucketLifecycleConfiguration:
      return "s3:GetLifecycleConfiguration";
    case Op::kPutBucketLifecycleConfiguration:
    case Op::kDeleteBucketLifecycle:
      return "s3:PutLifecycleConfiguration";
    case Op::kPutObjectTagging:
      return v ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging";
    case Op::kGetObjectTagging:
      return v ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging";
    case Op::kDeleteObjectTagging:
      return v ? "s3:DeleteObjectVersionTagging" : "s3:DeleteObjectTagging";
    case Op::kPutBucketTagging:
    case Op::kDeleteBucketTagging:
      return "s3:PutBucketTagging";
    case Op::kGetBucketTagging:
      return "s3:GetBucketTagging";
    case Op::kPutObjectLockConfiguration:
      return "s3:PutBucketObjectLockConfiguration";
    case Op::kGetObjectLockConfiguration:
      return "s3:GetBucketObjectLockConfiguration";
    case Op::kPutObjectRetention:
      return "s3:PutObjectRetention";
    case Op::kGetObjectRetention:
      return "s3:GetObjectRetention";
    case Op::kPutObjectLegalHold:
      return "s3:PutObjectLegalHold";
    case Op::kGetObjectLegalHold:
      return "s3:GetObjectLegalHold";
    case Op::kPutBucketEncryption:
    case Op::kDeleteBucketEncryption:
      return "s3:PutEncryptionConfiguration";
    case Op::kGetBucketEncryption:
      return "s3:GetEncryptionConfiguration";
    case Op::kPutBucketPolicy:
      return "s3:PutBucketPolicy";
    case Op::kGetBucketPolicy:
      return "s3:GetBucketPolicy";
    case Op::kDeleteBucketPolicy:
      return "s3:DeleteBucketPolicy";
    case Op::kGetBucketPolicyStatus:
      return "s3:GetBucketPolicyStatus";
    case Op::kGetBucketAcl:
      return "s3:GetBucketAcl";
    case Op::kPutBucketAcl:
      return "s3:PutBucketAcl";
    case Op::kGetObjectAcl:
      return v ? "s3:GetObjectVersionAcl" : "s3:GetObjectAcl";
    case Op::kPutObjectAcl:
      return v ? "s3:PutObjectVersionAcl" : "s3:PutObjectAcl";
    case Op::kGetBucketOwnershipControls:
      return "s3:GetBucketOwnershipControls";
    case Op::kPutBucketOwnershipControls:
    case Op::kDeleteBucketOwnershipControls:
      return "s3:PutBucketOwnershipControls";
    case Op::kIamAction:         // per IAM action, in the handler (admin: actions)
    case Op::kDeleteObjects:     // per key, in the handler
    case Op::kOptionsObject:     // the CORS preflight carries no credentials
    case Op::kStsAction:         // the handler decides who may have credentials (sts.cc)
    case Op::kNotImplemented:    // refused before any handler
    case Op::kMethodNotAllowed:  // refused before any handler
      return "";
  }
  return "";
}

std::string ResourceArn(std::string_view bucket, std::string_view key) {
  if (bucket.empty()) {
    return "arn:aws:s3:::*";
  }
  std::string arn = "arn:aws:s3:::";
  arn += bucket;
  if (!key.empty()) {
    arn.push_back('/');
    arn += key;
  }
  return arn;
}

std::shared_ptr<const policy::Policy> BucketPolicyCache::Get(std::string_view bucket,
                                                             const std::string& document) {
  if (document.empty()) {
    return nullptr;
  }
  std::lock_guard lock(mu_);
  Entry& e = entries_[std::string(bucket)];
  if (e.compiled && e.document == document) {
    return e.compiled;
  }
  auto parsed = policy::Policy::Parse(document, policy::Kind::kResource);
  // A stored document that no longer parses (a stricter engine) allows nothing: an empty
  // policy.
  e.compiled = parsed.ok() ? std::make_shared<const policy::Policy>(std::move(*parsed))
                           : std::make_shared<const policy::Policy>();
  e.document = document;
  return e.compiled;
}

namespace {

// The bucket's compiled policy (nullptr: none).
std::shared_ptr<const policy::Policy> BucketPolicy(const S3Request& req, std::string_view bucket,
                                                   const object::BucketInfo* bucket_info) {
  if (bucket_info == nullptr || req.policy_cache == nullptr) {
    return nullptr;
  }
  return req.policy_cache->Get(bucket, bucket_info->Config(object::bucket_config::kPolicy));
}

WantedKeys Wanted(const iam::Identity* id, const policy::Policy* bucket_policy) {
  return WantedKeys(
      id != nullptr ? std::span<const std::string>(id->condition_keys)
                    : std::span<const std::string>(),
      bucket_policy != nullptr ? bucket_policy->condition_keys() : std::span<const std::string>());
}

// The policies' verdict (identity, session and bucket policies) on the request;
// `stored_tags`: the object's tags for s3:ExistingObjectTag/<key> (nullptr: none read).
iam::Verdict PolicyVerdict(const S3Request& req, std::string_view action, std::string_view bucket,
                           std::string_view key, const policy::Policy* bucket_policy,
                           const std::string* stored_tags) {
  const iam::Identity* id = req.identity.get();
  if (id == nullptr && bucket_policy == nullptr) {
    return iam::Verdict::kNotAllowed;
  }
  const policy::ConditionValues conditions =
      Conditions(req, Wanted(id, bucket_policy), stored_tags);
  const std::string resource = ResourceArn(bucket, key);
  iam::AccessRequest ar;
  ar.identity = id;
  ar.action = action;
  ar.resource = resource;
  ar.bucket_policy = bucket_policy;
  ar.conditions = &conditions;
  return iam::Decide(ar);
}

// Actions on an object that exists, whose tags s3:ExistingObjectTag/<key> may read (not the
// writes that make the object, nor the multipart calls).
bool ActsOnExistingObject(std::string_view action) {
  return action != "s3:PutObject" && action != "s3:AbortMultipartUpload" &&
         action != "s3:ListMultipartUploadParts";
}

bool RootPower(const S3Request& req) {
  const iam::Identity* id = req.identity.get();
  return id != nullptr && id->root_power && !id->session_policy;
}

// The bucket's info when it has a valid name and exists (nullopt otherwise: only identity
// policies then apply).
Task<std::optional<object::BucketInfo>> MaybeBucketInfo(S3Request& req, std::string_view bucket) {
  std::optional<object::BucketInfo> info;
  if (!bucket.empty() && IsValidBucketName(bucket)) {
    auto got = co_await req.layer.GetBucketInfo(req.ctx, bucket);
    if (got.ok()) {
      info = std::move(*got);
    }
  }
  co_return info;
}

// The version's info when it exists (nullopt otherwise).
Task<std::optional<object::ObjectInfo>> MaybeObjectInfo(S3Request& req, std::string_view bucket,
                                                        std::string_view key,
                                                        std::string_view version_id) {
  object::GetOptions opts;
  opts.version_id = std::string(version_id);
  auto got = co_await req.layer.GetObjectInfo(req.ctx, bucket, key, opts);
  std::optional<object::ObjectInfo> info;
  if (got.ok()) {
    info = std::move(*got);
  }
  co_return info;
}

// Object actions that no grant gives but the bucket's owner may do (AWS gives them to the
// bucket owner through WRITE, or to the upload's initiator): removing versions for good, and
// the multipart calls that name another writer's upload.
bool OwnerOnlyObjectAction(std::string_view action) {
  return action == "s3:DeleteObjectVersion" || action == "s3:AbortMultipartUpload" ||
         action == "s3:ListMultipartUploadParts";
}

// What ACLs and ownership say of a request that no policy allowed or denied: true / false, or
// nullopt when the object's ACL decides (an object-level permission, ACLs on).
std::optional<bool> AclVerdict(std::string_view action, std::string_view key,
                               const object::BucketInfo& bucket, const std::string& requester) {
  const bool owner = !requester.empty() && requester == BucketOwner(bucket);
  if (key.empty() || OwnerOnlyObjectAction(action)) {
    // The bucket's owner may do anything to its bucket (as the owning account may).
    if (owner) {
      return true;
    }
    if (OwnerOnlyObjectAction(action)) {
      return false;
    }
  }
  const AclNeed need = AclPermissionFor(action);
  if (need.permission == acl::Permission::kNone) {
    return false;
  }
  if (!need.on_object) {
    return acl::Permits(BucketAcl(bucket), requester, need.permission);
  }
  if (BucketOwnership(bucket) == acl::Ownership::kBucketOwnerEnforced) {
    return owner;  // ACLs off: the bucket's owner owns every object
  }
  return std::nullopt;
}

}  // namespace

bool Allowed(const S3Request& req, std::string_view action, std::string_view bucket,
             std::string_view key, const object::BucketInfo* bucket_info, bool with_acl) {
  if (RootPower(req)) {
    return true;  // the root user: no policy to evaluate
  }
  const auto bucket_policy = BucketPolicy(req, bucket, bucket_info);
  const iam::Verdict verdict =
      PolicyVerdict(req, action, bucket, key, bucket_policy.get(), nullptr);
  if (verdict != iam::Verdict::kNotAllowed || !with_acl || bucket_info == nullptr) {
    return verdict == iam::Verdict::kAllowed;
  }
  // Nothing allows and nothing denies: the bucket's ACL or ownership may.
  return AclVerdict(action, key, *bucket_info, CanonicalId(req.identity.get())).value_or(false);
}

bool MayListBucket(const S3Request& req, const object::BucketInfo& bucket) {
  if (RootPower(req)) {
    return true;
  }
  const auto bucket_policy = BucketPolicy(req, bucket.name, &bucket);
  const iam::Verdict verdict =
      PolicyVerdict(req, "s3:ListBucket", bucket.name, "", bucket_policy.get(), nullptr);
  if (verdict != iam::Verdict::kNotAllowed) {
    return verdict == iam::Verdict::kAllowed;
  }
  const std::string requester = CanonicalId(req.identity.get());
  return !requester.empty() && requester == BucketOwner(bucket);
}

Task<Status> CheckNotDenied(S3Request& req, std::string_view action, std::string_view bucket,
                            std::string_view key) {
  if (RootPower(req)) {
    co_return Status::Ok();
  }
  const std::optional<object::BucketInfo> info = co_await MaybeBucketInfo(req, bucket);
  const auto bucket_policy = BucketPolicy(req, bucket, info ? &*info : nullptr);
  const iam::Verdict verdict =
      PolicyVerdict(req, action, bucket, key, bucket_policy.get(), nullptr);
  co_return verdict == iam::Verdict::kDenied ? Status(Errc::kAccessDenied) : Status::Ok();
}

Task<Status> CheckAccess(S3Request& req, std::string_view action, std::string_view bucket,
                         std::string_view key, std::string_view version_id) {
  if (RootPower(req)) {
    co_return Status::Ok();
  }
  const std::optional<object::BucketInfo> info = co_await MaybeBucketInfo(req, bucket);
  const object::BucketInfo* bi = info ? &*info : nullptr;
  const auto bucket_policy = BucketPolicy(req, bucket, bi);
  // The object's metadata, read when a policy asks for its tags (and then used by the ACL).
  std::optional<object::ObjectInfo> found;
  const bool read_tags =
      !key.empty() && ActsOnExistingObject(action) &&
      Wanted(req.identity.get(), bucket_policy.get()).AnyWithPrefix(kExistingObjectTag);
  if (read_tags) {
    found = co_await MaybeObjectInfo(req, bucket, key, version_id);
  }
  const std::string no_tags;
  const std::string* tags = !read_tags ? nullptr : found ? &found->Meta(kTaggingMeta) : &no_tags;
  const iam::Verdict verdict = PolicyVerdict(req, action, bucket, key, bucket_policy.get(), tags);
  if (verdict == iam::Verdict::kAllowed) {
    co_return Status::Ok();
  }
  if (verdict == iam::Verdict::kDenied || bi == nullptr) {
    co_return Status(Errc::kAccessDenied);
  }
  // Nothing allows and nothing denies: the bucket's ACL or ownership may, or the object's ACL.
  const std::string requester = CanonicalId(req.identity.get());
  const std::optional<bool> by_bucket = AclVerdict(action, key, *bi, requester);
  if (by_bucket) {
    co_return *by_bucket ? Status::Ok() : Status(Errc::kAccessDenied);
  }
  if (!found) {
    found = co_await MaybeObjectInfo(req, bucket, key, version_id);
  }
  if (!found) {
    // A missing object is the handler's 404 for whoever may list the bucket, else 403.
    co_return acl::Permits(BucketAcl(*bi), requester, acl::Permission::kRead)
        ? Status::Ok()
        : Status(Errc::kAccessDenied);
  }
  co_return acl::Permits(ObjectAcl(*found, *bi), requester, AclPermissionFor(action).permission)
      ? Status::Ok()
      : Status(Errc::kAccessDenied);
}

Task<Status> AuthorizeOperation(S3Request& req) {
  const std::string_view action = ActionFor(req.route.op, req.route);
  if (action.empty()) {
    co_return Status::Ok();
  }
  // POST Object names its key in the form, not the path.
  const std::string& key = req.post_form ? req.post_form->key : req.route.key;
  const std::string_view version_id = req.route.query.Get("versionId").value_or("");
  Status st = co_await CheckAccess(req, action, req.route.bucket, key, version_id);
  if (!st.ok() && req.route.op == Op::kListBuckets && req.identity) {
    req.list_all_buckets = false;
    co_return Status::Ok();
  }
  co_return st;
}

}  // namespace cairn::s3
