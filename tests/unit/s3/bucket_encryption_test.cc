#include "s3/bucket_encryption.h"

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace bucket_encryption_test_internal {

using Algorithm = BucketEncryption::Algorithm;

std::string Config(std::string_view rules) {
  return "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
         std::string(rules) + "</ServerSideEncryptionConfiguration>";
}

std::string Rule(std::string_view apply, std::string_view extra = "") {
  return "<Rule><ApplyServerSideEncryptionByDefault>" + std::string(apply) +
         "</ApplyServerSideEncryptionByDefault>" + std::string(extra) + "</Rule>";
}

TEST(BucketEncryption, ParsesSseS3AndSseKms) {
  auto s3 = ParseBucketEncryptionXml(Config(Rule("<SSEAlgorithm>AES256</SSEAlgorithm>")));
  ASSERT_TRUE(s3.ok()) << s3.status().message();
  EXPECT_EQ(s3->algorithm, Algorithm::kAes256);
  EXPECT_TRUE(s3->kms_key_id.empty());
  EXPECT_FALSE(s3->bucket_key_enabled);

  auto kms = ParseBucketEncryptionXml(
      Config(Rule("<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>my-key</KMSMasterKeyID>",
                  "<BucketKeyEnabled>true</BucketKeyEnabled>")));
  ASSERT_TRUE(kms.ok()) << kms.status().message();
  EXPECT_EQ(kms->algorithm, Algorithm::kAwsKms);
  EXPECT_EQ(kms->kms_key_id, "my-key");
  EXPECT_TRUE(kms->bucket_key_enabled);

  // aws:kms without a key id uses the KMS's default key (AWS); an empty one is none.
  auto default_key = ParseBucketEncryptionXml(
      Config(Rule("<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID>")));
  ASSERT_TRUE(default_key.ok()) << default_key.status().message();
  EXPECT_TRUE(default_key->kms_key_id.empty());

  // No namespace, a prefixed one, pretty-printed, BucketKeyEnabled false with blanks.
  auto plain = ParseBucketEncryptionXml(
      "<ServerSideEncryptionConfiguration>\n  <Rule>\n    <ApplyServerSideEncryptionByDefault>"
      "\n      <SSEAlgorithm>AES256</SSEAlgorithm>\n    </ApplyServerSideEncryptionByDefault>\n"
      "    <BucketKeyEnabled> false </BucketKeyEnabled>\n  </Rule>\n"
      "</ServerSideEncryptionConfiguration>");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_FALSE(plain->bucket_key_enabled);
  auto prefixed = ParseBucketEncryptionXml(
      "<s3:ServerSideEncryptionConfiguration xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<s3:Rule><s3:ApplyServerSideEncryptionByDefault><s3:SSEAlgorithm>AES256</s3:SSEAlgorithm>"
      "</s3:ApplyServerSideEncryptionByDefault></s3:Rule></s3:ServerSideEncryptionConfiguration>");
  EXPECT_TRUE(prefixed.ok()) << prefixed.status().message();
}

TEST(BucketEncryption, RendersTheCanonicalDocumentAndParsesItBack) {
  BucketEncryption s3;
  EXPECT_EQ(RenderBucketEncryptionXml(s3),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
            "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled>"
            "</Rule></ServerSideEncryptionConfiguration>");
  for (const BucketEncryption& config :
       {BucketEncryption{Algorithm::kAes256, "", false},
        BucketEncryption{Algorithm::kAes256, "", true},
        BucketEncryption{Algorithm::kAwsKms, "", false},
        BucketEncryption{Algorithm::kAwsKms, "arn:aws:kms:my-key", true},
        BucketEncryption{Algorithm::kAwsKms, "key<&>\"'", false}}) {
    const std::string xml = RenderBucketEncryptionXml(config);
    auto again = ParseBucketEncryptionXml(xml);
    ASSERT_TRUE(again.ok()) << xml;
    EXPECT_EQ(again->algorithm, config.algorithm) << xml;
    EXPECT_EQ(again->kms_key_id, config.kms_key_id) << xml;
    EXPECT_EQ(again->bucket_key_enabled, config.bucket_key_enabled) << xml;
    EXPECT_EQ(RenderBucketEncryptionXml(*again), xml);
  }
  EXPECT_EQ(AlgorithmName(Algorithm::kAes256), "AES256");
  EXPECT_EQ(AlgorithmName(Algorithm::kAwsKms), "aws:kms");
}

TEST(BucketEncryption, MalformedDocuments) {
  const std::string aes = Rule("<SSEAlgorithm>AES256</SSEAlgorithm>");
  for (const std::string& xml : {
           std::string("not xml"),
           std::string("<ServerSideEncryptionConfiguration>"),
           std::string("<EncryptionConfiguration>") + aes + "</EncryptionConfiguration>",
           Config(""),               // no Rule
           Config(aes + aes),        // two Rules (MinIO)
           Config("<Rule></Rule>"),  // nothing to apply
           Config("<Rule><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"),
           Config(Rule("")),  // no SSEAlgorithm
           Config(Rule("<SSEAlgorithm>AES256</SSEAlgorithm><SSEAlgorithm>AES256</SSEAlgorithm>")),
           Config(Rule("<SSEAlgorithm>aes256</SSEAlgorithm>")),  // the names are exact
           Config(Rule("<SSEAlgorithm>AES128</SSEAlgorithm>")),
           Config(Rule("<SSEAlgorithm></SSEAlgorithm>")),
           Config(Rule("<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID> k </KMSMasterKeyID>")),
           Config(Rule("<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>a</KMSMasterKeyID>"
                       "<KMSMasterKeyID>b</KMSMasterKeyID>")),
           Config(Rule("<SSEAlgorithm>AES256</SSEAlgorithm>",
                       "<BucketKeyEnabled>yes</BucketKeyEnabled>")),
           Config(Rule("<SSEAlgorithm>AES256</SSEAlgorithm>",
                       "<BucketKeyEnabled>true</BucketKeyEnabled>"
                       "<BucketKeyEnabled>true</BucketKeyEnabled>")),
       }) {
    EXPECT_EQ(ParseBucketEncryptionXml(xml).status().code(), Errc::kMalformedXml) << xml;
  }
}

TEST(BucketEncryption, RefusalsWithAwsErrors) {
  // A key id with SSE-S3: AWS's InvalidArgument.
  auto with_key = ParseBucketEncryptionXml(
      Config(Rule("<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID>")));
  EXPECT_EQ(with_key.status().code(), Errc::kInvalidArgumentS3);
  EXPECT_NE(with_key.status().message().find("KMSMasterKeyID is not applicable"),
            std::string::npos);
  // DSSE-KMS is AWS's, not cairn's: InvalidArgument as for an unsupported
  // x-amz-server-side-encryption.
  auto dsse = ParseBucketEncryptionXml(Config(Rule("<SSEAlgorithm>aws:kms:dsse</SSEAlgorithm>")));
  EXPECT_EQ(dsse.status().code(), Errc::kSseInvalidMethod);
  EXPECT_NE(dsse.status().message().find("aws:kms:dsse"), std::string::npos);
}

TEST(BucketEncryption, BucketDefaultEncryptionReadsTheStoredDocument) {
  object::BucketInfo info;
  auto none = BucketDefaultEncryption(info);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  info.config[std::string(object::bucket_config::kEncryption)] =
      RenderBucketEncryptionXml(BucketEncryption{Algorithm::kAwsKms, "arn:aws:kms:k1", false});
  auto kms = BucketDefaultEncryption(info);
  ASSERT_TRUE(kms.ok());
  ASSERT_TRUE(kms->has_value());
  EXPECT_EQ((*kms)->algorithm, Algorithm::kAwsKms);
  EXPECT_EQ((*kms)->kms_key_id, "arn:aws:kms:k1");
  EXPECT_EQ(KmsKeyName((*kms)->kms_key_id), "k1");

  info.config[std::string(object::bucket_config::kEncryption)] = "garbage";
  EXPECT_EQ(BucketDefaultEncryption(info).status().code(), Errc::kMalformedXml);
}

TEST(BucketEncryption, KmsKeyNames) {
  EXPECT_EQ(KmsKeyName("my-key"), "my-key");
  EXPECT_EQ(KmsKeyName("arn:aws:kms:my-key"), "my-key");
  EXPECT_EQ(KmsKeyName("arn:aws:kms:us-east-1:1234:key/abc"), "us-east-1:1234:key/abc");
  EXPECT_EQ(KmsKeyName(""), "");
}

}  // namespace bucket_encryption_test_internal
}  // namespace cairn::s3
