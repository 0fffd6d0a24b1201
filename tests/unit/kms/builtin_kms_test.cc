// The built-in KMS: the master key's text form and environment, named keys in the system
// bucket of a memory-drive cluster, data keys sealed under them.
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/checksum.h"
#include "kms/kms.h"
#include "unit/object/object_fixture.h"

namespace cairn::kms {
namespace {

using object::test::Backend;
using object::test::Cluster;
using object::test::Layout;
using testing::SyncWait;

std::string KeyText(std::string_view name, char fill) {
  return std::string(name) + ":" + Base64Encode(std::string(32, fill));
}

MasterKey Master(std::string_view name = "my-key", char fill = 'k') {
  auto key = ParseMasterKey(KeyText(name, fill));
  RELEASE_ASSERT(key.ok(), "test master key");
  return std::move(key).value();
}

Environment EnvOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

TEST(MasterKey, Parse) {
  auto good = ParseMasterKey(KeyText("my-key_1.a", 'x') + "\n");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->name, "my-key_1.a");
  EXPECT_EQ(crypto::KeyBytes(good->key), std::string(32, 'x'));

  const std::string secret = Base64Encode(std::string(31, 's'));
  for (const std::string& bad :
       {std::string(""), std::string("no-colon"), ":" + Base64Encode(std::string(32, 'x')),
        "bad name:" + Base64Encode(std::string(32, 'x')), std::string("k:not base64!"),
        "k:" + secret, "k:" + Base64Encode(std::string(33, 'x')),
        std::string(65, 'n') + ":" + Base64Encode(std::string(32, 'x'))}) {
    auto r = ParseMasterKey(bad);
    EXPECT_EQ(r.code(), Errc::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().message().find(secret), std::string::npos);  // never echoes the key
  }
}

TEST(MasterKey, FromEnvironment) {
  auto none = MasterKeyFromEnvironment(EnvOf({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto minio = MasterKeyFromEnvironment(EnvOf({{"MINIO_KMS_SECRET_KEY", KeyText("m", 'a')}}));
  ASSERT_TRUE(minio.ok());
  EXPECT_EQ((*minio)->name, "m");

  auto both = MasterKeyFromEnvironment(EnvOf(
      {{"MINIO_KMS_SECRET_KEY", KeyText("m", 'a')}, {"CAIRN_KMS_SECRET_KEY", KeyText("c", 'b')}}));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)->name, "c");

  auto bad = MasterKeyFromEnvironment(EnvOf({{"CAIRN_KMS_SECRET_KEY", "c:short"}}));
  EXPECT_EQ(bad.code(), Errc::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("CAIRN_KMS_SECRET_KEY"), std::string::npos);

  const auto path = std::filesystem::temp_directory_path() /
                    ("cairn-kms-test-" + std::to_string(::getpid()) + ".key");
  {
    std::ofstream f(path);
    f << KeyText("from-file", 'f') << "\n";
  }
  auto file = MasterKeyFromEnvironment(EnvOf({{"CAIRN_KMS_SECRET_KEY_FILE", path.string()}}));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->name, "from-file");
  std::filesystem::remove(path);
  auto missing = MasterKeyFromEnvironment(EnvOf({{"MINIO_KMS_SECRET_KEY_FILE", path.string()}}));
  EXPECT_EQ(missing.code(), Errc::kInvalidArgument);
}

TEST(CanonicalContext, SortedAndUnambiguous) {
  EXPECT_EQ(CanonicalContext({}), "{}");
  EXPECT_EQ(CanonicalContext({{"b", "2"}, {"a", "1"}}), R"({"a":"1","b":"2"})");
  EXPECT_NE(CanonicalContext({{"a", "1\",\"b\":\"2"}}), CanonicalContext({{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(CanonicalContext({{"a", std::string("\n\x01", 2)}}), R"({"a":"\u000a\u0001"})");
}

class BuiltinKmsTest : public ::testing::Test {
 protected:
  BuiltinKmsTest() : cluster_(Layout{1, 1, 4, 2}, Backend::kMemory) {
    kms_ = NewBuiltinKms(Master(), *cluster_.layer);
  }

  Cluster cluster_;
  std::unique_ptr<Kms> kms_;
  RequestContext& ctx_ = cluster_.ctx;
};

TEST_F(BuiltinKmsTest, MasterKeyIsTheDefault) {
  EXPECT_EQ(kms_->default_key(), "my-key");
  auto keys = SyncWait(kms_->ListKeys(ctx_, "*"));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();  // no system bucket yet
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].name, "my-key");
  EXPECT_TRUE((*keys)[0].is_default);
  EXPECT_TRUE((*keys)[0].enabled);
  auto status = SyncWait(kms_->KeyStatus(ctx_, "my-key"));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->is_default);
  EXPECT_EQ(SyncWait(kms_->SetKeyEnabled(ctx_, "my-key", false)).code(), Errc::kInvalidArgument);
  EXPECT_EQ(SyncWait(kms_->CreateKey(ctx_, "my-key")).code(), Errc::kKmsKeyExists);
}

TEST_F(BuiltinKmsTest, CreateListStatusDisableEnable) {
  ASSERT_TRUE(SyncWait(kms_->CreateKey(ctx_, "app-b")).ok());
  ASSERT_TRUE(SyncWait(kms_->CreateKey(ctx_, "app-a")).ok());
  ASSERT_TRUE(SyncWait(kms_->CreateKey(ctx_, "other")).ok());
  EXPECT_EQ(SyncWait(kms_->CreateKey(ctx_, "app-a")).code(), Errc::kKmsKeyExists);
  for (const char* bad : {"", "a b", "a/b", "x:y", "é"}) {
    EXPECT_EQ(SyncWait(kms_->CreateKey(ctx_, bad)).code(), Errc::kInvalidArgument) << bad;
  }
  EXPECT_EQ(SyncWait(kms_->CreateKey(ctx_, std::string(65, 'a'))).code(), Errc::kInvalidArgument);
  EXPECT_TRUE(SyncWait(kms_->CreateKey(ctx_, std::string(64, 'a'))).ok());

  auto all = SyncWait(kms_->ListKeys(ctx_, ""));
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> names;
  for (const auto& k : *all) {
    names.push_back(k.name);
    EXPECT_TRUE(k.enabled);
    EXPECT_EQ(k.is_default, k.name == "my-key");
    EXPECT_GT(k.created_ns, 0);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"my-key", std::string(64, 'a'), "app-a", "app-b", "other"}));
  auto apps = SyncWait(kms_->ListKeys(ctx_, "app-*"));
  ASSERT_TRUE(apps.ok());
  ASSERT_EQ(apps->size(), 2u);
  EXPECT_EQ((*apps)[0].name, "app-a");
  auto one = SyncWait(kms_->ListKeys(ctx_, "other"));
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);

  ASSERT_TRUE(SyncWait(kms_->SetKeyEnabled(ctx_, "app-a", false)).ok());
  auto status = SyncWait(kms_->KeyStatus(ctx_, "app-a"));
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->enabled);
  EXPECT_EQ(SyncWait(kms_->GenerateKey(ctx_, "app-a", {})).code(), Errc::kKmsKeyDisabled);
  ASSERT_TRUE(SyncWait(kms_->SetKeyEnabled(ctx_, "app-a", false)).ok());  // already
  ASSERT_TRUE(SyncWait(kms_->SetKeyEnabled(ctx_, "app-a", true)).ok());
  EXPECT_TRUE(SyncWait(kms_->GenerateKey(ctx_, "app-a", {})).ok());

  EXPECT_EQ(SyncWait(kms_->KeyStatus(ctx_, "nope")).code(), Errc::kKmsKeyNotFound);
  EXPECT_EQ(SyncWait(kms_->SetKeyEnabled(ctx_, "nope", false)).code(), Errc::kKmsKeyNotFound);

  // The system bucket is not an S3 bucket: the layer lists it, s3/ and admin/ hide it.
  auto buckets = SyncWait(cluster_.layer->ListBuckets(ctx_));
  ASSERT_TRUE(buckets.ok());
  ASSERT_EQ(buckets->size(), 1u);
  EXPECT_EQ((*buckets)[0].name, kSystemBucket);
}

