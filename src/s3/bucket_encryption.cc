#include "s3/bucket_encryption.h"

#include "common/text.h"
#include "s3/xml.h"
#include "s3/xml_reader.h"

namespace cairn::s3 {
namespace {

using namespace xml_read;
using Algorithm = BucketEncryption::Algorithm;

constexpr std::string_view kAes256 = "AES256";
constexpr std::string_view kAwsKms = "aws:kms";
constexpr std::string_view kAwsKmsDsse = "aws:kms:dsse";
constexpr std::string_view kKmsArnPrefix = "arn:aws:kms:";

Result<Algorithm> ParseAlgorithm(const pugi::xml_node& apply) {
  int count = 0;
  pugi::xml_node node = OnlyChild(apply, "SSEAlgorithm", count);
  if (count != 1) {
    return Malformed();
  }
  const std::string name = Text(node);
  if (name == kAes256) {
    return Algorithm::kAes256;
  }
  if (name == kAwsKms) {
    return Algorithm::kAwsKms;
  }
  if (name == kAwsKmsDsse) {
    return Status(Errc::kSseInvalidMethod,
                  "The encryption method specified is not supported: aws:kms:dsse (DSSE-KMS)");
  }
  return Malformed();
}

// KMSMasterKeyID: "" when absent or empty.
Result<std::string> ParseKeyId(const pugi::xml_node& apply, Algorithm algorithm) {
  int count = 0;
  pugi::xml_node node = OnlyChild(apply, "KMSMasterKeyID", count);
  if (count > 1) {
    return Malformed();
  }
  std::string key = count == 1 ? Text(node) : std::string();
  if (key.empty()) {
    return key;
  }
  if (algorithm != Algorithm::kAwsKms) {
    return Status(Errc::kInvalidArgumentS3,
                  "a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                  "aws:kms or aws:kms:dsse");
  }
  if (TrimBlanks(key) != key) {
    return Malformed();  // MinIO: "MasterKeyID contains unsupported characters"
  }
  return key;
}

Result<bool> ParseBucketKeyEnabled(const pugi::xml_node& rule) {
  int count = 0;
  pugi::xml_node node = OnlyChild(rule, "BucketKeyEnabled", count);
  if (count == 0) {
    return false;
  }
  const std::string text = Text(node);
  const std::string_view value = TrimBlanks(text);
  if (count > 1 || (value != "true" && value != "false")) {
    return Malformed();
  }
  return value == "true";
}

}  // namespace

std::string_view AlgorithmName(BucketEncryption::Algorithm algorithm) {
  return algorithm == Algorithm::kAwsKms ? kAwsKms : kAes256;
}

Result<BucketEncryption> ParseBucketEncryptionXml(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "ServerSideEncryptionConfiguration"));
  int count = 0;
  pugi::xml_node rule = OnlyChild(root, "Rule", count);
  if (count != 1) {
    return Malformed();  // MinIO: only one server-side encryption rule is allowed at a time
  }
  pugi::xml_node apply = OnlyChild(rule, "ApplyServerSideEncryptionByDefault", count);
  if (count != 1) {
    return Malformed();
  }
  BucketEncryption config;
  ASSIGN_OR_RETURN(config.algorithm, ParseAlgorithm(apply));
  ASSIGN_OR_RETURN(config.kms_key_id, ParseKeyId(apply, config.algorithm));
  ASSIGN_OR_RETURN(config.bucket_key_enabled, ParseBucketKeyEnabled(rule));
  return config;
}

std::string RenderBucketEncryptionXml(const BucketEncryption& config) {
  XmlWriter w;
  w.Open("ServerSideEncryptionConfiguration")
      .Open("Rule")
      .Open("ApplyServerSideEncryptionByDefault")
      .Element("SSEAlgorithm", AlgorithmName(config.algorithm));
  if (config.algorithm == Algorithm::kAwsKms && !config.kms_key_id.empty()) {
    w.Element("KMSMasterKeyID", config.kms_key_id);
  }
  w.Close().Bool("BucketKeyEnabled", config.bucket_key_enabled);
  return w.Finish();
}

Result<std::optional<BucketEncryption>> BucketDefaultEncryption(const object::BucketInfo& info) {
  const std::string& doc = info.Config(object::bucket_config::kEncryption);
  if (doc.empty()) {
    return std::optional<BucketEncryption>();
  }
  ASSIGN_OR_RETURN(BucketEncryption config, ParseBucketEncryptionXml(doc));
  return std::optional<BucketEncryption>(std::move(config));
}

std::string_view KmsKeyName(std::string_view kms_key_id) {
  if (kms_key_id.starts_with(kKmsArnPrefix)) {
    kms_key_id.remove_prefix(kKmsArnPrefix.size());
  }
  return kms_key_id;
}

}  // namespace cairn::s3
