// The root credentials from the environment: one order for the server, `cairn admin` and
// `cairn bench` (they had three), password files, and half pairs refused.
#include "common/environment.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace cairn {
namespace {

Environment Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(RootCredentials, FirstCompletePairInOneOrder) {
  auto none = RootCredentialsFromEnvironment(Env({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto legacy = RootCredentialsFromEnvironment(
      Env({{"MINIO_ACCESS_KEY", "old"}, {"MINIO_SECRET_KEY", "old-secret"}}));
  ASSERT_TRUE(legacy.ok() && legacy->has_value());
  EXPECT_EQ((*legacy)->access_key, "old");
  EXPECT_EQ((*legacy)->source, "MINIO_ACCESS_KEY");

  auto all = RootCredentialsFromEnvironment(Env({{"MINIO_ACCESS_KEY", "old"},
                                                 {"MINIO_SECRET_KEY", "old-secret"},
                                                 {"MINIO_ROOT_USER", "minio"},
                                                 {"MINIO_ROOT_PASSWORD", "minio-secret"},
                                                 {"CAIRN_ROOT_USER", "cairn"},
                                                 {"CAIRN_ROOT_PASSWORD", "cairn-secret"}}));
  ASSERT_TRUE(all.ok() && all->has_value());
  EXPECT_EQ((*all)->access_key, "cairn");
  EXPECT_EQ((*all)->secret_key, "cairn-secret");
}

TEST(RootCredentials, HalfAPairIsRefused) {
  auto half = RootCredentialsFromEnvironment(
      Env({{"CAIRN_ROOT_USER", "cairn"}, {"MINIO_ROOT_USER", "m"}, {"MINIO_ROOT_PASSWORD", "p"}}));
  EXPECT_EQ(half.code(), Errc::kInvalidArgument);
  EXPECT_NE(half.status().message().find("CAIRN_ROOT_PASSWORD"), std::string::npos);
}

TEST(RootCredentials, PasswordFromAFile) {
  const auto path =
      std::filesystem::temp_directory_path() / ("cairn-env-test-" + std::to_string(::getpid()));
  std::ofstream(path) << "from-a-file\n";
  auto got = RootCredentialsFromEnvironment(
      Env({{"MINIO_ROOT_USER", "minio"}, {"MINIO_ROOT_PASSWORD_FILE", path.string()}}));
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  EXPECT_EQ((*got)->secret_key, "from-a-file");
  std::filesystem::remove(path);
  auto missing = RootCredentialsFromEnvironment(
      Env({{"MINIO_ROOT_USER", "minio"}, {"MINIO_ROOT_PASSWORD_FILE", path.string()}}));
  EXPECT_EQ(missing.code(), Errc::kInvalidArgument);
}

}  // namespace
}  // namespace cairn
