// The `cairn` executable. Everything lives in server::Main so that it can be tested.
#include "server/server.h"

int main(int argc, char** argv) {
  return cairn::server::Main(argc, argv);
}
