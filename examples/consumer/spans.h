// examples/consumer/spans.h: what this workspace's tests share to log their
// holds into the one file CI checks (check_spans.sh): the clock, the
// append, and the listener a holder puts on its port.

#ifndef CONSUMER_SPANS_H_
#define CONSUMER_SPANS_H_

#include <cstdint>
#include <string>

namespace consumer {

// NowMicros reads CLOCK_REALTIME in microseconds: one clock for every
// test's sandbox and PID namespace.
int64_t NowMicros();

// Log appends `line` to the shared log with one write, so that the lines
// of tests running at once never interleave: to $SPANS when set (as
// ports_test.sh sets it), else to $BERTH_CONSUMER_LOG/spans when CI passed
// that, else nowhere.
void Log(const std::string& line);

// Listen listens on 127.0.0.1:port (close-on-exec, which macOS cannot ask
// of socket() itself); -1 with errno set when it cannot, EADDRINUSE when
// someone else holds the port.
int Listen(uint16_t port);

}  // namespace consumer

#endif  // CONSUMER_SPANS_H_