TEST_F(BuiltinKmsTest, DataKeysRoundTrip) {
  ASSERT_TRUE(SyncWait(kms_->CreateKey(ctx_, "named")).ok());
  const Context context = {{"bucket", "b"}, {"object", "o"}};
  for (std::string id : {"", "my-key", "named"}) {
    auto dk = SyncWait(kms_->GenerateKey(ctx_, id, context));
    ASSERT_TRUE(dk.ok()) << dk.status().ToString();
    EXPECT_EQ(dk->key_id, id.empty() ? "my-key" : id);
    EXPECT_EQ(dk->sealed.size(), crypto::kSealedKeySize);
    auto opened = SyncWait(kms_->Decrypt(ctx_, dk->key_id, dk->sealed, context));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, dk->plaintext);

    const Context other = {{"bucket", "b"}, {"object", "moved"}};
    EXPECT_EQ(SyncWait(kms_->Decrypt(ctx_, dk->key_id, dk->sealed, other)).code(),
              Errc::kKmsInternal);
    const std::string other_key = dk->key_id == "named" ? "my-key" : "named";
    EXPECT_EQ(SyncWait(kms_->Decrypt(ctx_, other_key, dk->sealed, context)).code(),
              Errc::kKmsInternal);
  }
  EXPECT_EQ(SyncWait(kms_->GenerateKey(ctx_, "unknown", context)).code(), Errc::kKmsKeyNotFound);
  EXPECT_EQ(SyncWait(kms_->Decrypt(ctx_, "unknown", std::string(61, 'x'), context)).code(),
            Errc::kKmsKeyNotFound);
  EXPECT_EQ(SyncWait(kms_->Decrypt(ctx_, "bad/name", std::string(61, 'x'), context)).code(),
            Errc::kKmsKeyNotFound);

  auto dk = SyncWait(kms_->GenerateKey(ctx_, "named", context));
  ASSERT_TRUE(dk.ok());
  ASSERT_TRUE(SyncWait(kms_->SetKeyEnabled(ctx_, "named", false)).ok());
  EXPECT_EQ(SyncWait(kms_->Decrypt(ctx_, "named", dk->sealed, context)).code(),
            Errc::kKmsKeyDisabled);
}

