// examples/consumer/port_hold.cc: holds a port for a while, as a server
// does, and logs how long, for ports_test.sh.
//
//   port_hold lease APP WHO   takes a port for APP with berth::Acquire
//   port_hold serve WHO       a server on $PORT (started by `berth run`)
//   port_hold now             prints the clock below (macOS's date has no
//                             %N)
//
// Either listens on 127.0.0.1:PORT for $HOLD_MS milliseconds (default
// 3000), then appends "span PORT START END WHO" to the file $SPANS: START
// once the port is held, END before it is given back, in microseconds of
// CLOCK_REALTIME (one clock for every test's sandbox), so that two spans of
// one port that overlap mean two live holders. A port found listened on
// appends "conflict PORT WHO" and exits 3.

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "api/lease.h"
#include "spans.h"

namespace {

using consumer::Log;
using consumer::NowMicros;

// Hold listens on `port` for $HOLD_MS and logs the span that began at
// `start`.
int Hold(uint16_t port, int64_t start, const std::string& who) {
  const int fd = consumer::Listen(port);
  if (fd < 0) {
    const bool in_use = errno == EADDRINUSE;
    std::fprintf(stderr, "port_hold: %s: bind %u: %s\n", who.c_str(),
                 unsigned{port}, std::strerror(errno));
    Log((in_use ? "conflict " : "bindfail ") + std::to_string(port) + " " +
        who + "\n");
    return in_use ? 3 : 1;
  }
  const char* hold = std::getenv("HOLD_MS");
  const long ms = hold != nullptr ? std::atol(hold) : 3000;
  struct timespec left = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
  Log("span " + std::to_string(port) + " " + std::to_string(start) + " " +
      std::to_string(NowMicros()) + " " + who + "\n");
  close(fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "lease" && argc == 4) {
    absl::StatusOr<berth::Lease> lease = berth::Acquire(argv[2]);
    if (!lease.ok()) {
      std::fprintf(stderr, "port_hold: %s: %s\n", argv[3],
                   lease.status().ToString().c_str());
      return 1;
    }
    return Hold(lease->port(), NowMicros(), argv[3]);
  }
  if (command == "now" && argc == 2) {
    std::printf("%lld\n", static_cast<long long>(NowMicros()));
    return 0;
  }
  if (command == "serve" && argc == 3) {
    const char* port = std::getenv("PORT");
    const long number = port != nullptr ? std::atol(port) : 0;
    if (number <= 0 || number > 65535) {
      std::fprintf(stderr, "port_hold: serve: no PORT\n");
      return 1;
    }
    return Hold(static_cast<uint16_t>(number), NowMicros(), argv[2]);
  }
  std::fprintf(stderr, "usage: port_hold lease APP WHO | serve WHO | now\n");
  return 2;
}
