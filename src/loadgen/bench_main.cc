// `cairn-bench`: the load generator on its own, for builds without the server (the same
// command as `cairn bench`).
#include "loadgen/bench_command.h"

int main(int argc, char** argv) {
  return cairn::loadgen::RunBenchCommand(argc, argv);
}
