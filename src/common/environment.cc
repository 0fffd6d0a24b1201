#include "common/environment.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <utility>

#include <fmt/format.h>

namespace cairn {

Environment ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at startup
    if (v == nullptr) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

Result<std::string> ReadSecretFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(Errc::kInvalidArgument, fmt::format("{}: cannot read '{}'", what, path));
  }
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.pop_back();
  }
  if (secret.empty()) {
    return Status(Errc::kInvalidArgument, fmt::format("{}: '{}' is empty", what, path));
  }
  return secret;
}

Result<std::optional<RootCredentials>> RootCredentialsFromEnvironment(const Environment& env) {
  static constexpr std::pair<const char*, const char*> kPairs[] = {
      {"CAIRN_ROOT_USER", "CAIRN_ROOT_PASSWORD"},
      {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"},
      {"MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"},
  };
  for (const auto& [user_var, password_var] : kPairs) {
    auto user = env(user_var);
    auto password = env(password_var);
    const std::string file_var = std::string(password_var) + "_FILE";
    if (auto file = env(file_var.c_str()); file && !password) {
      ASSIGN_OR_RETURN(password, ReadSecretFile(*file, file_var));
    }
    if (user.has_value() != password.has_value()) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("{} is set but {} is not; set both or neither",
                                user ? user_var : password_var, user ? password_var : user_var));
    }
    if (user) {
      return std::optional<RootCredentials>(RootCredentials{*user, *password, user_var});
    }
  }
  return std::optional<RootCredentials>();
}

}  // namespace cairn
