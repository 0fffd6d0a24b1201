#include "policy/policy.h"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "policy/actions.h"
#include "policy/statement.h"

namespace cairn::policy {
namespace {

using nlohmann::json;

// AWS's limits: 20 KiB for a bucket policy; identity policies get the same here.
constexpr std::size_t kMaxIdentityPolicySize = 20 * 1024;
constexpr std::size_t kMaxResourcePolicySize = 20 * 1024;
// The deepest a valid document nests: {"Statement": [{"Condition": {op: {key: [value]}}}]}.
// Refusing deeper input before parsing keeps hostile nesting off the parser's stack.
constexpr int kMaxDepth = 6;
// Longer actions (none are known) are matched case-insensitively in place instead.
constexpr std::size_t kMaxLoweredAction = 128;
constexpr auto kVersions = std::to_array<std::string_view>({"2012-10-17", "2008-10-17"});
constexpr auto kPolicyFields = std::to_array<std::string_view>({"Version", "Id", "Statement"});
constexpr std::string_view kInvalidJson =
    "Policies must be valid JSON and the first byte must be '{'";

bool NestsTooDeep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      i += c == '\\' ? 1 : 0;
      in_string = c != '"';
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) {
        return true;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

Status CheckTopLevel(const json& doc) {
  for (const auto& [field, value] : doc.items()) {
    if (std::find(kPolicyFields.begin(), kPolicyFields.end(), field) == kPolicyFields.end()) {
      return MalformedPolicy(StrCat("Unknown field ", field));
    }
  }
  if (const auto it = doc.find("Version"); it != doc.end()) {
    if (!it->is_string() ||
        std::find(kVersions.begin(), kVersions.end(), it->get<std::string>()) == kVersions.end()) {
      return MalformedPolicy("The policy must contain a valid version string");
    }
  }
  if (const auto it = doc.find("Id"); it != doc.end() && !it->is_string()) {
    return MalformedPolicy("Policy Id must be a string");
  }
  return Status::Ok();
}

}  // namespace

struct Policy::Compiled {
  std::string text;
  std::vector<Statement> statements;
  std::vector<std::string> condition_keys;  // sorted, unique, lowercase
};

void ConditionValues::Set(std::string_view key, std::string value) {
  Slot(key).assign(1, std::move(value));
}

void ConditionValues::Add(std::string_view key, std::string value) {
  Slot(key).push_back(std::move(value));
}

std::vector<std::string>& ConditionValues::Slot(std::string_view key) {
  std::string lower = AsciiLower(key);
  for (auto& [k, values] : values_) {
    if (k == lower) {
      return values;
    }
  }
  return values_.emplace_back(std::move(lower), std::vector<std::string>{}).second;
}

const std::vector<std::string>* ConditionValues::Find(std::string_view key) const {
  for (const auto& [k, values] : values_) {
    if (k.size() == key.size() &&
        std::equal(k.begin(), k.end(), key.begin(),
                   [](char stored, char asked) { return stored == LowerAscii(asked); })) {
      return &values;
    }
  }
  return nullptr;
}

Policy::Policy() = default;
Policy::~Policy() = default;
Policy::Policy(Policy&&) noexcept = default;
Policy& Policy::operator=(Policy&&) noexcept = default;

Result<Policy> Policy::Parse(std::string_view text, Kind kind) {
  const std::size_t limit =
      kind == Kind::kIdentity ? kMaxIdentityPolicySize : kMaxResourcePolicySize;
  if (text.size() > limit) {
    return MalformedPolicy("Policy exceeds the maximum allowed document size.");
  }
  if (NestsTooDeep(text)) {
    return MalformedPolicy(kInvalidJson);
  }
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) {
    return MalformedPolicy(kInvalidJson);
  }
  if (Status s = CheckTopLevel(doc); !s.ok()) {
    return s;
  }
  const auto statements = doc.find("Statement");
  if (statements == doc.end() || (statements->is_array() && statements->empty())) {
    return MalformedPolicy("Missing required field Statement");
  }
  auto compiled = std::make_unique<Compiled>();
  compiled->text = std::string(text);
  const auto add = [&](const json& j) -> Status {
    auto st = ParseStatement(j, kind);
    if (!st.ok()) {
      return st.status();
    }
    const bool duplicate_sid =
        !st->sid.empty() &&
        std::any_of(compiled->statements.begin(), compiled->statements.end(),
                    [&](const Statement& other) { return other.sid == st->sid; });
    if (duplicate_sid) {
      return MalformedPolicy("Statement IDs (SID) in a single policy must be unique");
    }
    compiled->statements.push_back(std::move(*st));
    return Status::Ok();
  };
  if (statements->is_array()) {
    for (const json& j : *statements) {
      if (Status s = add(j); !s.ok()) {
        return s;
      }
    }
  } else if (Status s = add(*statements); !s.ok()) {
    return s;
  }
  for (const Statement& st : compiled->statements) {
    for (const Pattern& r : st.resources) {
      r.AppendVariables(compiled->condition_keys);
    }
    for (const Condition& c : st.conditions) {
      c.AppendKeys(compiled->condition_keys);
    }
  }
  std::sort(compiled->condition_keys.begin(), compiled->condition_keys.end());
  compiled->condition_keys.erase(
      std::unique(compiled->condition_keys.begin(), compiled->condition_keys.end()),
      compiled->condition_keys.end());
  Policy policy;
  policy.compiled_ = std::move(compiled);
  return policy;
}

