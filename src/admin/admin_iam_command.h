// `cairn admin user|group|policy|svcacct`: the command line of the IAM endpoints, with the
// verbs of `mc admin` (user add/remove/list/info/enable/disable, group ..., policy
// create/remove/list/info/attach/detach, svcacct add/remove/list/info/edit/enable/disable).
// admin_command.cc adds them to its CLI11 app and runs the one chosen.
#pragma once

#include <memory>

namespace CLI {
class App;
}  // namespace CLI

namespace cairn::admin {

class AdminClient;

class IamCommands {
 public:
  // Adds the four command groups to `app`. `json` is the command line's --json flag (each
  // command takes it too).
  IamCommands(CLI::App& app, bool& json);
  ~IamCommands();
  IamCommands(const IamCommands&) = delete;
  IamCommands& operator=(const IamCommands&) = delete;

  // True when the parsed command line chose one of these commands.
  bool Chosen();
  // Checks what the parser cannot (files, times) before anything is sent: 0, or 2 after
  // printing why.
  int Validate();
  // Runs the chosen command: 0, or 1 for a failed request.
  int Run(AdminClient& client);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace cairn::admin
