#include "admin/admin_iam_command.h"

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "admin/admin_client.h"
#include "admin/admin_iam_format.h"
#include "admin/admin_iam_json.h"
#include "common/text.h"

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

std::string Q(std::string_view key, std::string_view value) {
  return fmt::format("{}={}", key, UriEncode(value, false));
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(Errc::kInvalidArgument, fmt::format("cannot read {}", path));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A policy file's text, checked to be a JSON object (the server checks the rest).
Result<std::string> ReadPolicyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (!Json::parse(text, nullptr, false).is_object()) {
    return Status(Errc::kInvalidArgument, fmt::format("{} is not a JSON policy document", path));
  }
  return text;
}

}  // namespace

struct IamCommands::State {
  // One command of the tree: its parser node, what to check before sending, what to run.
  struct Leaf {
    CLI::App* app = nullptr;
    std::function<Status()> validate;
    std::function<int(AdminClient&)> run;
  };

  bool* json = nullptr;
  std::vector<Leaf> leaves;
  const Leaf* chosen = nullptr;

  // Arguments (one command runs, so commands share them).
  std::string name;    // the user, group, policy or service account the command is about
  std::string secret;  // user add
  std::string file;    // policy create
  std::vector<std::string> names;  // group members, policies to attach
  std::string user;                // policy attach/detach --user
  std::string group;               // policy attach/detach --group
  // svcacct add / edit.
  std::string access_key;
  std::string secret_key;
  std::string policy_file;
  std::string sa_name;
  std::string description;
  std::string expiry;
  std::string policy_text;  // policy_file's or file's contents, read by Validate

  void Add(CLI::App* app, std::function<int(AdminClient&)> run,
           std::function<Status()> validate = {}) {
    app->add_flag("--json", *json, "Print the server's JSON");
    app->fallthrough();
    leaves.push_back(Leaf{app, std::move(validate), std::move(run)});
  }

  // One request; prints the answer (JSON, or `text` of it).
  int Do(AdminClient& client, std::string_view method, std::string_view op, std::string_view query,
         std::string_view body, const std::function<std::string(const Json&)>& text) const {
    Result<Json> r = CallJson(client, method, op, query, body);
    if (!r.ok()) {
      std::fprintf(stderr, "cairn admin: %s\n", r.status().message().c_str());
      return 1;
    }
    const std::string out = *json ? r->dump() + "\n" : text(*r);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    return 0;
  }

  // A command whose answer has nothing to show: `done` is printed.
  int Done(AdminClient& client, std::string_view method, std::string_view op,
           std::string_view query, std::string_view body, std::string done) const {
    return Do(client, method, op, query, body, [&done](const Json&) { return done + "\n"; });
  }

  Status CheckExpiry() const {
    if (!expiry.empty() && !ParseRfc3339(expiry)) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("--expiry {}: expected an RFC 3339 time such as "
                                "2030-01-01T00:00:00Z",
                                expiry));
    }
    return Status::Ok();
  }

  Status LoadPolicyFile() {
    if (policy_file.empty()) {
      return CheckExpiry();
    }
    ASSIGN_OR_RETURN(policy_text, ReadPolicyFile(policy_file));
    return CheckExpiry();
  }

  void AddUserCommands(CLI::App& app);
  void AddGroupCommands(CLI::App& app);
  void AddPolicyCommands(CLI::App& app);
  void AddServiceAccountCommands(CLI::App& app);
};

