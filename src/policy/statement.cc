#include "policy/statement.h"

#include <algorithm>
#include <array>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/text.h"

namespace cairn::policy {
namespace {

using nlohmann::json;

constexpr std::string_view kS3ArnPrefix = "arn:aws:s3:::";
constexpr std::string_view kMinioArnPrefix = "arn:minio:";
constexpr auto kStatementFields =
    std::to_array<std::string_view>({"Sid", "Effect", "Action", "NotAction", "Resource",
                                     "NotResource", "Principal", "NotPrincipal", "Condition"});
constexpr auto kResourceFreeServices = std::to_array<std::string_view>({"admin:", "kms:", "sts:"});

// `prefix` is lowercase.
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(),
                                                 [](char p, char c) { return p == LowerAscii(c); });
}

// A string or a non-empty array of strings; with `scalars`, numbers and booleans count as
// their text (condition values).
std::optional<std::vector<std::string>> TextList(const json& j, bool scalars) {
  const auto text = [&](const json& v) -> std::optional<std::string> {
    if (v.is_string()) {
      return v.get<std::string>();
    }
    if (scalars && (v.is_number() || v.is_boolean())) {
      return v.dump();
    }
    return std::nullopt;
  };
  std::vector<std::string> out;
  if (!j.is_array()) {
    auto one = text(j);
    return one ? std::optional(std::vector<std::string>{std::move(*one)}) : std::nullopt;
  }
  for (const json& v : j) {
    auto one = text(v);
    if (!one) {
      return std::nullopt;
    }
    out.push_back(std::move(*one));
  }
  return out.empty() ? std::nullopt : std::optional(std::move(out));
}

// The member `name` of the object `j`, or nullptr.
const json* Member(const json& j, std::string_view name) {
  const auto it = j.find(name);
  return it == j.end() ? nullptr : &*it;
}

Status ParseActions(const json& j, Statement& st) {
  const json* action = Member(j, "Action");
  const json* not_action = Member(j, "NotAction");
  if ((action == nullptr) == (not_action == nullptr)) {
    return MalformedPolicy(action == nullptr ? "Missing required field Action"
                                             : "Statement cannot have both Action and NotAction");
  }
  st.not_action = not_action != nullptr;
  const auto names = TextList(st.not_action ? *not_action : *action, false);
  if (!names) {
    return MalformedPolicy("Policy has invalid action");
  }
  for (const std::string& name : *names) {
    Pattern pattern = Pattern::Compile(name, {.variables = false, .lowercase = true});
    const ActionSet covered = KnownActionsMatching(pattern);
    if (covered.none()) {  // what IsKnownAction refuses
      return MalformedPolicy(StrCat("Policy has invalid action ", name));
    }
    st.actions.push_back(std::move(pattern));
    st.known_actions |= covered;
  }
  return Status::Ok();
}

// Whether every action the statement names belongs to a service without resources, so that
// Resource may be absent. A NotAction statement covers s3: actions too.
bool OnlyResourceFreeActions(const json& j) {
  const json* action = Member(j, "Action");
  if (action == nullptr) {
    return false;
  }
  const auto names = TextList(*action, false);
  return names && std::all_of(names->begin(), names->end(),
                              [](const std::string& n) { return IsResourceFreeAction(n); });
}

// "*" is every resource (AWS accepts it in identity policies, e.g. for s3:ListAllMyBuckets; a
// bucket policy refuses it through ResourcesWithin).
bool ValidResource(std::string_view resource, bool resource_free) {
  if (resource.starts_with(kS3ArnPrefix) || resource == "*") {
    return true;
  }
  return resource_free && resource.starts_with(kMinioArnPrefix);
}

Status ParseResources(const json& j, Statement& st) {
  const json* resource = Member(j, "Resource");
  const json* not_resource = Member(j, "NotResource");
  const bool resource_free = OnlyResourceFreeActions(j);
  if (resource != nullptr && not_resource != nullptr) {
    return MalformedPolicy("Statement cannot have both Resource and NotResource");
  }
  if (resource == nullptr && not_resource == nullptr) {
    return resource_free ? Status::Ok() : MalformedPolicy("Missing required field Resource");
  }
  st.has_resource = true;
  st.not_resource = not_resource != nullptr;
  auto texts = TextList(st.not_resource ? *not_resource : *resource, false);
  if (!texts) {
    return MalformedPolicy("Policy has invalid resource");
  }
  for (const std::string& text : *texts) {
    if (!ValidResource(text, resource_free)) {
      return MalformedPolicy("Policy has invalid resource");
    }
    st.resources.push_back(Pattern::Compile(text, {}));
  }
  st.resource_texts = std::move(*texts);
  return Status::Ok();
}

// "*", or an object of "AWS" and/or "CanonicalUser" to a string or strings.
Status ParsePrincipalValue(const json& j, Statement& st) {
  if (j.is_string()) {
    st.any_principal = j.get<std::string>() == "*";
    return st.any_principal ? Status::Ok() : MalformedPolicy("Invalid principal in policy");
  }
  if (!j.is_object() || j.empty()) {
    return MalformedPolicy("Invalid principal in policy");
  }
  for (const auto& [type, value] : j.items()) {
    auto names = TextList(value, false);
    if ((type != "AWS" && type != "CanonicalUser") || !names) {
      return MalformedPolicy("Invalid principal in policy");
    }
    for (std::string& name : *names) {
      st.any_principal = st.any_principal || name == "*";
      st.principals.push_back(std::move(name));
    }
  }
  return Status::Ok();
}

