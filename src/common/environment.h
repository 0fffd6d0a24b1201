// The process environment as every cairn command reads it, injectable for tests, and the root
// credentials it may carry. One order for the server, `cairn admin` and `cairn bench`:
// CAIRN_ROOT_USER/CAIRN_ROOT_PASSWORD, else MINIO_ROOT_USER/MINIO_ROOT_PASSWORD, else
// MINIO_ACCESS_KEY/MINIO_SECRET_KEY; a password variable with _FILE appended names a file
// that holds it (MinIO's MINIO_ROOT_PASSWORD_FILE), so the secret need not be in the
// environment.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn {

// The value of a variable, or nullopt when unset.
using Environment = std::function<std::optional<std::string>(const char* name)>;

// The process environment (getenv).
Environment ProcessEnvironment();

// A secret kept in a file: its content without trailing line ends. `what` names the source
// in errors. Errors: kInvalidArgument (unreadable or empty).
Result<std::string> ReadSecretFile(const std::string& path, std::string_view what);

struct RootCredentials {
  std::string access_key;
  std::string secret_key;
  std::string source;  // the variable that gave the access key, for messages
};

// The first complete pair in the order above; nullopt when none is set. Errors:
// kInvalidArgument when only half of a pair is set (a typo must not fall back to another
// pair or to defaults), or when a _FILE cannot be read.
Result<std::optional<RootCredentials>> RootCredentialsFromEnvironment(const Environment& env);

}  // namespace cairn
