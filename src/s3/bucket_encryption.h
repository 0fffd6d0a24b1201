// A bucket's default encryption (PutBucketEncryption): the ServerSideEncryptionConfiguration
// document, parsed with AWS's and MinIO's rules and errors, rendered in the canonical form that
// is stored as the bucket configuration document "encryption" and returned by
// GetBucketEncryption, and read back for the write path (which encrypts an object that asks
// for no encryption of its own as the bucket's rule says). Pure code, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "object/object_layer.h"

namespace cairn::s3 {

struct BucketEncryption {
  enum class Algorithm { kAes256, kAwsKms };
  Algorithm algorithm = Algorithm::kAes256;  // SSE-S3 (AES256) or SSE-KMS (aws:kms)
  // KMSMasterKeyID as sent (only with aws:kms; "" = the KMS's default key). It may carry the
  // "arn:aws:kms:" prefix: KmsKeyName() gives the key's name.
  std::string kms_key_id;
  bool bucket_key_enabled = false;  // stored and returned; changes nothing
};

// "AES256" or "aws:kms".
std::string_view AlgorithmName(BucketEncryption::Algorithm algorithm);

// PutBucketEncryption's document: exactly one Rule (MinIO's limit) whose
// ApplyServerSideEncryptionByDefault names the SSEAlgorithm, AES256 or aws:kms, and for aws:kms
// optionally a KMSMasterKeyID (AWS uses the default key without one); an optional
// BucketKeyEnabled true|false. Errors: kMalformedXml (not the schema: no or several Rules, no
// or an unknown SSEAlgorithm, a key id with blanks around it, BucketKeyEnabled not a boolean),
// kSseInvalidMethod (aws:kms:dsse, which cairn does not support), kInvalidArgumentS3 (a
// KMSMasterKeyID with AES256, as AWS answers).
Result<BucketEncryption> ParseBucketEncryptionXml(std::string_view xml);

// The canonical document (with xmlns, BucketKeyEnabled always present, as AWS returns it).
std::string RenderBucketEncryptionXml(const BucketEncryption& config);

// The bucket's default encryption from its stored configuration document
// (object::bucket_config::kEncryption), or nullopt when it has none. Errors: those of
// ParseBucketEncryptionXml for a stored document that no longer parses.
Result<std::optional<BucketEncryption>> BucketDefaultEncryption(const object::BucketInfo& info);

// The KMS key name of a KMSMasterKeyID: without the "arn:aws:kms:" prefix that MinIO strips
// ("arn:aws:kms:my-key" -> "my-key").
std::string_view KmsKeyName(std::string_view kms_key_id);

}  // namespace cairn::s3
