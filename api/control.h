// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/control.h: wait until an app's server listens, stop it, name its URL.
//
// These act on what the registry says (api/admin.h's entries, judged now)
// and on what the OS says (who listens on a port, which process started
// which), and never on a PID alone: a holder is signalled only while its
// PID still has the start time on record (platform/signal.h), so a process
// that merely got the PID later is never touched.
//
// Waiting polls, sleeping 5 ms at first and twice as long each time after,
// up to 200 ms: nothing runs hot, and a server that starts listening is
// noticed within 200 ms. Wait reads lease records without taking their
// locks (an allocation that meets a held lock takes another port), so it
// never costs the `berth run` it waits for its app's remembered port.

#ifndef BERTH_API_CONTROL_H_
#define BERTH_API_CONTROL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/admin.h"
#include "api/options.h"

namespace berth {

// WaitTarget is what to wait for: an app of the options' scope, or a port
// (when `port` is not 0).
struct WaitTarget {
  std::string app;
  uint16_t port = 0;
};

struct WaitOptions {
  Options options;
  absl::Duration timeout = absl::Seconds(30);
  // Wait for the opposite: nothing listens on the port(s) and no entry that
  // is not stale holds them.
  bool free = false;
};

// Wait returns OK as soon as the target is ready:
//   - an app: one of its ports is listened on (IPv4 or IPv6) by the port's
//     holder or a descendant of it (a server started by a script that
//     `berth run` started). Where the OS does not say which process
//     listens, or the holder's PID cannot be checked from here (another PID
//     namespace, no start time on record), any listener counts. An app
//     nobody holds yet is waited for: `berth run` may not have started.
//   - a port: the same for the port's holder; a port nobody holds counts as
//     ready when anything listens on it.
//   - with `free`: no entry that is not stale holds the target, and nothing
//     listens on its ports (an app's: those it held while Wait watched).
// DeadlineExceeded after `timeout`, saying what was seen last;
// InvalidArgument for bad input (nothing is read then).
absl::Status Wait(const WaitTarget& target, const WaitOptions& options);

struct StopOptions {
  Options options;
  // The signal's name: TERM, INT, HUP, QUIT, KILL, USR1, USR2 (with or
  // without SIG). Windows has no signals: see platform/signal.h.
  std::string signal = "TERM";
  // How long to wait for the holders to end after the signal.
  absl::Duration timeout = absl::Seconds(10);
  // After `timeout`, send KILL and wait up to 5 s more.
  bool kill_after = false;
};

// Stopped is one holder that Stop ended.
struct Stopped {
  std::string app;
  int64_t pid = 0;
  std::vector<uint16_t> ports;  // the app's ports it held
  std::string signal;           // the last signal sent: "TERM", "KILL", ...
  bool killed = false;          // it ended only after KILL (kill_after)
};

// Stop sends the signal to every live holder of `app` in the options'
// scope and waits until each has ended. Before signalling anyone it checks
// all of them and refuses (FailedPrecondition) a holder it cannot verify:
// one in another PID namespace, one with no start time on record, and the
// process that runs this call or one of its ancestors (a shell that took a
// port with `berth get`: release the port instead). NotFound when no live
// holder exists; DeadlineExceeded when a holder still runs after the
// timeout (and KILL was not asked for); InvalidArgument for bad input,
// before anything is read.
absl::StatusOr<std::vector<Stopped>> Stop(absl::string_view app,
                                          const StopOptions& options);

// DnsLabel makes `app` a DNS label for a URL: ASCII letters lower-cased,
// digits kept, every run of other ASCII characters ('_', '.', ' ', ...)
// one '-', none at either end; at most 63 bytes. InvalidArgument when
// nothing is left, it is too long, or the name holds non-ASCII bytes.
absl::StatusOr<std::string> DnsLabel(absl::string_view app);

// AppUrl returns "http://LABEL.localhost:PORT" for the port `app` holds in
// the options' scope (its most recent entry that is not stale): browsers
// resolve every *.localhost name to the loopback address. NotFound when
// the app holds no port.
absl::StatusOr<std::string> AppUrl(absl::string_view app,
                                   const Options& options = {});

}  // namespace berth

#endif  // BERTH_API_CONTROL_H_