void IamCommands::State::AddUserCommands(CLI::App& app) {
  CLI::App* top = app.add_subcommand("user", "Users: add, remove, list, info, enable, disable");
  top->require_subcommand(1);
  top->fallthrough();
  CLI::App* add = top->add_subcommand("add", "Add a user (or set an existing user's secret)");
  add->add_option("ACCESS_KEY", name, "3-128 characters")->required();
  add->add_option("SECRET_KEY", secret, "8-40 characters")->required();
  Add(add, [this](AdminClient& c) {
    const Json body = {{"secretKey", secret}, {"status", "enabled"}};
    return Done(c, "PUT", "add-user", Q("accessKey", name), body.dump(),
                fmt::format("Added user `{}`.", name));
  });
  CLI::App* remove = top->add_subcommand("remove", "Remove a user and its service accounts");
  remove->add_option("ACCESS_KEY", name, "The user")->required();
  Add(remove, [this](AdminClient& c) {
    return Done(c, "DELETE", "remove-user", Q("accessKey", name), "",
                fmt::format("Removed user `{}`.", name));
  });
  Add(top->add_subcommand("list", "List the users"),
      [this](AdminClient& c) { return Do(c, "GET", "list-users", "", "", UsersText); });
  CLI::App* info = top->add_subcommand("info", "A user's status, policies and groups");
  info->add_option("ACCESS_KEY", name, "The user")->required();
  Add(info, [this](AdminClient& c) {
    return Do(c, "GET", "user-info", Q("accessKey", name), "",
              [this](const Json& j) { return UserText(name, j); });
  });
  for (const bool enable : {true, false}) {
    CLI::App* sub = top->add_subcommand(enable ? "enable" : "disable",
                                        enable ? "Enable a user" : "Disable a user");
    sub->add_option("ACCESS_KEY", name, "The user")->required();
    Add(sub, [this, enable](AdminClient& c) {
      const std::string query = Q("accessKey", name) + "&" + Q("status", StatusName(enable));
      return Done(c, "PUT", "set-user-status", query, "",
                  fmt::format("{} user `{}`.", enable ? "Enabled" : "Disabled", name));
    });
  }
}

void IamCommands::State::AddGroupCommands(CLI::App& app) {
  CLI::App* top = app.add_subcommand("group", "Groups: add, remove, list, info, enable, disable");
  top->require_subcommand(1);
  top->fallthrough();
  for (const bool remove : {false, true}) {
    CLI::App* sub = top->add_subcommand(
        remove ? "remove" : "add",
        remove ? "Remove members from a group, or the group itself when it is empty and no "
                 "member is named"
               : "Add users to a group (made when new)");
    sub->add_option("GROUP", name, "The group")->required();
    CLI::Option* members = sub->add_option("MEMBERS", names, "Users");
    if (!remove) {
      members->required();
    }
    Add(sub, [this, remove](AdminClient& c) {
      const Json body = {{"group", name}, {"members", names}, {"isRemove", remove}};
      std::string done = !remove ? fmt::format("Added {} to group `{}`.", JoinNames(names), name)
                         : names.empty()
                             ? fmt::format("Removed group `{}`.", name)
                             : fmt::format("Removed {} from group `{}`.", JoinNames(names), name);
      return Done(c, "PUT", "update-group-members", "", body.dump(), std::move(done));
    });
  }
  Add(top->add_subcommand("list", "List the groups"),
      [this](AdminClient& c) { return Do(c, "GET", "groups", "", "", GroupsText); });
  CLI::App* info = top->add_subcommand("info", "A group's status, members and policies");
  info->add_option("GROUP", name, "The group")->required();
  Add(info,
      [this](AdminClient& c) { return Do(c, "GET", "group", Q("group", name), "", GroupText); });
  for (const bool enable : {true, false}) {
    CLI::App* sub = top->add_subcommand(enable ? "enable" : "disable",
                                        enable ? "Enable a group" : "Disable a group");
    sub->add_option("GROUP", name, "The group")->required();
    Add(sub, [this, enable](AdminClient& c) {
      const std::string query = Q("group", name) + "&" + Q("status", StatusName(enable));
      return Done(c, "PUT", "set-group-status", query, "",
                  fmt::format("{} group `{}`.", enable ? "Enabled" : "Disabled", name));
    });
  }
}

