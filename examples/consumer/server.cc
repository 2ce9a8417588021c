// examples/consumer/server.cc: a server that gets its TCP port from berth.
// It holds the port for as long as it runs; here it just says which port it
// got and exits, which gives the port back.

#include <cstdio>

#include "api/lease.h"

int main() {
  absl::StatusOr<berth::Lease> lease = berth::Acquire("consumer-demo");
  if (!lease.ok()) {
    std::fprintf(stderr, "server: %s\n", lease.status().ToString().c_str());
    return 1;
  }
  std::printf("consumer-demo: port %u (%s)\n", unsigned{lease->port()},
              lease->reason().c_str());
  return 0;
}
