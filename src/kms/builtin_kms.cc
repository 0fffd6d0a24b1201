// BuiltinKms: the master key from the environment and named keys sealed under it in the
// system bucket, cached for kCacheLife; data keys sealed under a named key.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <span>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/byte_stream.h"
#include "common/checksum.h"
#include "kms/kms.h"
#include "object/object_layer.h"
#include "object/object_util.h"
#include "object/system_store.h"

namespace cairn::kms {
namespace {

static_assert(kSystemBucket == object::kSystemBucket);

constexpr std::string_view kKeyPrefix = "kms/keys/";
constexpr std::string_view kKeySuffix = ".json";
// A key record is about 200 bytes; anything much larger is not one.
constexpr std::size_t kMaxRecordSize = 16 << 10;
constexpr int kMaxUpdateAttempts = 5;

std::string RecordPath(std::string_view name) {
  return std::string(kKeyPrefix) + std::string(name) + std::string(kKeySuffix);
}

std::string KeyAssociatedData(std::string_view name) {
  return "cairn kms key " + std::string(name);
}

std::string DataKeyAssociatedData(std::string_view key_id, const Context& context) {
  std::string ad = "cairn kms data key";
  ad.push_back('\0');
  ad.append(key_id);
  ad.push_back('\0');
  ad += CanonicalContext(context);
  return ad;
}

std::int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Matches(std::string_view name, std::string_view pattern) {
  if (pattern.empty() || pattern == "*") {
    return true;
  }
  if (pattern.back() == '*') {
    return name.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return name == pattern;
}

// A named key as stored, and what it opens to.
struct StoredKey {
  KeyInfo info;
  crypto::Key key{};
  std::string etag;  // of the record, for conditional updates
};

std::string EncodeRecord(const KeyInfo& info, std::string_view sealed) {
  nlohmann::json j;
  j["version"] = 1;
  j["name"] = info.name;
  j["sealed"] = Base64Encode(sealed);
  j["enabled"] = info.enabled;
  j["created_ns"] = info.created_ns;
  return j.dump();
}

// Errors: kKmsInternal (not a key record, or sealed under another master key).
Result<StoredKey> DecodeRecord(const crypto::Key& master, std::string_view name,
                               std::string_view text) {
  auto bad = [&](const char* why) {
    return Status(Errc::kKmsInternal, "key " + std::string(name) + ": " + why);
  };
  // Exception-free: parse without exceptions, and only typed reads of checked members.
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return bad("not a key record");
  }
  const auto name_it = j.find("name");
  const auto sealed_it = j.find("sealed");
  if (name_it == j.end() || !name_it->is_string() ||
      name_it->get_ref<const std::string&>() != name || sealed_it == j.end() ||
      !sealed_it->is_string()) {
    return bad("not a key record");
  }
  auto sealed = Base64Decode(sealed_it->get_ref<const std::string&>());
  if (!sealed) {
    return bad("not a key record");
  }
  auto key = crypto::UnsealKey(master, *sealed, KeyAssociatedData(name));
  if (!key.ok()) {
    return bad("cannot be opened with the master key (another master key?)");
  }
  StoredKey out;
  out.info.name = std::string(name);
  const auto enabled_it = j.find("enabled");
  out.info.enabled = enabled_it == j.end() || !enabled_it->is_boolean() || enabled_it->get<bool>();
  const auto created_it = j.find("created_ns");
  if (created_it != j.end() && created_it->is_number_integer()) {
    out.info.created_ns = created_it->get<std::int64_t>();
  }
  out.key = *key;
  return out;
}

class BuiltinKms final : public Kms {
 public:
  BuiltinKms(MasterKey master, object::ObjectLayer& layer)
      : master_(std::move(master)), layer_(layer), started_ns_(WallNs()) {}

  const std::string& default_key() const override { return master_.name; }