void IamCommands::State::AddPolicyCommands(CLI::App& app) {
  CLI::App* top =
      app.add_subcommand("policy", "Named policies: create, remove, list, info, attach, detach");
  top->require_subcommand(1);
  top->fallthrough();
  CLI::App* create = top->add_subcommand("create", "Create (or replace) a named policy");
  create->add_option("NAME", name, "The policy's name")->required();
  create->add_option("FILE", file, "The policy document (JSON)")->required();
  Add(
      create,
      [this](AdminClient& c) {
        return Done(c, "PUT", "add-canned-policy", Q("name", name), policy_text,
                    fmt::format("Created policy `{}`.", name));
      },
      [this]() -> Status {
        ASSIGN_OR_RETURN(policy_text, ReadPolicyFile(file));
        return Status::Ok();
      });
  CLI::App* remove = top->add_subcommand("remove", "Remove a policy attached to nobody");
  remove->add_option("NAME", name, "The policy")->required();
  Add(remove, [this](AdminClient& c) {
    return Done(c, "DELETE", "remove-canned-policy", Q("name", name), "",
                fmt::format("Removed policy `{}`.", name));
  });
  Add(top->add_subcommand("list", "List the policies (the built-in ones too)"),
      [this](AdminClient& c) {
        return Do(c, "GET", "list-canned-policies", "", "", PoliciesText);
      });
  CLI::App* info = top->add_subcommand("info", "A policy's document and dates");
  info->add_option("NAME", name, "The policy")->required();
  Add(info, [this](AdminClient& c) {
    return Do(c, "GET", "info-canned-policy", Q("name", name) + "&v=2", "", PolicyText);
  });
  for (const bool attach : {true, false}) {
    CLI::App* sub = top->add_subcommand(
        attach ? "attach" : "detach",
        attach ? "Attach policies to a user or a group" : "Detach policies from a user or group");
    sub->add_option("POLICIES", names, "Policy names")->required();
    CLI::Option* u = sub->add_option("--user", user, "The user");
    CLI::Option* g = sub->add_option("--group", group, "The group");
    u->excludes(g);
    Add(
        sub,
        [this, attach](AdminClient& c) {
          Json body = {{"policies", names}};
          body[group.empty() ? "user" : "group"] = group.empty() ? user : group;
          return Do(c, "POST", attach ? "idp/builtin/policy/attach" : "idp/builtin/policy/detach",
                    "", body.dump(),
                    [this](const Json& j) { return PolicyAssociationText(j, user, group); });
        },
        [this]() -> Status {
          if (user.empty() == group.empty()) {
            return Status(Errc::kInvalidArgument, "name one of --user or --group");
          }
          return Status::Ok();
        });
  }
}