Status ParsePrincipal(const json& j, Kind kind, Statement& st) {
  const json* principal = Member(j, "Principal");
  const json* not_principal = Member(j, "NotPrincipal");
  if (kind == Kind::kIdentity) {
    return principal == nullptr && not_principal == nullptr
               ? Status::Ok()
               : MalformedPolicy("Has prohibited field Principal");
  }
  if ((principal == nullptr) == (not_principal == nullptr)) {
    return MalformedPolicy(principal == nullptr
                               ? "Missing required field Principal"
                               : "Statement cannot have both Principal and NotPrincipal");
  }
  st.has_principal = true;
  st.not_principal = not_principal != nullptr;
  return ParsePrincipalValue(st.not_principal ? *not_principal : *principal, st);
}

Status ParseConditions(const json& j, Statement& st) {
  const json* block = Member(j, "Condition");
  if (block == nullptr) {
    return Status::Ok();
  }
  if (!block->is_object()) {
    return MalformedPolicy("Policy has an invalid condition block");
  }
  for (const auto& [op, entries] : block->items()) {
    if (!entries.is_object() || entries.empty()) {
      return MalformedPolicy(StrCat("Policy has an invalid condition block for ", op));
    }
    for (const auto& [key, value] : entries.items()) {
      const auto values = TextList(value, true);
      if (!values) {
        return MalformedPolicy(StrCat("Invalid Condition value for key ", key));
      }
      auto condition = Condition::Compile(op, key, *values);
      if (!condition.ok()) {
        return condition.status();
      }
      st.conditions.push_back(std::move(*condition));
    }
  }
  return Status::Ok();
}

Status ParseHeader(const json& j, Statement& st) {
  for (const auto& [field, value] : j.items()) {
    if (std::find(kStatementFields.begin(), kStatementFields.end(), field) ==
        kStatementFields.end()) {
      return MalformedPolicy(StrCat("Unknown field ", field));
    }
  }
  if (const json* sid = Member(j, "Sid"); sid != nullptr) {
    if (!sid->is_string()) {
      return MalformedPolicy("Statement Sid must be a string");
    }
    st.sid = sid->get<std::string>();
  }
  const json* effect = Member(j, "Effect");
  if (effect == nullptr) {
    return MalformedPolicy("Missing required field Effect");
  }
  if (!effect->is_string() || (*effect != "Allow" && *effect != "Deny")) {
    return MalformedPolicy("Invalid effect");
  }
  st.allow = *effect == "Allow";
  return Status::Ok();
}

}  // namespace

Status MalformedPolicy(std::string_view message) {
  return Status(Errc::kMalformedPolicy, std::string(message));
}

bool IsResourceFreeAction(std::string_view action) {
  return std::any_of(kResourceFreeServices.begin(), kResourceFreeServices.end(),
                     [&](std::string_view prefix) { return StartsWithIgnoreCase(action, prefix); });
}

Result<Statement> ParseStatement(const json& j, Kind kind) {
  if (!j.is_object()) {
    return MalformedPolicy("Policy has an invalid statement");
  }
  Statement st;
  for (const auto& step : {ParseHeader, ParseActions, ParseResources, ParseConditions}) {
    if (Status s = step(j, st); !s.ok()) {
      return s;
    }
  }
  if (Status s = ParsePrincipal(j, kind, st); !s.ok()) {
    return s;
  }
  return st;
}

bool Statement::MatchesAction(const RequestFacts& facts) const {
  if (facts.known_action) {
    return known_actions[*facts.known_action] != not_action;
  }
  const bool any = std::any_of(actions.begin(), actions.end(), [&](const Pattern& p) {
    return p.Match(facts.action, nullptr, /*fold_case=*/!facts.action_lowercase);
  });
  return any != not_action;
}

bool Statement::MatchesResource(std::string_view resource, const ConditionValues* vars) const {
  // An empty resource (ListAllMyBuckets) is the ARN of no bucket: "arn:aws:s3:::*" covers it.
  const std::string_view subject = resource.empty() ? kS3ArnPrefix : resource;
  const bool any = std::any_of(resources.begin(), resources.end(), [&](const Pattern& p) {
    return p.Match(subject, vars, /*fold_case=*/false);
  });
  return any != not_resource;
}

bool Statement::MatchesPrincipal(std::span<const std::string> names) const {
  const bool any = any_principal || std::any_of(names.begin(), names.end(), [&](const auto& n) {
                     return std::find(principals.begin(), principals.end(), n) != principals.end();
                   });
  return any != not_principal;
}

bool Statement::Applies(const Request& request, const RequestFacts& facts) const {
  if (!MatchesAction(facts)) {
    return false;
  }
  if (has_resource && !facts.resource_free &&
      !MatchesResource(request.resource, request.conditions)) {
    return false;
  }
  if (has_principal && !MatchesPrincipal(request.principals)) {
    return false;
  }
  return std::all_of(conditions.begin(), conditions.end(),
                     [&](const Condition& c) { return c.Evaluate(request.conditions); });
}

}  // namespace cairn::policy
