// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "registry/registry.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "registry/codec.h"

namespace berth::registry {
namespace {

// How many `last` lines the registry remembers (oldest go first).
constexpr size_t kMaxLastPorts = 256;

bool IsAbsolute(absl::string_view path) {
  if (!path.empty() && (path[0] == '/' || path[0] == '\\')) return true;
  // Windows drive paths: C:\ or C:/
  return path.size() >= 3 && path[1] == ':' &&
         (path[2] == '\\' || path[2] == '/');
}

allocator::EntryState ToAllocatorState(EntryState state) {
  switch (state) {
    case EntryState::kLive:
      return allocator::EntryState::kLive;
    case EntryState::kStale:
      return allocator::EntryState::kStale;
    case EntryState::kUnknown:
      break;
  }
  return allocator::EntryState::kUnknown;
}

// RememberLast records that `app` held `port` most recently.
void RememberLast(RegistryData& data, const std::string& app, uint16_t port) {
  for (auto it = data.last.begin(); it != data.last.end(); ++it) {
    if (it->app == app) {
      data.last.erase(it);
      break;
    }
  }
  data.last.push_back({port, app});
  if (data.last.size() > kMaxLastPorts) data.last.erase(data.last.begin());
}

// TempFilePid returns the PID in the name of a temp file that
// platform::ReplaceFileAtomically makes for `registry`
// (".registry.tmp-PID-HEX"), or 0 for any other name.
int64_t TempFilePid(absl::string_view name) {
  constexpr absl::string_view kPrefix = ".registry.tmp-";
  if (!absl::ConsumePrefix(&name, kPrefix)) return 0;
  const size_t dash = name.find('-');
  int64_t pid = 0;
  if (dash == absl::string_view::npos ||
      !absl::SimpleAtoi(name.substr(0, dash), &pid) || pid <= 0) {
    return 0;
  }
  return pid;
}

// RemoveDeadWritersTempFiles removes the temp files of writers that died
// between creating and renaming theirs (SIGKILL, power loss): nothing else
// ever would, and each such death would leave one more. Called with the
// registry lock held, so no live berth is writing one; the PID check spares
// a writer that is alive all the same. Best effort: errors are ignored.
void RemoveDeadWritersTempFiles(const std::string& dir,
                                const platform::ProcessInspector& inspector) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const int64_t pid = TempFilePid(it->path().filename().string());
    if (pid == 0) continue;
    auto status = inspector.Inspect(pid);
    if (status.ok() && status->liveness == platform::Liveness::kDead) {
      std::error_code ignored;
      std::filesystem::remove(it->path(), ignored);
    }
  }
}

}  // namespace

const char* EntryStateName(EntryState state) {
  switch (state) {
    case EntryState::kLive:
      return "live";
    case EntryState::kStale:
      return "stale";
    case EntryState::kUnknown:
      break;
  }
  return "unknown";
}

struct Registry::Loaded {
  platform::FileLock lock;
  RegistryData data;
  std::vector<Entry> entries;  // data.entries with their states, same order
  std::string boot_id;         // this boot's; empty when unknown
};

Registry::Registry(Options options) : options_(std::move(options)) {
  if (options_.inspector == nullptr) {
    options_.inspector = &platform::SystemProcessInspector();
  }
  if (!options_.probe) options_.probe = platform::ProbePort;
  if (!options_.now) options_.now = absl::Now;
  if (options_.warnings == nullptr) options_.warnings = &std::cerr;
}

std::string Registry::LeasePath(uint16_t port) const {
  return platform::JoinPath(platform::JoinPath(options_.dir, "leases"),
                            absl::StrCat(port, ".lock"));
}

