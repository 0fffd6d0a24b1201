// One compiled Statement of a policy and the parsing of its JSON object: the private half of
// policy.cc, apart so that each file stays small.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "policy/actions.h"
#include "policy/condition.h"
#include "policy/pattern.h"
#include "policy/policy.h"

namespace cairn::policy {

// What Policy::Evaluate works out once per request for all statements.
struct RequestFacts {
  std::string_view action;  // the request's, lowercased when `action_lowercase`
  bool action_lowercase = false;
  std::optional<std::size_t> known_action;  // its number in the known-action table
  bool resource_free = false;               // admin:, kms:, sts: actions ignore resources
};

struct Statement {
  bool allow = false;
  std::string sid;
  bool not_action = false;
  std::vector<Pattern> actions;  // lowercase
  ActionSet known_actions;       // the known actions `actions` cover
  // Absent only in statements whose actions are all admin:, kms: or sts:; then any
  // resource matches.
  bool has_resource = false;
  bool not_resource = false;
  std::vector<Pattern> resources;
  std::vector<std::string> resource_texts;  // as written, for ResourcesWithin
  // Resource policies only: Principal or NotPrincipal.
  bool has_principal = false;
  bool not_principal = false;
  bool any_principal = false;  // "*" among the values
  std::vector<std::string> principals;
  std::vector<Condition> conditions;  // all must hold

  bool Applies(const Request& request, const RequestFacts& facts) const;

  bool MatchesAction(const RequestFacts& facts) const;
  bool MatchesResource(std::string_view resource, const ConditionValues* vars) const;
  bool MatchesPrincipal(std::span<const std::string> names) const;
};

// Compiles one element of "Statement". Errors: kMalformedPolicy.
Result<Statement> ParseStatement(const nlohmann::json& json, Kind kind);

// kMalformedPolicy with `message`: every Parse error.
Status MalformedPolicy(std::string_view message);

// True for actions of the services whose requests have no resource (admin:, kms:, sts:).
bool IsResourceFreeAction(std::string_view action);

}  // namespace cairn::policy
