// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// api/berth.cc: the C ABI (api/berth.h) over api/lease.h. Each function
// checks its pointers, converts the options, maps absl::Status to a return
// code with the message kept per thread, and lets no exception out.

#define BERTH_BUILDING 1  // dllexport on Windows; see BERTH_EXPORT
#include "api/berth.h"

#include <cstddef>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/admin.h"
#include "api/lease.h"

struct berth_lease {
  berth::Lease lease;
};

namespace {

// Why the last failing call on this thread failed.
thread_local std::string last_error;
// Set when even the message could not be stored (out of memory).
thread_local bool last_error_lost = false;

void ClearError() noexcept {
  last_error.clear();
  last_error_lost = false;
}

// Fail stores `prefix` + `message` as the thread's last error and returns
// `code`. Never throws: the callers run in catch handlers too.
int Fail(int code, absl::string_view prefix,
         absl::string_view message) noexcept {
  try {
    last_error.assign(prefix.data(), prefix.size());
    last_error.append(message.data(), message.size());
    last_error_lost = false;
  } catch (...) {
    last_error.clear();
    last_error_lost = true;
  }
  return code;
}

int Fail(int code, absl::string_view message) noexcept {
  return Fail(code, "", message);
}

// Fail maps a Status as the berth command does: InvalidArgument is bad
// input, everything else a runtime failure.
int Fail(const absl::Status& status) noexcept {
  return Fail(absl::IsInvalidArgument(status) ? BERTH_EINVAL : BERTH_EFAIL,
              status.message());
}

// Guard runs `body` with the last error cleared and turns any exception
// that escapes it into BERTH_EFAIL: none may unwind into C.
template <typename Body>
int Guard(Body&& body) noexcept {
  try {
    ClearError();
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(BERTH_EFAIL, "out of memory");
  } catch (const std::exception& e) {
    return Fail(BERTH_EFAIL, "unexpected C++ exception: ", e.what());
  } catch (...) {
    return Fail(BERTH_EFAIL, "unexpected C++ exception");
  }
}

// ToOptions converts the C options; NULL means all defaults.
absl::StatusOr<berth::Options> ToOptions(const berth_options* in) {
  berth::Options out;
  if (in == nullptr) return out;
  // Read nothing past struct_size: 0.1's layout ended before `scope`, and
  // its callers get the default scope.
  constexpr size_t kLayout01 = offsetof(berth_options, scope);
  if (in->struct_size != sizeof(berth_options) &&
      in->struct_size != kLayout01) {
    if (in->struct_size == 0) {
      return absl::InvalidArgumentError(
          "options->struct_size is 0: set it to sizeof(berth_options), as "
          "BERTH_OPTIONS_INIT does");
    }
    return absl::InvalidArgumentError(
        absl::StrCat("options->struct_size is ", in->struct_size,
                     ", a size this libberth does not know (it expects ",
                     sizeof(berth_options),
                     "): was the caller built with another berth.h?"));
  }
  if (in->registry_dir != nullptr) out.registry_dir = in->registry_dir;
  if (in->port != 0) out.port = in->port;
  // One end 0 and the other not is an invalid range, reported by Acquire.
  if (in->range_lo != 0 || in->range_hi != 0) {
    out.range = berth::PortRange{in->range_lo, in->range_hi};
  }
  if (in->lock_timeout_ms < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("options->lock_timeout_ms is ", in->lock_timeout_ms,
                     ": give milliseconds, or 0 for the default"));
  }
  if (in->lock_timeout_ms > 0) {
    out.lock_timeout = absl::Milliseconds(in->lock_timeout_ms);
  }
  if (in->struct_size >= sizeof(berth_options) && in->scope != nullptr) {
    out.scope = in->scope;
  }
  return out;
}

}  // namespace

int berth_acquire(const char* app, const berth_options* options,
                  berth_lease** lease_out, uint16_t* port_out) {
  if (lease_out != nullptr) *lease_out = nullptr;
  if (port_out != nullptr) *port_out = 0;
  return Guard([&] {
    if (app == nullptr) {
      return Fail(BERTH_EINVAL, "berth_acquire: app is NULL");
    }
    if (lease_out == nullptr) {
      return Fail(BERTH_EINVAL, "berth_acquire: lease_out is NULL");
    }
    absl::StatusOr<berth::Options> converted = ToOptions(options);
    if (!converted.ok()) return Fail(converted.status());
    absl::StatusOr<berth::Lease> lease = berth::Acquire(app, *converted);
    if (!lease.ok()) return Fail(lease.status());
    const uint16_t port = lease->port();
    // If new throws, `lease` is still whole and its destructor releases it.
    *lease_out = new berth_lease{*std::move(lease)};
    if (port_out != nullptr) *port_out = port;
    return BERTH_OK;
  });
}

