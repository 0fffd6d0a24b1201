#include "admin/admin_heal.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "admin/admin_json.h"

namespace cairn::admin {
namespace {

using Params = QueryParams;
using Json = nlohmann::json;

// "true", "1" or a bare flag ("?deep") is true; "false", "0" false. Absent: false.
Result<bool> BoolParam(const Params& q, std::string_view key) {
  std::optional<std::string_view> v = q.Get(key);
  if (!v || *v == "false" || *v == "0") {
    return false;
  }
  if (v->empty() || *v == "true" || *v == "1") {
    return true;
  }
  return Status(Errc::kInvalidArgument, fmt::format("{}={}: expected true or false", key, *v));
}

Result<std::string> RequiredParam(const Params& q, std::string_view key) {
  std::optional<std::string_view> v = q.Get(key);
  if (!v || v->empty()) {
    return Status(Errc::kInvalidArgument, fmt::format("the parameter {} is required", key));
  }
  return std::string(*v);
}

Task<Result<Json>> HealStart(const Params& q, heal::HealAdmin& healer, std::string_view key) {
  heal::HealScope scope;
  scope.bucket = std::string(q.Get("bucket").value_or(""));
  scope.prefix = std::string(q.Get("prefix").value_or(""));
  if (scope.bucket.empty() && !scope.prefix.empty()) {
    co_return Status(Errc::kInvalidArgument, "a prefix needs a bucket");
  }
  heal::HealSequenceOptions opts;
  CO_ASSIGN_OR_RETURN(opts.deep_scan, BoolParam(q, "deep"));
  CO_ASSIGN_OR_RETURN(opts.remove_dangling, BoolParam(q, "remove"));
  CO_ASSIGN_OR_RETURN(opts.dry_run, BoolParam(q, "dry-run"));
  // The sequence outlives this request: a context of its own, not the connection's.
  RequestContext ctx = RequestContext::Background("admin-heal");
  ctx.access_key = std::string(key);
  Result<std::string> id = co_await healer.StartHeal(ctx, scope, opts);
  if (!id.ok()) {
    co_return id.status();
  }
  co_return Json{{"id", *id}};
}

Result<Json> HealStatus(const Params& q, const heal::HealAdmin& healer, std::int64_t now_ns) {
  ASSIGN_OR_RETURN(std::string id, RequiredParam(q, "id"));
  ASSIGN_OR_RETURN(heal::HealProgress p, healer.GetHealProgress(id));
  return SequenceJson(p, now_ns);
}

Result<Json> HealStop(const Params& q, heal::HealAdmin& healer) {
  ASSIGN_OR_RETURN(std::string id, RequiredParam(q, "id"));
  RETURN_IF_ERROR(healer.StopHeal(id));
  return Json{{"id", id}, {"state", "stopped"}};
}

}  // namespace

Json SequencesJson(const std::vector<heal::HealProgress>& list, std::int64_t now_ns,
                   bool running_only) {
  Json out = Json::array();
  for (const auto& p : list) {
    if (!running_only || p.state == heal::HealSequenceState::kRunning) {
      out.push_back(SequenceJson(p, now_ns));
    }
  }
  return out;
}

Task<Result<Json>> ServeHealSequences(std::string_view op, const QueryParams& q,
                                      heal::HealAdmin& healer, std::string_view access_key,
                                      std::int64_t now_ns) {
  if (op == "heal/start") {
    co_return co_await HealStart(q, healer, access_key);
  }
  if (op == "heal/status") {
    co_return HealStatus(q, healer, now_ns);
  }
  if (op == "heal/list") {
    co_return Json{{"sequences", SequencesJson(healer.ListHeals(), now_ns, false)}};
  }
  co_return HealStop(q, healer);
}

}  // namespace cairn::admin
