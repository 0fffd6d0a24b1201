// `cairn bench`: the command line of the load generator. The cairn executable hands it
// everything after "cairn", so argv[0] is "bench".
#pragma once

namespace cairn::loadgen {

// Parses `bench MODE [flags]`, runs the benchmark, prints the table (or JSON with --json)
// on stdout and a live progress line on stderr. Returns the exit code: 0 after a run (even
// one with request errors: they are in the report), 1 when setup or preparation failed, 2
// for a bad command line.
int RunBenchCommand(int argc, char** argv);

}  // namespace cairn::loadgen