std::span<const std::string> Policy::condition_keys() const {
  if (!compiled_) {
    return {};
  }
  return compiled_->condition_keys;
}

Decision Policy::Evaluate(const Request& request) const {
  if (!compiled_) {
    return Decision::kNone;
  }
  // Look the action up once (lowercased on the stack: no allocation): a known one is then
  // a bit test per statement, any other compares with each action pattern.
  std::array<char, kMaxLoweredAction> lowered;
  RequestFacts facts{.action = request.action,
                     .action_lowercase = false,
                     .known_action = std::nullopt,
                     .resource_free = IsResourceFreeAction(request.action)};
  if (request.action.size() <= lowered.size()) {
    std::transform(request.action.begin(), request.action.end(), lowered.begin(), LowerAscii);
    facts.action = std::string_view(lowered.data(), request.action.size());
    facts.action_lowercase = true;
    facts.known_action = KnownActionIndex(facts.action);
  }
  Decision decision = Decision::kNone;
  for (const Statement& st : compiled_->statements) {
    if (!st.Applies(request, facts)) {
      continue;
    }
    if (!st.allow) {
      return Decision::kDeny;
    }
    decision = Decision::kAllow;
  }
  return decision;
}

bool Policy::ResourcesWithin(std::string_view bucket) const {
  const std::string bucket_arn = StrCat("arn:aws:s3:::", bucket);
  const auto within = [&](std::string_view resource) {
    return resource.starts_with(bucket_arn) &&
           (resource.size() == bucket_arn.size() || resource[bucket_arn.size()] == '/');
  };
  return compiled_ != nullptr &&
         std::all_of(
             compiled_->statements.begin(), compiled_->statements.end(), [&](const Statement& st) {
               return std::all_of(st.resource_texts.begin(), st.resource_texts.end(), within);
             });
}

bool Policy::IsPublic() const {
  return compiled_ != nullptr && std::any_of(compiled_->statements.begin(),
                                             compiled_->statements.end(), [](const Statement& st) {
                                               return st.allow && st.has_principal &&
                                                      !st.not_principal && st.any_principal &&
                                                      st.conditions.empty();
                                             });
}

const std::string& Policy::text() const {
  static const std::string kEmpty;
  return compiled_ != nullptr ? compiled_->text : kEmpty;
}

std::size_t Policy::statement_count() const {
  return compiled_ != nullptr ? compiled_->statements.size() : 0;
}

Decision Evaluate(std::span<const Policy* const> policies, const Request& request) {
  Decision decision = Decision::kNone;
  for (const Policy* policy : policies) {
    const Decision d = policy != nullptr ? policy->Evaluate(request) : Decision::kNone;
    if (d == Decision::kDeny) {
      return Decision::kDeny;
    }
    if (d == Decision::kAllow) {
      decision = Decision::kAllow;
    }
  }
  return decision;
}

}  // namespace cairn::policy
