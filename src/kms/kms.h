// The key management service of server-side encryption. `Kms` is what the S3 layer asks for
// data keys; `BuiltinKms` is cairn's own: a master key from the environment or a file, and
// named keys created with `cairn admin kms key create`, each stored sealed under the master
// key in the cluster's system area (objects of the reserved bucket kSystemBucket), so every
// node sees them. An external KMS (KES, Vault, KMIP) would be another implementation of Kms.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/environment.h"
#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "crypto/keys.h"

namespace cairn::object {
class ObjectLayer;
}

namespace cairn::kms {

// The bucket that holds cairn's own cluster-wide state (never listed, never addressable by an
// S3 client: a bucket name may not start with '.').
inline constexpr std::string_view kSystemBucket = ".cairn.sys";

// Named keys are read from the key store at most this long after they were last read (so a
// key another node disabled is seen disabled within it); a miss always reads the store.
inline constexpr std::chrono::seconds kCacheLife{5};

// A key name: 1-64 of A-Z a-z 0-9 - _ . (the master key's name too).
bool IsValidKeyName(std::string_view name);

// An encryption context: bound to a sealed data key as associated data (its canonical form is
// the JSON object of its pairs, keys sorted), so a data key opens only with the same context.
using Context = std::map<std::string, std::string>;
std::string CanonicalContext(const Context& context);

struct DataKey {
  std::string key_id;  // the named key that sealed it
  crypto::Key plaintext;
  std::string sealed;  // what is stored with the object
};

struct KeyInfo {
  std::string name;
  bool enabled = true;
  std::int64_t created_ns = 0;
  bool is_default = false;  // the master key itself
};

class Kms {
 public:
  virtual ~Kms() = default;
  // The key SSE-S3 uses, and SSE-KMS when no key id is given: the master key's name.
  virtual const std::string& default_key() const = 0;
  // A fresh data key sealed under `key_id` with `context`. Errors: kKmsKeyNotFound,
  // kKmsKeyDisabled, and object layer errors reading the key store.
  virtual Task<Result<DataKey>> GenerateKey(const RequestContext& ctx, std::string_view key_id,
                                            const Context& context) = 0;
  // Opens a data key sealed by GenerateKey. Errors: kKmsKeyNotFound, kKmsKeyDisabled,
  // kKmsInternal (not sealed under that key with that context: another master key, or a
  // sealed key moved to another object).
  virtual Task<Result<crypto::Key>> Decrypt(const RequestContext& ctx, std::string_view key_id,
                                            std::string_view sealed, const Context& context) = 0;
  // Errors: kKmsKeyExists, kInvalidArgument (a bad name: 1-64 of A-Z a-z 0-9 - _ .).
  virtual Task<Status> CreateKey(const RequestContext& ctx, std::string_view key_id) = 0;
  // Keys whose name matches `pattern` ("" or "*" = all; a trailing '*' matches a prefix).
  virtual Task<Result<std::vector<KeyInfo>>> ListKeys(const RequestContext& ctx,
                                                      std::string_view pattern) = 0;
  // One key, after a test seal and open with it. Errors: kKmsKeyNotFound, kKmsInternal.
  virtual Task<Result<KeyInfo>> KeyStatus(const RequestContext& ctx, std::string_view key_id) = 0;
  // Disables or enables a named key (the master key cannot be disabled). Errors:
  // kKmsKeyNotFound, kInvalidArgument.
  virtual Task<Status> SetKeyEnabled(const RequestContext& ctx, std::string_view key_id,
                                     bool enabled) = 0;
};

struct MasterKey {
  std::string name;
  crypto::Key key;
};

// "<name>:<base64 of 32 bytes>" (CAIRN_KMS_SECRET_KEY, MinIO's MINIO_KMS_SECRET_KEY).
// Errors: kInvalidArgument saying what is wrong (never echoing the key).
Result<MasterKey> ParseMasterKey(std::string_view text);

// The master key from the environment: CAIRN_KMS_SECRET_KEY, else MINIO_KMS_SECRET_KEY, else
// the file named by CAIRN_KMS_SECRET_KEY_FILE (or MINIO_KMS_SECRET_KEY_FILE), whose content is
// the same form. nullopt when none is set; an error when one is set but malformed.
Result<std::optional<MasterKey>> MasterKeyFromEnvironment();
// The same from `env` (tests).
Result<std::optional<MasterKey>> MasterKeyFromEnvironment(const Environment& env);

// The built-in KMS over `layer` (which must outlive it). Named keys live in kSystemBucket as
// "kms/keys/<name>.json": {"version":1,"name","sealed" (base64 of SealKey(master, key,
// "cairn kms key <name>")),"enabled","created_ns"}. A data key is sealed under its named key
// with associated data "cairn kms data key", the key id and CanonicalContext(context), all
// NUL-separated. Every method may be called from any thread, concurrently. Named keys are cached; a
// key another node created is found on a miss, a key another node disabled within kCacheLife.
std::unique_ptr<Kms> NewBuiltinKms(MasterKey master, object::ObjectLayer& layer);

}  // namespace cairn::kms