  Task<Result<DataKey>> GenerateKey(const RequestContext& ctx, std::string_view key_id,
                                    const Context& context) override {
    const std::string id(key_id.empty() ? std::string_view(master_.name) : key_id);
    CO_ASSIGN_OR_RETURN(StoredKey k, co_await Lookup(ctx, id));
    if (!k.info.enabled) {
      co_return Status(Errc::kKmsKeyDisabled, id);
    }
    DataKey out;
    out.key_id = id;
    out.plaintext = crypto::RandomKey();
    out.sealed = crypto::SealKey(k.key, out.plaintext, DataKeyAssociatedData(id, context));
    co_return out;
  }

  Task<Result<crypto::Key>> Decrypt(const RequestContext& ctx, std::string_view key_id,
                                    std::string_view sealed, const Context& context) override {
    const std::string id(key_id.empty() ? std::string_view(master_.name) : key_id);
    CO_ASSIGN_OR_RETURN(StoredKey k, co_await Lookup(ctx, id));
    if (!k.info.enabled) {
      co_return Status(Errc::kKmsKeyDisabled, id);
    }
    auto key = crypto::UnsealKey(k.key, sealed, DataKeyAssociatedData(id, context));
    if (!key.ok()) {
      co_return Status(Errc::kKmsInternal, "the data key does not open with key " + id);
    }
    co_return *key;
  }

  Task<Status> CreateKey(const RequestContext& ctx, std::string_view key_id) override {
    if (!IsValidKeyName(key_id)) {
      co_return Status(Errc::kInvalidArgument,
                       "a key name is 1 to 64 of the characters A-Z a-z 0-9 - _ .");
    }
    if (key_id == master_.name) {
      co_return Status(Errc::kKmsKeyExists, std::string(key_id));
    }
    StoredKey k;
    k.info.name = std::string(key_id);
    k.info.created_ns = WallNs();
    k.key = crypto::RandomKey();
    const std::string record =
        EncodeRecord(k.info, crypto::SealKey(master_.key, k.key, KeyAssociatedData(key_id)));
    object::PutOptions opts;
    opts.if_none_match = "*";
    auto put = co_await Put(ctx, RecordPath(key_id), record, opts);
    if (!put.ok()) {
      if (put.code() == Errc::kPreconditionFailed) {
        co_return Status(Errc::kKmsKeyExists, std::string(key_id));
      }
      co_return put.status();
    }
    k.etag = put->etag;
    Remember(k);
    co_return Status::Ok();
  }