int berth_acquire_group(const char* const* apps, size_t count,
                        const berth_options* options, berth_lease** leases_out,
                        uint16_t* ports_out) {
  if (leases_out != nullptr) {
    for (size_t i = 0; i < count; ++i) leases_out[i] = nullptr;
  }
  if (ports_out != nullptr) {
    for (size_t i = 0; i < count; ++i) ports_out[i] = 0;
  }
  return Guard([&] {
    if (apps == nullptr) {
      return Fail(BERTH_EINVAL, "berth_acquire_group: apps is NULL");
    }
    if (leases_out == nullptr) {
      return Fail(BERTH_EINVAL, "berth_acquire_group: leases_out is NULL");
    }
    std::vector<std::string> names;
    names.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (apps[i] == nullptr) {
        return Fail(BERTH_EINVAL,
                    absl::StrCat("berth_acquire_group: apps[", i, "] is NULL"));
      }
      names.emplace_back(apps[i]);
    }
    absl::StatusOr<berth::Options> converted = ToOptions(options);
    if (!converted.ok()) return Fail(converted.status());
    absl::StatusOr<std::vector<berth::Lease>> group =
        berth::AcquireGroup(names, *converted);
    if (!group.ok()) return Fail(group.status());
    // Allocate every handle before handing any out, so a failure leaves
    // nothing half done (the leases release themselves).
    std::vector<std::unique_ptr<berth_lease>> handles;
    handles.reserve(count);
    for (berth::Lease& lease : *group) {
      handles.push_back(std::make_unique<berth_lease>(
          berth_lease{std::move(lease)}));
    }
    for (size_t i = 0; i < count; ++i) {
      if (ports_out != nullptr) ports_out[i] = handles[i]->lease.port();
      leases_out[i] = handles[i].release();
    }
    return BERTH_OK;
  });
}

int berth_reserve(const char* app, int64_t owner_pid,
                  const berth_options* options, uint16_t* port_out) {
  if (port_out != nullptr) *port_out = 0;
  return Guard([&] {
    if (app == nullptr) {
      return Fail(BERTH_EINVAL, "berth_reserve: app is NULL");
    }
    absl::StatusOr<berth::Options> converted = ToOptions(options);
    if (!converted.ok()) return Fail(converted.status());
    absl::StatusOr<berth::Reservation> reservation =
        berth::Reserve(app, owner_pid, *converted);
    if (!reservation.ok()) return Fail(reservation.status());
    if (port_out != nullptr) *port_out = reservation->port;
    return BERTH_OK;
  });
}

int berth_release_port(uint16_t port, const berth_options* options) {
  return Guard([&] {
    absl::StatusOr<berth::Options> converted = ToOptions(options);
    if (!converted.ok()) return Fail(converted.status());
    absl::StatusOr<berth::ReleaseResult> released =
        berth::ReleasePort(port, *converted);
    if (!released.ok()) return Fail(released.status());
    if (!released->held.empty()) {
      return Fail(BERTH_EFAIL,
                  absl::StrCat("port ", port, " is held by a live process (pid ",
                               released->held[0].pid,
                               ") that keeps its lease lock"));
    }
    if (released->released.empty()) {
      return Fail(BERTH_EFAIL,
                  absl::StrCat("nothing to release: no entry for port ", port));
    }
    return BERTH_OK;
  });
}

const char* berth_version(void) { return BERTH_VERSION; }

uint16_t berth_lease_port(const berth_lease* lease) {
  return lease == nullptr ? 0 : lease->lease.port();
}

const char* berth_lease_reason(const berth_lease* lease) {
  return lease == nullptr ? "" : lease->lease.reason().c_str();
}

int berth_lease_inherit(berth_lease* lease, intptr_t* handle_out) {
  if (handle_out != nullptr) *handle_out = -1;
  return Guard([&] {
    if (lease == nullptr) {
      return Fail(BERTH_EINVAL, "berth_lease_inherit: lease is NULL");
    }
    absl::StatusOr<intptr_t> handle = lease->lease.InheritAcrossExec();
    if (!handle.ok()) return Fail(BERTH_EFAIL, handle.status().message());
    if (handle_out != nullptr) *handle_out = *handle;
    return BERTH_OK;
  });
}

int berth_release(berth_lease* lease) {
  return Guard([&] {
    // Freed however Release ends, as the header promises.
    std::unique_ptr<berth_lease> owned(lease);
    if (owned == nullptr) return BERTH_OK;
    const absl::Status status = owned->lease.Release();
    if (!status.ok()) return Fail(BERTH_EFAIL, status.message());
    return BERTH_OK;
  });
}

const char* berth_last_error(void) {
  return last_error_lost ? "out of memory" : last_error.c_str();
}
