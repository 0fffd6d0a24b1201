// `cairn admin`: the command line of the admin API (heal, heal-status, heal-stop, info,
// prometheus generate). The cairn executable hands it everything after "cairn", so argv[0]
// is "admin".
#pragma once

namespace cairn::admin {

// Runs the command and returns the exit code: 0 on success (heal: the sequence is done with
// 0 failed objects); 1 for a failed request or heal; 2 for a bad command line.
int RunAdminCommand(int argc, char** argv);

}  // namespace cairn::admin