  Task<Result<std::vector<KeyInfo>>> ListKeys(const RequestContext& ctx,
                                              std::string_view pattern) override {
    std::vector<KeyInfo> named;
    std::string prefix(kKeyPrefix);
    if (!pattern.empty() && pattern.back() == '*') {
      prefix += pattern.substr(0, pattern.size() - 1);
    }
    CO_ASSIGN_OR_RETURN(std::vector<std::string> paths,
                        co_await object::ListSystemRecords(ctx, layer_, prefix));
    for (std::string_view path : paths) {
      if (!path.ends_with(kKeySuffix)) {
        continue;
      }
      path.remove_prefix(kKeyPrefix.size());
      path.remove_suffix(kKeySuffix.size());
      const std::string name(path);
      if (!IsValidKeyName(name) || name == master_.name || !Matches(name, pattern)) {
        continue;
      }
      auto k = co_await Lookup(ctx, name);
      if (k.ok()) {
        named.push_back(k->info);
      } else if (k.code() == Errc::kKmsInternal) {
        // Listed all the same (status reports the error): sealed under another master key.
        KeyInfo info;
        info.name = name;
        info.enabled = false;
        named.push_back(std::move(info));
      } else if (k.code() != Errc::kKmsKeyNotFound) {
        co_return k.status();
      }
    }
    std::sort(named.begin(), named.end(),
              [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
    std::vector<KeyInfo> out;
    if (Matches(master_.name, pattern)) {
      out.push_back(MasterInfo());
    }
    out.insert(out.end(), named.begin(), named.end());
    co_return out;
  }

  Task<Result<KeyInfo>> KeyStatus(const RequestContext& ctx, std::string_view key_id) override {
    CO_ASSIGN_OR_RETURN(StoredKey k, co_await Lookup(ctx, key_id));
    // A test seal and open with the key.
    const crypto::Key probe = crypto::RandomKey();
    const std::string sealed = crypto::SealKey(k.key, probe, "cairn kms key status");
    auto opened = crypto::UnsealKey(k.key, sealed, "cairn kms key status");
    if (!opened.ok() || *opened != probe) {
      co_return Status(Errc::kKmsInternal, "key " + std::string(key_id) + " fails a test seal");
    }
    co_return k.info;
  }

  Task<Status> SetKeyEnabled(const RequestContext& ctx, std::string_view key_id,
                             bool enabled) override {
    if (key_id == master_.name) {
      if (enabled) {
        co_return Status::Ok();
      }
      co_return Status(Errc::kInvalidArgument, "the master key cannot be disabled");
    }
    if (!IsValidKeyName(key_id)) {
      co_return Status(Errc::kKmsKeyNotFound, std::string(key_id));
    }
    // Read, change, write if unchanged since the read: a concurrent change on another node
    // makes the write fail its If-Match, and the loop reads again.
    for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
      CO_ASSIGN_OR_RETURN(StoredKey k, co_await Load(ctx, key_id));
      if (k.info.enabled == enabled) {
        Remember(k);
        co_return Status::Ok();
      }
      k.info.enabled = enabled;
      const std::string record =
          EncodeRecord(k.info, crypto::SealKey(master_.key, k.key, KeyAssociatedData(key_id)));
      object::PutOptions opts;
      opts.if_match = k.etag;
      auto put = co_await Put(ctx, RecordPath(key_id), record, opts);
      if (put.ok()) {
        k.etag = put->etag;
        Remember(k);
        co_return Status::Ok();
      }
      if (put.code() != Errc::kPreconditionFailed) {
        co_return put.status();
      }
    }
    co_return Status(Errc::kKmsInternal,
                     "key " + std::string(key_id) + " keeps changing; try again");
  }

 private:
  struct Cached {
    StoredKey key;
    std::chrono::steady_clock::time_point loaded;
  };

  KeyInfo MasterInfo() const {
    KeyInfo info;
    info.name = master_.name;
    info.enabled = true;
    info.created_ns = started_ns_;
    info.is_default = true;
    return info;
  }

  // The key named `name`, the master key included, from the cache or the store.
  Task<Result<StoredKey>> Lookup(const RequestContext& ctx, std::string_view name) {
    if (name == master_.name) {
      StoredKey k;
      k.info = MasterInfo();
      k.key = master_.key;
      co_return k;
    }
    if (!IsValidKeyName(name)) {
      co_return Status(Errc::kKmsKeyNotFound, std::string(name));
    }
    {
      std::lock_guard lock(mu_);
      auto it = cache_.find(std::string(name));
      if (it != cache_.end() && std::chrono::steady_clock::now() - it->second.loaded < kCacheLife) {
        co_return it->second.key;
      }
    }
    CO_ASSIGN_OR_RETURN(StoredKey k, co_await Load(ctx, name));
    Remember(k);
    co_return k;
  }

  // The key as stored now. Errors: kKmsKeyNotFound, kKmsInternal, object layer errors.
  Task<Result<StoredKey>> Load(const RequestContext& ctx, std::string_view name) {
    auto record = co_await object::ReadSystemRecord(ctx, layer_, RecordPath(name), kMaxRecordSize);
    if (!record.ok()) {
      if (record.code() == Errc::kNoSuchKey) {
        co_return Status(Errc::kKmsKeyNotFound, std::string(name));
      }
      if (record.code() == Errc::kEntityTooLarge) {
        co_return Status(Errc::kKmsInternal, "key " + std::string(name) + ": not a key record");
      }
      co_return record.status();
    }
    CO_ASSIGN_OR_RETURN(StoredKey k, DecodeRecord(master_.key, name, record->data));
    k.etag = record->etag;
    co_return k;
  }

  void Remember(const StoredKey& k) {
    std::lock_guard lock(mu_);
    cache_.insert_or_assign(k.info.name, Cached{k, std::chrono::steady_clock::now()});
  }

  Task<Result<object::ObjectInfo>> Put(const RequestContext& ctx, const std::string& path,
                                       const std::string& data, const object::PutOptions& opts) {
    co_return co_await object::WriteSystemRecord(ctx, layer_, path, data, opts);
  }

  const MasterKey master_;
  object::ObjectLayer& layer_;
  const std::int64_t started_ns_;  // the master key's "creation": when this KMS started
  std::mutex mu_;
  // Guarded by mu_: named keys (never the master key) by name, as last read or written.
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

std::string CanonicalContext(const Context& context) {
  // JSON with the pairs in key order (std::map's); only '"', '\\' and control characters are
  // escaped, so any bytes (not only UTF-8) have one encoding and distinct contexts differ.
  auto quoted = [](std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (u < 0x20) {
        out += "\\u00";
        out.push_back(kHex[u >> 4]);
        out.push_back(kHex[u & 15]);
      } else {
        out.push_back(c);
      }
    }
    out.push_back('"');
  };
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : context) {
    if (!first) {
      out.push_back(',');
    }
    first = false;
    quoted(out, k);
    out.push_back(':');
    quoted(out, v);
  }
  out.push_back('}');
  return out;
}

Result<MasterKey> ParseMasterKey(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Status(Errc::kInvalidArgument,
                  "the KMS secret key is not of the form <key-name>:<base64 of 32 bytes>");
  }
  const std::string_view name = text.substr(0, colon);
  if (!IsValidKeyName(name)) {
    return Status(Errc::kInvalidArgument,
                  "the KMS secret key's name must be 1 to 64 of the characters A-Z a-z 0-9 - _ .");
  }
  auto raw = Base64Decode(text.substr(colon + 1));
  if (!raw) {
    return Status(Errc::kInvalidArgument, "the KMS secret key '" + std::string(name) +
                                              "' is not valid base64 after its name");
  }
  auto key = crypto::KeyFromBytes(*raw);
  if (!key) {
    return Status(Errc::kInvalidArgument, "the KMS secret key '" + std::string(name) +
                                              "' must be 32 bytes (is " +
                                              std::to_string(raw->size()) + ")");
  }
  return MasterKey{std::string(name), *key};
}

Result<std::optional<MasterKey>> MasterKeyFromEnvironment(const Environment& env) {
  for (const char* var : {"CAIRN_KMS_SECRET_KEY", "MINIO_KMS_SECRET_KEY"}) {
    auto value = env(var);
    if (value && !value->empty()) {
      auto key = ParseMasterKey(*value);
      if (!key.ok()) {
        return Status(Errc::kInvalidArgument, std::string(var) + ": " + key.status().message());
      }
      return std::optional<MasterKey>(std::move(key).value());
    }
  }
  for (const char* var : {"CAIRN_KMS_SECRET_KEY_FILE", "MINIO_KMS_SECRET_KEY_FILE"}) {
    auto path = env(var);
    if (path && !path->empty()) {
      ASSIGN_OR_RETURN(std::string text, ReadSecretFile(*path, var));
      auto key = ParseMasterKey(text);
      if (!key.ok()) {
        return Status(Errc::kInvalidArgument,
                      std::string(var) + " (" + *path + "): " + key.status().message());
      }
      return std::optional<MasterKey>(std::move(key).value());
    }
  }
  return std::optional<MasterKey>();
}

Result<std::optional<MasterKey>> MasterKeyFromEnvironment() {
  return MasterKeyFromEnvironment(ProcessEnvironment());
}

std::unique_ptr<Kms> NewBuiltinKms(MasterKey master, object::ObjectLayer& layer) {
  return std::make_unique<BuiltinKms>(std::move(master), layer);
}

}  // namespace cairn::kms
