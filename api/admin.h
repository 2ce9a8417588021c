// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/admin.h: the registry for people and scripts: reserve a port for
// another process (what `berth get` does for a shell), see who holds what,
// give ports back, tidy up. A server embeds api/lease.h instead.

#ifndef BERTH_API_ADMIN_H_
#define BERTH_API_ADMIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/options.h"

namespace berth {

// The state of an entry now: live (its holder runs), stale (the holder is
// gone; the next allocation or Prune drops it), unknown (the OS could not
// say, or the holder is in a PID namespace this process cannot see; never
// dropped).
enum class EntryState { kLive, kStale, kUnknown };

// EntryStateName returns "live", "stale" or "unknown".
const char* EntryStateName(EntryState state);

// Entry is who holds one port.
struct Entry {
  uint16_t port = 0;
  std::string app;    // "" when its record did not decode
  std::string scope;  // "" is the global scope
  int64_t pid = 0;
  std::optional<uint64_t> start;  // the raw OS start token, when read
  int64_t since = 0;              // unix seconds
  // "lock": the holder keeps the lease lock; "lock+pid": the lock, or its
  // PID and start time; "pid": its PID and start time alone (berth get).
  std::string hold;
  EntryState state = EntryState::kUnknown;
  std::string why;  // why stale or unknown, for people
};

// Reservation is a port recorded for an owner process without a lease.
struct Reservation {
  uint16_t port = 0;
  std::string reason;
  bool existing = false;  // the owner already had it
  Entry entry;
};

// ReserveGroup records one port for each of `apps` (distinct; all or none)
// held by process `owner_pid`, which must be alive: each entry lasts as
// long as that process (PID plus start time). The same owner asking again
// for the same app of the same scope gets the same port.
//
// Refused (FailedPrecondition, saying what to do instead) where other
// callers could not check the owner: when it lives in a PID namespace of
// its own (containers, `unshare --pid`, bazel test's sandbox), whose PIDs
// mean nothing outside it. Also refused: PID 1 and kernel threads, which
// never exit.
absl::StatusOr<std::vector<Reservation>> ReserveGroup(
    const std::vector<std::string>& apps, int64_t owner_pid,
    const Options& options = {});

// Reserve is ReserveGroup for one app.
absl::StatusOr<Reservation> Reserve(absl::string_view app, int64_t owner_pid,
                                    const Options& options = {});

// List returns every entry with its state now, by port; changes nothing.
absl::StatusOr<std::vector<Entry>> List(const Options& options = {});

// Find returns the entries of `app` in the options' scope that are not
// stale, most recent first.
absl::StatusOr<std::vector<Entry>> Find(absl::string_view app,
                                        const Options& options = {});

// ReleaseResult says what a release did.
struct ReleaseResult {
  std::vector<Entry> released;
  // Entries whose holder keeps its lease lock: only the holder (or its
  // end) can give the port back; stop it instead.
  std::vector<Entry> held;
};

// ReleaseApp drops the entries of `app` in the options' scope; ReleasePort
// the entry of `port`, whoever holds it.
absl::StatusOr<ReleaseResult> ReleaseApp(absl::string_view app,
                                         const Options& options = {});
absl::StatusOr<ReleaseResult> ReleasePort(uint16_t port,
                                          const Options& options = {});

// Prune drops the stale entries and returns how many.
absl::StatusOr<int> Prune(const Options& options = {});

}  // namespace berth

#endif  // BERTH_API_ADMIN_H_