absl::StatusOr<Registry::Loaded> Registry::Load(bool writable, bool inspect) {
  Loaded l;
  const std::string path = platform::JoinPath(options_.dir, "registry");
  if (writable) {
    for (const std::string& dir :
         {options_.dir, platform::JoinPath(options_.dir, "leases")}) {
      if (absl::Status s = platform::EnsurePrivateDirectory(dir); !s.ok()) {
        return s;
      }
    }
  } else if (std::error_code ec; std::filesystem::exists(
                 std::filesystem::symlink_status(options_.dir, ec))) {
    // A read creates no directory, but trusts one no more than a write
    // does: the lock file it opens (O_CREAT) and the entries it reads must
    // not come from a symlink's target or another user's directory.
    if (absl::Status s = platform::EnsurePrivateDirectory(options_.dir);
        !s.ok()) {
      return s;
    }
  }
  auto lock = platform::FileLock::Lock(
      platform::JoinPath(options_.dir, "registry.lock"),
      options_.lock_timeout);
  // Reading a registry that was never written: nothing to report.
  if (!writable && absl::IsNotFound(lock.status())) return l;
  if (!lock.ok()) return lock.status();
  l.lock = *std::move(lock);
  if (writable) RemoveDeadWritersTempFiles(options_.dir, *options_.inspector);

  auto bytes = platform::ReadFileToString(path, kMaxRegistryBytes);
  absl::Status bad;
  if (bytes.ok()) {
    auto data = Decode(*bytes);
    if (data.ok()) {
      l.data = *std::move(data);
    } else {
      bad = data.status();
    }
  } else if (absl::IsFailedPrecondition(bytes.status())) {
    bad = bytes.status();  // larger than any registry berth writes
  } else if (!absl::IsNotFound(bytes.status())) {
    return bytes.status();
  }
  if (!bad.ok()) {
    if (writable) {
      const std::string aside = absl::StrCat(
          path, ".corrupt-",
          absl::FormatTime("%Y%m%dT%H%M%SZ", options_.now(),
                           absl::UTCTimeZone()));
      if (std::rename(path.c_str(), aside.c_str()) != 0) {
        return absl::ErrnoToStatus(errno,
                                   absl::StrCat("rename ", path, " ", aside));
      }
      *options_.warnings << "berth: warning: " << path
                         << " did not decode (" << bad.message()
                         << "); moved it to " << aside
                         << " and started a new registry\n";
    } else {
      *options_.warnings << "berth: warning: " << path
                         << " did not decode (" << bad.message()
                         << "); the next berth get or prune moves it aside\n";
    }
  }

  auto boot = options_.inspector->BootId();
  if (boot.ok()) l.boot_id = *boot;
  const bool other_boot = !l.data.boot_id.empty() && !l.boot_id.empty() &&
                          l.data.boot_id != l.boot_id;

  absl::flat_hash_map<int64_t, absl::StatusOr<platform::ProcessStatus>>
      inspected;
  l.entries.reserve(l.data.entries.size());
  for (const Record& r : l.data.entries) {
    Entry e;
    e.app = r.app;
    e.port = r.port;
    e.owner = {r.pid, r.start};
    e.since = r.since;
    e.lease = r.lease;
    e.state = EntryState::kLive;
    if (other_boot) {
      e.state = EntryState::kStale;
      e.why = "recorded before the machine last booted";
    } else if (!inspect) {
      // A release needs no verdicts: the next allocation makes them.
    } else if (r.lease &&
               platform::FileLock::TryLock(LeasePath(r.port)).ok()) {
      // Nobody holds the lease: the holder is gone, whatever its PID says.
      e.state = EntryState::kStale;
      e.why = "its lease lock is free: the holder is gone";
    } else {
      // Owners often hold several ports: ask the OS once per PID.
      auto [it, fresh] = inspected.try_emplace(r.pid, platform::ProcessStatus{});
      if (fresh) it->second = options_.inspector->Inspect(r.pid);
      const absl::StatusOr<platform::ProcessStatus>& st = it->second;
      if (!st.ok()) {
        e.state = EntryState::kUnknown;
        e.why = std::string(st.status().message());
      } else if (st->liveness == platform::Liveness::kDead) {
        e.state = EntryState::kStale;
        e.why = absl::StrCat("process ", r.pid, " is gone");
      } else if (st->liveness == platform::Liveness::kUnknown) {
        e.state = EntryState::kUnknown;
        e.why = absl::StrCat("the OS cannot say whether process ", r.pid,
                             " is alive");
      } else if (st->start_token && *st->start_token != r.start) {
        e.state = EntryState::kStale;
        e.why = absl::StrCat("PID ", r.pid, " now belongs to another process");
      }
    }
    l.entries.push_back(std::move(e));
  }
  return l;
}

absl::Status Registry::Store(Loaded& l) {
  // The file never keeps an entry known to be stale: that also keeps entries
  // from an earlier boot from being relabelled with this boot's identity.
  for (size_t i = l.entries.size(); i-- > 0;) {
    if (l.entries[i].state == EntryState::kStale) {
      RememberLast(l.data, l.entries[i].app, l.entries[i].port);
      l.entries.erase(l.entries.begin() + i);
      l.data.entries.erase(l.data.entries.begin() + i);
    }
  }
  if (!l.boot_id.empty()) l.data.boot_id = l.boot_id;
  return platform::ReplaceFileAtomically(
      platform::JoinPath(options_.dir, "registry"), Encode(l.data));
}

