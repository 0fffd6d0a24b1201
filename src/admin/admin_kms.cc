#include "admin/admin_kms.h"

#include <string>
#include <vector>

#include "admin/admin_json.h"
#include "kms/kms.h"

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

Json KeyJson(const kms::KeyInfo& k) {
  return Json{{"name", k.name},
              {"enabled", k.enabled},
              {"default", k.is_default},
              {"createdAt", k.created_ns > 0 ? FormatRfc3339(k.created_ns) : std::string()}};
}

}  // namespace

Task<Result<Json>> ServeKms(std::string_view op, const QueryParams& q, kms::Kms& kms) {
  RequestContext ctx = RequestContext::Background("admin-kms");
  if (op == "kms/status") {
    co_return Json{
        {"configured", true}, {"name", "builtin"}, {"default-key-id", kms.default_key()}};
  }
  if (op == "kms/key/list") {
    const std::string pattern(q.Get("pattern").value_or("*"));
    CO_ASSIGN_OR_RETURN(std::vector<kms::KeyInfo> keys, co_await kms.ListKeys(ctx, pattern));
    Json out = Json::array();
    for (const auto& k : keys) {
      out.push_back(KeyJson(k));
    }
    co_return out;
  }
  // key-id: MinIO's status takes the default key when it is absent.
  std::string id(q.Get("key-id").value_or(""));
  if (id.empty()) {
    if (op != "kms/key/status") {
      co_return Status(Errc::kInvalidArgument, "the parameter key-id is required");
    }
    id = kms.default_key();
  }
  if (op == "kms/key/create") {
    CO_RETURN_IF_ERROR(co_await kms.CreateKey(ctx, id));
    co_return Json{{"key-id", id}};
  }
  if (op == "kms/key/disable" || op == "kms/key/enable") {
    const bool enable = op == "kms/key/enable";
    CO_RETURN_IF_ERROR(co_await kms.SetKeyEnabled(ctx, id, enable));
    co_return Json{{"key-id", id}, {"enabled", enable}};
  }
  // kms/key/status: the key, then a data key generated and opened with it (MinIO's test).
  CO_ASSIGN_OR_RETURN(kms::KeyInfo info, co_await kms.KeyStatus(ctx, id));
  const kms::Context context = {{"cairn", "kms key status"}};
  std::string encryption_error;
  std::string decryption_error;
  auto generated = co_await kms.GenerateKey(ctx, id, context);
  if (!generated.ok()) {
    encryption_error = generated.status().ToString();
  } else {
    auto opened = co_await kms.Decrypt(ctx, id, generated->sealed, context);
    if (!opened.ok()) {
      decryption_error = opened.status().ToString();
    } else if (*opened != generated->plaintext) {
      decryption_error = "the data key opened to another key";
    }
  }
  Json out = KeyJson(info);
  out["key-id"] = id;
  out["encryption-error"] = encryption_error;
  out["decryption-error"] = decryption_error;
  co_return out;
}

}  // namespace cairn::admin