TEST_F(BuiltinKmsTest, AnotherNodeSeesTheKeys) {
  ASSERT_TRUE(SyncWait(kms_->CreateKey(ctx_, "shared")).ok());
  auto dk = SyncWait(kms_->GenerateKey(ctx_, "shared", {}));
  ASSERT_TRUE(dk.ok());

  auto second = NewBuiltinKms(Master(), *cluster_.layer);
  auto opened = SyncWait(second->Decrypt(ctx_, "shared", dk->sealed, {}));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, dk->plaintext);
  auto keys = SyncWait(second->ListKeys(ctx_, "*"));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_EQ(SyncWait(second->CreateKey(ctx_, "shared")).code(), Errc::kKmsKeyExists);
  // A disable through the second is read by the first once its cache entry has expired;
  // the second sees it at once.
  ASSERT_TRUE(SyncWait(second->SetKeyEnabled(ctx_, "shared", false)).ok());
  EXPECT_EQ(SyncWait(second->GenerateKey(ctx_, "shared", {})).code(), Errc::kKmsKeyDisabled);
  auto third = NewBuiltinKms(Master(), *cluster_.layer);
  EXPECT_EQ(SyncWait(third->GenerateKey(ctx_, "shared", {})).code(), Errc::kKmsKeyDisabled);
  // The first still has the key cached as enabled, for at most kCacheLife.
  const auto disabled_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(testing::Eventually(
      [&] {
        return SyncWait(kms_->GenerateKey(ctx_, "shared", {})).code() == Errc::kKmsKeyDisabled;
      },
      kCacheLife + std::chrono::seconds(5), std::chrono::milliseconds(100)));
  EXPECT_LE(std::chrono::steady_clock::now() - disabled_at, kCacheLife + std::chrono::seconds(1));
}