absl::StatusOr<Allocation> Registry::Allocate(const AllocateRequest& request) {
  auto loaded = Load(/*writable=*/true);
  if (!loaded.ok()) return loaded.status();
  Loaded& l = *loaded;

  allocator::Request req;
  req.app = request.app;
  req.owner = {request.owner.pid, request.owner.start_token};
  req.wanted = request.wanted;
  req.range = request.range;
  req.reuse_existing = !request.lease;
  allocator::Snapshot snap;
  snap.entries.reserve(l.entries.size());
  for (size_t i = 0; i < l.entries.size(); ++i) {
    const Entry& e = l.entries[i];
    snap.entries.push_back({e.app, e.port,
                            {e.owner.pid, e.owner.start_token},
                            ToAllocatorState(e.state)});
  }
  for (const LastPort& last : l.data.last) snap.last_port[last.app] = last.port;
  if (auto eph = platform::EphemeralPortRange(); eph.ok()) {
    snap.ephemeral = allocator::PortRange{eph->lo, eph->hi};
  }

  Allocation out;
  // Each round either settles or marks one more port busy, so the loop ends
  // after at most one round per port of the range (plus the wanted port).
  for (;;) {
    auto decision = allocator::Allocate(req, snap);
    if (!decision.ok()) return decision.status();
    out.reason = decision->reason;
    out.existing = decision->existing;
    if (decision->existing) {
      for (const Entry& e : l.entries) {
        if (e.port == decision->port) out.entry = e;
      }
      break;
    }
    const uint16_t port = decision->port;
    auto probe = options_.probe(port);
    if (!probe.ok()) return probe.status();
    if (!probe->free()) {
      snap.busy[port] =
          options_.describe_listener ? options_.describe_listener(port) : "";
      continue;
    }
    if (request.lease) {
      auto lease = platform::FileLock::Lock(LeasePath(port), absl::ZeroDuration());
      if (!lease.ok()) {
        if (!absl::IsDeadlineExceeded(lease.status())) return lease.status();
        snap.busy[port] = "its lease is held by a process not on file";
        continue;
      }
      out.lease_lock = *std::move(lease);
    }
    out.entry.app = request.app;
    out.entry.port = port;
    out.entry.owner = request.owner;
    out.entry.since = absl::ToUnixSeconds(options_.now());
    out.entry.lease = request.lease;
    out.entry.state = EntryState::kLive;
    break;
  }

  if (!out.existing) {
    Record r;
    r.port = out.entry.port;
    r.app = out.entry.app;
    r.pid = out.entry.owner.pid;
    r.start = out.entry.owner.start_token;
    r.since = out.entry.since;
    r.lease = out.entry.lease;
    l.data.entries.push_back(r);
    l.entries.push_back(out.entry);
  }
  if (absl::Status s = Store(l); !s.ok()) return s;
  return out;
}

absl::StatusOr<int> Registry::ReleaseIf(
    const std::function<bool(const Entry&)>& match) {
  auto loaded = Load(/*writable=*/true, /*inspect=*/false);
  if (!loaded.ok()) return loaded.status();
  Loaded& l = *loaded;
  int released = 0;
  for (size_t i = l.entries.size(); i-- > 0;) {
    if (!match(l.entries[i])) continue;
    RememberLast(l.data, l.entries[i].app, l.entries[i].port);
    l.entries.erase(l.entries.begin() + i);
    l.data.entries.erase(l.data.entries.begin() + i);
    ++released;
  }
  if (absl::Status s = Store(l); !s.ok()) return s;
  return released;
}

absl::StatusOr<int> Registry::ReleaseApp(
    const std::string& app, std::optional<platform::ProcessIdentity> owner) {
  return ReleaseIf([&](const Entry& e) {
    return e.app == app && (!owner || e.owner == *owner);
  });
}

absl::StatusOr<int> Registry::ReleasePort(
    uint16_t port, std::optional<platform::ProcessIdentity> owner) {
  return ReleaseIf([&](const Entry& e) {
    return e.port == port && (!owner || e.owner == *owner);
  });
}

absl::StatusOr<std::vector<Entry>> Registry::List() {
  auto loaded = Load(/*writable=*/false);
  if (!loaded.ok()) return loaded.status();
  return std::move(loaded->entries);
}

absl::StatusOr<int> Registry::Prune() {
  auto loaded = Load(/*writable=*/true);
  if (!loaded.ok()) return loaded.status();
  int stale = 0;
  for (const Entry& e : loaded->entries) {
    if (e.state == EntryState::kStale) ++stale;
  }
  if (absl::Status s = Store(*loaded); !s.ok()) return s;
  return stale;
}

absl::StatusOr<std::string> ResolveDirectory(std::optional<std::string> flag) {
  std::string dir;
  const char* source = "--registry";
  if (flag.has_value()) {
    dir = *flag;
  } else if (const char* home = std::getenv("BERTH_HOME"); home != nullptr) {
    dir = home;
    source = "BERTH_HOME";
  } else {
    auto base = platform::UserStateDirectory();
    if (!base.ok()) return base.status();
    return platform::JoinPath(*base, "berth");
  }
  if (!IsAbsolute(dir)) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, " must be an absolute path, not \"", dir, "\""));
  }
  return dir;
}

}  // namespace berth::registry
