// The `cairn` executable. `cairn bench ...` is the load generator (src/loadgen), `cairn
// admin ...` the admin API's client (src/admin); everything else lives in server::Main so
// that it can be tested.
#include <string_view>

#include "admin/admin_command.h"
#include "loadgen/bench_command.h"
#include "server/server.h"

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "bench") {
    return cairn::loadgen::RunBenchCommand(argc - 1, argv + 1);
  }
  if (argc > 1 && std::string_view(argv[1]) == "admin") {
    return cairn::admin::RunAdminCommand(argc - 1, argv + 1);
  }
  return cairn::server::Main(argc, argv);
}
