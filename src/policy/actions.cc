// The action names IsKnownAction accepts: AWS's for s3 (the Service Authorization Reference,
// "Actions defined by Amazon S3"), MinIO's admin: and kms: actions, and AWS STS's.
#include "policy/actions.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/text.h"
#include "policy/pattern.h"
#include "policy/policy.h"

namespace cairn::policy {
namespace {

constexpr auto kKnownActions = std::to_array<std::string_view>({
    // s3: objects.
    "s3:AbortMultipartUpload",
    "s3:BypassGovernanceRetention",
    "s3:DeleteObject",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectVersionTagging",
    "s3:GetObject",
    "s3:GetObjectAcl",
    "s3:GetObjectAttributes",
    "s3:GetObjectLegalHold",
    "s3:GetObjectRetention",
    "s3:GetObjectTagging",
    "s3:GetObjectTorrent",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionAttributes",
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionTagging",
    "s3:GetObjectVersionTorrent",
    "s3:ListMultipartUploadParts",
    "s3:ObjectOwnerOverrideToBucketOwner",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionAcl",
    "s3:PutObjectVersionTagging",
    "s3:ReplicateDelete",
    "s3:ReplicateObject",
    "s3:ReplicateTags",
    "s3:RestoreObject",
    "s3:InitiateReplication",
    // s3: buckets.
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "s3:DeleteBucketOwnershipControls",
    "s3:DeleteBucketPolicy",
    "s3:DeleteBucketWebsite",
    "s3:GetAccelerateConfiguration",
    "s3:GetAnalyticsConfiguration",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketNotification",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPolicy",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetBucketWebsite",
    "s3:GetEncryptionConfiguration",
    "s3:GetIntelligentTieringConfiguration",
    "s3:GetInventoryConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetMetricsConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:ListBucketVersions",
    "s3:PutAccelerateConfiguration",
    "s3:PutAnalyticsConfiguration",
    "s3:PutBucketAcl",
    "s3:PutBucketCORS",
    "s3:PutBucketLogging",
    "s3:PutBucketNotification",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketRequestPayment",
    "s3:PutBucketTagging",
    "s3:PutBucketVersioning",
    "s3:PutBucketWebsite",
    "s3:PutEncryptionConfiguration",
    "s3:PutIntelligentTieringConfiguration",
    "s3:PutInventoryConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutMetricsConfiguration",
    "s3:PutReplicationConfiguration",
    // s3: the account, access points, jobs.
    "s3:GetAccountPublicAccessBlock",
    "s3:ListAllMyBuckets",
    "s3:PutAccountPublicAccessBlock",
    "s3:CreateJob",
    "s3:DescribeJob",
    "s3:ListJobs",
    "s3:UpdateJobPriority",
    "s3:UpdateJobStatus",
    "s3:CreateAccessPoint",
    "s3:DeleteAccessPoint",
    "s3:GetAccessPoint",
    "s3:ListAccessPoints",
    "s3:PutAccessPointPolicy",
    "s3:GetAccessPointPolicy",
    "s3:DeleteAccessPointPolicy",
    // s3: MinIO's extensions.
    "s3:ListenBucketNotification",
    "s3:ListenNotification",
    "s3:GetBucketQuota",
    "s3:PutBucketQuota",
    // admin: (MinIO).
    "admin:Heal",
    "admin:Decommission",
    "admin:Rebalance",
    "admin:StorageInfo",
    "admin:Prometheus",
    "admin:DataUsageInfo",
    "admin:ForceUnlock",
    "admin:TopLocksInfo",
    "admin:Profiling",
    "admin:ServerTrace",
    "admin:ConsoleLog",
    "admin:KMSCreateKey",
    "admin:KMSKeyStatus",
    "admin:ServerInfo",
    "admin:OBDInfo",
    "admin:LicenseInfo",
    "admin:BandwidthMonitor",
    "admin:InspectData",
    "admin:ServerUpdate",
    "admin:ServiceRestart",
    "admin:ServiceStop",
    "admin:ServiceFreeze",
    "admin:ServiceCordon",
    "admin:ConfigUpdate",
    "admin:CreateUser",
    "admin:DeleteUser",
    "admin:ListUsers",
    "admin:EnableUser",
    "admin:DisableUser",
    "admin:GetUser",
    "admin:SiteReplicationAdd",
    "admin:SiteReplicationDisable",
    "admin:SiteReplicationRemove",
    "admin:SiteReplicationResync",
    "admin:SiteReplicationInfo",
    "admin:SiteReplicationOperation",
    "admin:CreateServiceAccount",
    "admin:UpdateServiceAccount",
    "admin:RemoveServiceAccount",
    "admin:ListServiceAccounts",
    "admin:ListTemporaryAccounts",
    "admin:AddUserToGroup",
    "admin:RemoveUserFromGroup",
    "admin:GetGroup",
    "admin:ListGroups",
    "admin:EnableGroup",
    "admin:DisableGroup",
    "admin:CreatePolicy",
    "admin:DeletePolicy",
    "admin:GetPolicy",
    "admin:AttachUserOrGroupPolicy",
    "admin:UpdatePolicyAssociation",
    "admin:ListUserPolicies",
    "admin:SetBucketQuota",
    "admin:GetBucketQuota",
    "admin:SetBucketTarget",
    "admin:GetBucketTarget",
    "admin:ReplicationDiff",
    "admin:ImportBucketMetadata",
    "admin:ExportBucketMetadata",
    "admin:SetTier",
    "admin:ListTier",
    "admin:ExportIAM",
    "admin:ImportIAM",
    "admin:ListBatchJobs",
    "admin:DescribeBatchJob",
    "admin:StartBatchJob",
    "admin:CancelBatchJob",
    "admin:GenerateBatchJob",
    // kms: (MinIO).
    "kms:Status",
    "kms:Metrics",
    "kms:API",
    "kms:Version",
    "kms:CreateKey",
    "kms:DeleteKey",
    "kms:ImportKey",
    "kms:ListKeys",
    "kms:KeyStatus",
    "kms:DescribePolicy",
    "kms:AssignPolicy",
    "kms:DeletePolicy",
    "kms:SetPolicy",
    "kms:GetPolicy",
    "kms:ListPolicies",
    "kms:DescribeIdentity",
    "kms:SelfDescribeIdentity",
    "kms:DeleteIdentity",
    "kms:ListIdentities",
    // sts:
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithLDAPIdentity",
    "sts:AssumeRoleWithClientGrants",
    "sts:AssumeRoleWithCertificate",
    "sts:AssumeRoleWithCustomToken",
    "sts:AssumeRoleWithSAML",
    "sts:GetSessionToken",
    "sts:GetFederationToken",
    "sts:GetCallerIdentity",
    "sts:TagSession",
});

static_assert(kKnownActions.size() <= kMaxKnownActions);

// The lowercase names with their numbers, sorted for binary search. Built once, then only
// read (a function-local static: immutable after its thread-safe initialisation).
const std::vector<std::pair<std::string, std::size_t>>& SortedKnownActions() {
  static const auto sorted = [] {
    std::vector<std::pair<std::string, std::size_t>> v;
    for (std::size_t i = 0; i < kKnownActions.size(); ++i) {
      v.emplace_back(AsciiLower(kKnownActions[i]), i);
    }
    std::sort(v.begin(), v.end());
    return v;
  }();
  return sorted;
}

}  // namespace

ActionSet KnownActionsMatching(const Pattern& pattern) {
  ActionSet set;
  for (std::size_t i = 0; i < kKnownActions.size(); ++i) {
    set[i] = pattern.Match(kKnownActions[i], nullptr, /*fold_case=*/true);
  }
  return set;
}

std::optional<std::size_t> KnownActionIndex(std::string_view lowercase_name) {
  const auto& sorted = SortedKnownActions();
  const auto it =
      std::lower_bound(sorted.begin(), sorted.end(), lowercase_name,
                       [](const auto& entry, std::string_view name) { return entry.first < name; });
  if (it == sorted.end() || it->first != lowercase_name) {
    return std::nullopt;
  }
  return it->second;
}

bool IsKnownAction(std::string_view name) {
  return KnownActionsMatching(Pattern::Compile(name, {.variables = false, .lowercase = true}))
      .any();
}

}  // namespace cairn::policy