void IamCommands::State::AddServiceAccountCommands(CLI::App& app) {
  CLI::App* top = app.add_subcommand(
      "svcacct", "Service accounts: add, remove, list, info, edit, enable, disable");
  top->require_subcommand(1);
  top->fallthrough();
  auto common = [this](CLI::App* sub) {
    sub->add_option("--secret-key", secret_key, "Its secret key (8-40 characters)");
    sub->add_option("--policy", policy_file, "A session policy (JSON file) that narrows it");
    sub->add_option("--name", sa_name, "A name (up to 32 characters)");
    sub->add_option("--description", description, "A description (up to 256 characters)");
    sub->add_option("--expiry", expiry, "When it expires (RFC 3339: 2030-01-01T00:00:00Z)");
  };
  CLI::App* add = top->add_subcommand(
      "add",
      "Add a service account under a user (the caller's --access-key and --secret-key then go "
      "before the command: cairn admin --access-key K --secret-key S svcacct add ...)");
  add->add_option("USER", name, "Its parent user")->required();
  add->add_option("--access-key", access_key, "Its access key (default: generated)");
  common(add);
  Add(
      add,
      [this](AdminClient& c) {
        Json body = {{"targetUser", name}};
        auto put = [&body](const char* key, const std::string& v) {
          if (!v.empty()) {
            body[key] = v;
          }
        };
        put("accessKey", access_key);
        put("secretKey", secret_key);
        put("name", sa_name);
        put("description", description);
        put("expiration", expiry);
        if (!policy_text.empty()) {
          body["policy"] = Json::parse(policy_text);
        }
        return Do(c, "PUT", "add-service-account", "", body.dump(), CredentialsText);
      },
      [this] { return LoadPolicyFile(); });
  CLI::App* remove = top->add_subcommand("remove", "Remove a service account");
  remove->add_option("ACCESS_KEY", name, "The service account")->required();
  Add(remove, [this](AdminClient& c) {
    return Done(c, "DELETE", "delete-service-account", Q("accessKey", name), "",
                fmt::format("Removed service account `{}`.", name));
  });
  CLI::App* list = top->add_subcommand("list", "List a user's service accounts");
  list->add_option("USER", name, "The parent user")->required();
  Add(list, [this](AdminClient& c) {
    return Do(c, "GET", "list-service-accounts", Q("user", name), "", ServiceAccountsText);
  });
  CLI::App* info = top->add_subcommand("info", "A service account's parent, state and policy");
  info->add_option("ACCESS_KEY", name, "The service account")->required();
  Add(info, [this](AdminClient& c) {
    return Do(c, "GET", "info-service-account", Q("accessKey", name), "",
              [this](const Json& j) { return ServiceAccountText(name, j); });
  });
  CLI::App* edit = top->add_subcommand("edit", "Change a service account");
  edit->add_option("ACCESS_KEY", name, "The service account")->required();
  common(edit);
  Add(
      edit,
      [this](AdminClient& c) {
        Json body = Json::object();
        auto put = [&body](const char* key, const std::string& v) {
          if (!v.empty()) {
            body[key] = v;
          }
        };
        put("newSecretKey", secret_key);
        put("newName", sa_name);
        put("newDescription", description);
        put("newExpiration", expiry);
        if (!policy_text.empty()) {
          body["newPolicy"] = Json::parse(policy_text);
        }
        return Done(c, "POST", "update-service-account", Q("accessKey", name), body.dump(),
                    fmt::format("Edited service account `{}`.", name));
      },
      [this] { return LoadPolicyFile(); });
  for (const bool enable : {true, false}) {
    CLI::App* sub =
        top->add_subcommand(enable ? "enable" : "disable",
                            enable ? "Enable a service account" : "Disable a service account");
    sub->add_option("ACCESS_KEY", name, "The service account")->required();
    Add(sub, [this, enable](AdminClient& c) {
      const Json body = {{"newStatus", enable ? "on" : "off"}};
      return Done(c, "POST", "update-service-account", Q("accessKey", name), body.dump(),
                  fmt::format("{} service account `{}`.", enable ? "Enabled" : "Disabled", name));
    });
  }
}

IamCommands::IamCommands(CLI::App& app, bool& json) : s_(std::make_unique<State>()) {
  s_->json = &json;
  s_->AddUserCommands(app);
  s_->AddGroupCommands(app);
  s_->AddPolicyCommands(app);
  s_->AddServiceAccountCommands(app);
}

IamCommands::~IamCommands() = default;

bool IamCommands::Chosen() {
  for (const State::Leaf& leaf : s_->leaves) {
    if (leaf.app->parsed()) {
      s_->chosen = &leaf;
      return true;
    }
  }
  return false;
}

int IamCommands::Validate() {
  if (s_->chosen == nullptr || !s_->chosen->validate) {
    return 0;
  }
  Status st = s_->chosen->validate();
  if (!st.ok()) {
    std::fprintf(stderr, "cairn admin: %s\n", st.message().c_str());
    return 2;
  }
  return 0;
}

int IamCommands::Run(AdminClient& client) {
  if (s_->chosen == nullptr) {
    return 2;
  }
  return s_->chosen->run(client);
}

}  // namespace cairn::admin