// Several threads at once (as several network threads call it): creates, lookups, seals.
TEST_F(BuiltinKmsTest, ConcurrentCallers) {
  ASSERT_TRUE(SyncWait(kms_->CreateKey(ctx_, "hot")).ok());
  std::atomic<int> failures{0};
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RequestContext ctx = RequestContext::Background("t" + std::to_string(t));
      for (int i = 0; i < 20; ++i) {
        const Context context = {{"i", std::to_string(i)}};
        auto dk = SyncWait(kms_->GenerateKey(ctx, "hot", context));
        auto opened = dk.ok() ? SyncWait(kms_->Decrypt(ctx, "hot", dk->sealed, context))
                              : Result<crypto::Key>(dk.status());
        if (!opened.ok() || *opened != dk->plaintext) {
          ++failures;
        }
        // Every thread races to create the same few keys: one create of each wins.
        Status st = SyncWait(kms_->CreateKey(ctx, "k" + std::to_string(i % 5)));
        if (st.ok()) {
          ++created;
        } else if (st.code() != Errc::kKmsKeyExists) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(created.load(), 5);
  auto keys = SyncWait(kms_->ListKeys(ctx_, "k*"));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 5u);
}

// A record that is not one (garbage, another name's record copied over it) opens nothing.
TEST_F(BuiltinKmsTest, DamagedRecordsAreInternalErrors) {
  ASSERT_TRUE(SyncWait(kms_->CreateKey(ctx_, "good")).ok());
  auto reader = SyncWait(cluster_.layer->GetObject(ctx_, kSystemBucket, "kms/keys/good.json", {}));
  ASSERT_TRUE(reader.ok());
  std::string record(static_cast<std::size_t>((*reader)->info().size), '\0');
  ASSERT_TRUE(SyncWait(ReadFull(**reader, std::as_writable_bytes(std::span<char>(record)))).ok());
  std::string renamed = record;  // the name changed: the sealed key is bound to "good"
  const auto at = renamed.find(R"("name":"good")");
  ASSERT_NE(at, std::string::npos) << record;
  renamed.replace(at, 13, R"("name":"copied")");
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), std::string(R"({"name":1,"sealed":2})"),
        std::string(R"({"name":"copied","sealed":"@@"})"), record, renamed}) {
    ASSERT_TRUE(cluster_.Put(kSystemBucket, "kms/keys/copied.json", bad).ok());
    auto fresh = NewBuiltinKms(Master(), *cluster_.layer);
    EXPECT_EQ(SyncWait(fresh->GenerateKey(ctx_, "copied", {})).code(), Errc::kKmsInternal) << bad;
  }
}

TEST_F(BuiltinKmsTest, AnotherMasterKeyOfTheSameNameOpensNothing) {
  ASSERT_TRUE(SyncWait(kms_->CreateKey(ctx_, "named")).ok());
  auto dk = SyncWait(kms_->GenerateKey(ctx_, "", {}));
  ASSERT_TRUE(dk.ok());

  auto impostor = NewBuiltinKms(Master("my-key", 'z'), *cluster_.layer);
  EXPECT_EQ(SyncWait(impostor->Decrypt(ctx_, "my-key", dk->sealed, {})).code(), Errc::kKmsInternal);
  EXPECT_EQ(SyncWait(impostor->GenerateKey(ctx_, "named", {})).code(), Errc::kKmsInternal);
  EXPECT_EQ(SyncWait(impostor->KeyStatus(ctx_, "named")).code(), Errc::kKmsInternal);
  auto keys = SyncWait(impostor->ListKeys(ctx_, "*"));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->size(), 2u);
}

}  // namespace
}  // namespace cairn::kms
