// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "registry/registry.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace berth::registry {
namespace {

// How many ports the memory keeps per app, and how many apps in all.
constexpr size_t kRememberedPorts = 16;

bool Contains(const std::vector<uint16_t>& ports, uint16_t port) {
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

// LeasePort returns the port a lease file's name stands for ("8825.lock"),
// or 0 for any other name.
uint16_t LeasePort(absl::string_view name) {
  if (!absl::ConsumeSuffix(&name, ".lock") || name.empty() || name.size() > 5 ||
      name[0] == '0') {
    return 0;
  }
  uint32_t port = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return 0;
  }
  if (!absl::SimpleAtoi(name, &port) || port == 0 || port > 65535) return 0;
  return static_cast<uint16_t>(port);
}

// Decoded holds what a lease file's bytes say.
struct Decoded {
  std::optional<LeaseRecord> record;
  bool undecodable = false;
};

Decoded DecodeBytes(absl::StatusOr<std::string> bytes, uint16_t port) {
  Decoded d;
  if (!bytes.ok()) {
    d.undecodable = !absl::IsNotFound(bytes.status());
    return d;
  }
  if (bytes->empty()) return d;
  absl::StatusOr<LeaseRecord> record = DecodeLease(*bytes);
  if (!record.ok() || record->port != port) {
    d.undecodable = true;
    return d;
  }
  d.record = *std::move(record);
  return d;
}

// EphemeralOnce reads the OS ephemeral range once per process: it changes
// only when an administrator changes it.
std::optional<allocator::PortRange> EphemeralOnce() {
  static const std::optional<allocator::PortRange> range =
      []() -> std::optional<allocator::PortRange> {
    absl::StatusOr<platform::PortRange> eph = platform::EphemeralPortRange();
    if (!eph.ok()) return std::nullopt;
    return allocator::PortRange{eph->lo, eph->hi};
  }();
  return range;
}

// Obstacle says how a verdict stands in the way of an allocation.
allocator::Obstacle ObstacleOf(EntryState state) {
  return state == EntryState::kLive ? allocator::Obstacle::kHeld
                                    : allocator::Obstacle::kHeldUnknown;
}

}  // namespace

std::string HolderText(const LeaseRecord& record) {
  return absl::StrCat(record.app, " (pid ", record.pid, ")");
}

Registry::Registry(Options options) : options_(std::move(options)) {
  if (options_.inspector == nullptr) {
    options_.inspector = &platform::SystemProcessInspector();
  }
  if (!options_.probe) options_.probe = platform::ProbePort;
  if (!options_.now) options_.now = absl::Now;
  if (!options_.ephemeral) options_.ephemeral = EphemeralOnce;
  if (options_.warnings == nullptr) options_.warnings = &std::cerr;
}

std::string Registry::LeasePath(uint16_t port) const {
  return platform::JoinPath(platform::JoinPath(options_.dir, "leases"),
                            absl::StrCat(port, ".lock"));
}

std::string Registry::MemoryPath() const {
  return platform::JoinPath(options_.dir, "registry");
}

namespace {

// The registry directories this process has made and checked already.
absl::Mutex ensured_mu(absl::kConstInit);
absl::flat_hash_set<std::string>* ensured ABSL_GUARDED_BY(ensured_mu) = nullptr;

}  // namespace

absl::Status Registry::EnsureDirectories(bool again) const {
  {
    absl::MutexLock lock(&ensured_mu);
    if (ensured == nullptr) ensured = new absl::flat_hash_set<std::string>;
    if (again) {
      ensured->erase(options_.dir);
    } else if (ensured->contains(options_.dir)) {
      return absl::OkStatus();
    }
  }
  if (absl::Status s = platform::EnsurePrivateDirectory(options_.dir);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = platform::EnsurePrivateDirectory(
          platform::JoinPath(options_.dir, "leases"));
      !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&ensured_mu);
  ensured->insert(options_.dir);
  return absl::OkStatus();
}

// --- The memory -------------------------------------------------------------

void Registry::MoveAside(const std::string& path, absl::string_view bytes,
                         absl::string_view why) {
  // WriteNewFile never replaces a file: the first free name wins, so no
  // backup overwrites another, even within one second.
  static std::atomic<int> counter{0};
  const std::string stamp =
      absl::FormatTime("%Y%m%dT%H%M%SZ", options_.now(), absl::UTCTimeZone());
  auto self = options_.inspector->Self();
  const int64_t pid = self.ok() ? self->pid : 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string aside = absl::StrCat(path, ".corrupt-", stamp, "-", pid,
                                           "-", counter.fetch_add(1));
    absl::Status s = platform::WriteNewFile(aside, bytes);
    if (absl::IsAlreadyExists(s)) continue;
    if (s.ok()) {
      *options_.warnings << "berth: warning: " << path << " did not decode ("
                         << why << "); kept a copy in " << aside
                         << " and went on without it\n";
    } else {
      *options_.warnings << "berth: warning: " << path << " did not decode ("
                         << why << ") and could not be copied aside ("
                         << s.message() << "); went on without it\n";
    }
    return;
  }
}

namespace {

// The memory as this process last read it, per file: an allocation that
// finds the file unchanged (one stat) does not read and parse it again.
// Shared, never changed once cached: an allocation reads the memory of a
// thousand apps without copying it.
struct CachedMemory {
  platform::FileSignature signature;
  std::shared_ptr<const Memory> memory;
};
absl::Mutex memory_cache_mu(absl::kConstInit);
absl::flat_hash_map<std::string, CachedMemory>* memory_cache
    ABSL_GUARDED_BY(memory_cache_mu) = nullptr;

void CacheMemory(const std::string& path,
                 const platform::FileSignature& signature,
                 std::shared_ptr<const Memory> memory) {
  absl::MutexLock lock(&memory_cache_mu);
  if (memory_cache == nullptr) {
    memory_cache = new absl::flat_hash_map<std::string, CachedMemory>;
  }
  (*memory_cache)[path] = CachedMemory{signature, std::move(memory)};
}

std::shared_ptr<const Memory> EmptyMemory() {
  return std::make_shared<const Memory>();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Memory>> Registry::ReadMemory() {
  const std::string path = MemoryPath();
  absl::StatusOr<platform::FileSignature> signature =
      platform::SignatureOf(path);
  if (absl::IsNotFound(signature.status())) return EmptyMemory();
  if (signature.ok()) {
    absl::MutexLock lock(&memory_cache_mu);
    if (memory_cache != nullptr) {
      auto it = memory_cache->find(path);
      if (it != memory_cache->end() && it->second.signature == *signature) {
        return it->second.memory;
      }
    }
  }
  for (int round = 0;; ++round) {
    absl::StatusOr<std::string> bytes =
        platform::ReadFileToString(path, kMaxMemoryBytes);
    if (absl::IsNotFound(bytes.status())) return EmptyMemory();
    std::string text;
    absl::Status bad;
    if (bytes.ok()) {
      text = *std::move(bytes);
      if (FormatVersionOf(text) == 1 && round == 0) {
        if (absl::Status s = ConvertFormat1(text); !s.ok()) return s;
        continue;  // read the converted file
      }
      absl::StatusOr<Memory> memory = DecodeMemory(text);
      if (memory.ok()) {
        auto shared = std::make_shared<const Memory>(*std::move(memory));
        // Kept under the signature taken before the read: should the file
        // have changed in between, the next call reads it again.
        if (signature.ok() && round == 0) CacheMemory(path, *signature, shared);
        return shared;
      }
      bad = memory.status();
    } else if (absl::IsFailedPrecondition(bytes.status())) {
      bad = bytes.status();  // larger than anything berth writes
    } else {
      return bytes.status();
    }
    // Under the lock, so that of several callers only one moves it aside
    // and tells the user.
    auto lock = platform::FileLock::Lock(
        platform::JoinPath(options_.dir, "registry.lock"),
        options_.lock_timeout, platform::FileLock::Kind::kThisProcess);
    if (!lock.ok()) return EmptyMemory();  // someone else is mending it
    absl::StatusOr<std::string> again =
        platform::ReadFileToString(path, kMaxMemoryBytes);
    if (again.ok() && *again != text) continue;  // replaced meanwhile
    if (again.ok() || absl::IsFailedPrecondition(again.status())) {
      MoveAside(path, text, bad.message());
      if (absl::Status s = platform::ReplaceFileAtomically(
              path, EncodeMemory(Memory{}), platform::Durability::kFast);
          !s.ok()) {
        return s;
      }
    }
    return EmptyMemory();
  }
}

absl::Status Registry::ConvertFormat1(const std::string& bytes) {
  auto lock = platform::FileLock::Lock(
      platform::JoinPath(options_.dir, "registry.lock"), options_.lock_timeout,
      platform::FileLock::Kind::kThisProcess);
  if (!lock.ok()) return lock.status();
  // Another caller may have converted it while this one waited.
  absl::StatusOr<std::string> now =
      platform::ReadFileToString(MemoryPath(), kMaxMemoryBytes);
  if (!now.ok() || *now != bytes) return absl::OkStatus();
  absl::StatusOr<v1::RegistryData> old = v1::Decode(bytes);
  Memory memory;
  if (!old.ok()) {
    MoveAside(MemoryPath(), bytes, old.status().message());
  } else {
    auto remember = [&](const std::string& app, uint16_t port) {
      for (Remembered& r : memory.apps) {
        if (r.scope.empty() && r.app == app) {
          if (!Contains(r.ports, port)) r.ports.push_back(port);
          return;
        }
      }
      memory.apps.push_back({"", app, {port}});
    };
    for (const v1::Record& e : old->entries) {
      remember(e.app, e.port);
      // Each entry becomes its port's lease record, unless the port's lock
      // is held (a format 1 lease holder still running: its lock protects
      // the port) or a record is there already.
      auto lease = platform::FileLock::TryLock(LeasePath(e.port), true);
      if (!lease.ok()) continue;
      auto current = lease->ReadContents(kMaxLeaseRecordBytes);
      if (!current.ok() || !current->empty()) continue;
      LeaseRecord r;
      r.port = e.port;
      r.app = e.app;
      r.pid = e.pid;
      // Format 1 wrote 0 for a start token it could not read.
      if (e.start != 0) r.start = e.start;
      r.boot_id = old->boot_id;
      r.since = e.since;
      r.hold = e.lease ? Hold::kLockOrPid : Hold::kPid;
      r.extra = e.extra;
      if (absl::Status s = lease->WriteContents(EncodeLease(r)); !s.ok()) {
        return s;
      }
    }
    for (const v1::LastPort& last : old->last) remember(last.app, last.port);
  }
  return platform::ReplaceFileAtomically(MemoryPath(), EncodeMemory(memory),
                                         platform::Durability::kFast);
}

void Registry::Remember(
    const std::string& scope, const std::vector<Claim>& claims,
    const std::vector<std::pair<std::string, uint16_t>>& lost,
    const Memory& before) {
  // Change applies this allocation to `memory`; true when it changed.
  auto change = [&](Memory& memory) {
    bool changed = false;
    for (const Claim& claim : claims) {
      if (claim.existing) continue;
      const std::string& app = claim.entry.record.app;
      const uint16_t port = claim.entry.record.port;
      auto it = std::find_if(memory.apps.begin(), memory.apps.end(),
                             [&](const Remembered& r) {
                               return r.scope == scope && r.app == app;
                             });
      if (it == memory.apps.end()) {
        memory.apps.push_back({scope, app, {port}});
        changed = true;
        continue;
      }
      if (Contains(it->ports, port)) continue;
      // Forget the ports others have taken since; keep the rest.
      for (const auto& [lost_app, lost_port] : lost) {
        if (lost_app != app) continue;
        auto gone = std::find(it->ports.begin(), it->ports.end(), lost_port);
        if (gone != it->ports.end()) it->ports.erase(gone);
      }
      if (it->ports.size() >= kRememberedPorts) continue;
      it->ports.insert(it->ports.begin(), port);
      // Most recently changed last: the oldest go first when over budget.
      std::rotate(it, it + 1, memory.apps.end());
      changed = true;
    }
    return changed;
  };
  // The usual case, an app taking a port it is known by, looks without
  // copying anything: only a claim the memory lacks goes on to the lock.
  const bool may_change =
      std::any_of(claims.begin(), claims.end(), [&](const Claim& claim) {
        if (claim.existing) return false;
        const std::string& app = claim.entry.record.app;
        for (const Remembered& r : before.apps) {
          if (r.app != app || r.scope != scope) continue;
          if (Contains(r.ports, claim.entry.record.port)) return false;
          // As `change` decides: room once the ports others took are gone.
          size_t kept = r.ports.size();
          for (const auto& [lost_app, lost_port] : lost) {
            if (lost_app == app && Contains(r.ports, lost_port)) --kept;
          }
          return kept < kRememberedPorts;
        }
        return true;
      });
  if (!may_change) return;

  auto lock = platform::FileLock::Lock(
      platform::JoinPath(options_.dir, "registry.lock"), options_.lock_timeout,
      platform::FileLock::Kind::kThisProcess);
  if (!lock.ok()) return;  // stickiness is not worth failing for
  absl::StatusOr<std::shared_ptr<const Memory>> read = ReadMemory();
  if (!read.ok()) return;
  auto fresh = std::make_shared<Memory>(**read);
  if (!change(*fresh)) return;
  std::string text = EncodeMemory(*fresh);
  while (static_cast<int64_t>(text.size()) > kMemoryBudgetBytes &&
         !fresh->apps.empty()) {
    fresh->apps.erase(fresh->apps.begin());
    text = EncodeMemory(*fresh);
  }
  // Temp files of writers killed between creating and renaming theirs:
  // nothing else would ever remove them. The lock is held, so no live
  // berth is writing one; the PID check spares a writer alive all the same.
  std::error_code ec;
  for (std::filesystem::directory_iterator it(options_.dir, ec), end;
       !ec && it != end; it.increment(ec)) {
    const int64_t pid =
        platform::TempFileWriter(it->path().filename().string(), "registry");
    if (pid == 0) continue;
    auto status = options_.inspector->Inspect(pid);
    if (status.ok() && status->liveness == platform::Liveness::kDead) {
      std::error_code ignored;
      std::filesystem::remove(it->path(), ignored);
    }
  }
  const std::string path = MemoryPath();
  if (!platform::ReplaceFileAtomically(path, text, platform::Durability::kFast)
           .ok()) {
    return;
  }
  // Every writer holds the lock: what is there now is what was written.
  absl::StatusOr<platform::FileSignature> signature =
      platform::SignatureOf(path);
  if (signature.ok()) CacheMemory(path, *signature, std::move(fresh));
}

// --- Allocation -------------------------------------------------------------

namespace {

// TakePastReaders is TryLock for a lease whose lock was just found taken:
// when only readers have it (berth list, who, stop... looking at the record
// for a few microseconds), it waits them out, up to a few milliseconds,
// instead of passing over a port that nobody holds. Unavailable when a
// holder has it, or the readers do not let go in time.
absl::StatusOr<platform::FileLock> TakePastReaders(const std::string& path) {
  absl::Duration pause = absl::Microseconds(20);
  absl::Duration waited;
  for (;;) {
    absl::StatusOr<platform::FileLock> reader =
        platform::FileLock::TryLockForReading(path);
    if (!reader.ok()) {
      // Unavailable: an exclusive holder; anything else says the same.
      return absl::UnavailableError(
          absl::StrCat("the lock on ", path, " is held"));
    }
    reader->Unlock();
    absl::StatusOr<platform::FileLock> lock =
        platform::FileLock::TryLock(path, /*create=*/true);
    if (!absl::IsUnavailable(lock.status())) return lock;
    if (waited >= absl::Milliseconds(5)) return lock;
    absl::SleepFor(pause);
    waited += pause;
    pause = std::min(pause * 2, absl::Milliseconds(1));
  }
}

}  // namespace

// Examined is what looking at one candidate port found.
struct Registry::Examined {
  enum Outcome { kTaken, kExisting, kFree } outcome = kTaken;
  allocator::Obstacle obstacle = allocator::Obstacle::kHeld;
  std::string who;         // the holder, for reasons
  std::string freed_from;  // the stale holder the port was taken from
  std::optional<LeaseRecord> previous;  // the record found there
  Entry entry;                          // kExisting, kFree: what is on file now
  platform::FileLock lock;              // kExisting, kFree
};

// Allocation is one call of Allocate: the request, the facts it has gathered
// (each owner inspected once), and the ports it holds so far.
class Registry::Allocation {
 public:
  Allocation(Registry& registry, const AllocateRequest& request)
      : registry_(registry), request_(request) {
    const platform::ProcessInspector& os = *registry.options_.inspector;
    if (auto boot = os.BootId(); boot.ok()) boot_id_ = *boot;
    if (auto ns = os.SelfPidNamespace(); ns.ok()) judge_namespace_ = *ns;
  }

  // Examine looks at `port` for `app` (see the file comment of
  // registry.h). Errors are failures that end the allocation.
  absl::StatusOr<Examined> Examine(uint16_t port, const std::string& app,
                                   bool named) {
    Examined out;
    const std::string path = registry_.LeasePath(port);
    auto lock = platform::FileLock::TryLock(path, /*create=*/true);
    if (absl::IsNotFound(lock.status())) {
      // The directory went away since this process last made it.
      if (absl::Status s = registry_.EnsureDirectories(/*again=*/true);
          !s.ok()) {
        return s;
      }
      lock = platform::FileLock::TryLock(path, /*create=*/true);
    }
    if (absl::IsUnavailable(lock.status())) {
      lock = TakePastReaders(path);
    }
    if (absl::IsUnavailable(lock.status())) {
      // Held: taken, whoever is on file. Who it is matters only for the
      // reason of a named candidate, so only then is the record read.
      if (named) {
        Decoded d = DecodeBytes(
            platform::ReadFileToString(path, kMaxLeaseRecordBytes), port);
        if (d.record) {
          out.who = HolderText(*d.record);
          out.previous = std::move(d.record);
        }
      }
      return out;
    }
    if (!lock.ok()) return lock.status();
    Decoded d = DecodeBytes(lock->ReadContents(kMaxLeaseRecordBytes), port);
    Facts facts;
    facts.record = d.record ? &*d.record : nullptr;
    facts.record_undecodable = d.undecodable;
    facts.boot_id = boot_id_;
    facts.judge_namespace = judge_namespace_;
    InspectOwner(*registry_.options_.inspector, facts);
    const Verdict verdict = Judge(facts);
    if (d.record) out.who = HolderText(*d.record);

    if (d.record && verdict.state != EntryState::kStale &&
        request_.reuse_existing && d.record->app == app &&
        d.record->scope == request_.scope &&
        SameOwner(*d.record, request_.holder.identity,
                  request_.holder.pid_namespace)) {
      out.outcome = Examined::kExisting;
      out.entry = Entry{*d.record, verdict.state, verdict.why};
      out.lock = *std::move(lock);
      return out;
    }
    out.previous = d.record;
    if (verdict.state != EntryState::kStale) {
      out.obstacle = ObstacleOf(verdict.state);
      return out;  // `lock` lets go on the way out
    }
    if (d.undecodable) {
      if (auto bytes = lock->ReadContents(kMaxLeaseRecordBytes); bytes.ok()) {
        registry_.MoveAside(path, *bytes, "a lease record");
      }
    }
    absl::StatusOr<platform::PortProbe> probe = registry_.options_.probe(port);
    if (!probe.ok()) return probe.status();
    if (!probe->free()) {
      const bool busy = probe->ipv4 == platform::FamilyState::kBusy ||
                        probe->ipv6 == platform::FamilyState::kBusy;
      out.obstacle =
          busy ? allocator::Obstacle::kBusy : allocator::Obstacle::kReserved;
      out.who = busy ? "" : platform::ExcludedPortReason();
      return out;
    }

    LeaseRecord r;
    r.port = port;
    r.app = app;
    r.scope = request_.scope;
    r.pid = request_.holder.identity.pid;
    if (request_.holder.start_known) {
      r.start = request_.holder.identity.start_token;
    }
    r.unique_id = request_.holder.identity.unique_id;
    // A namespace that could not be read is recorded as 0, never left out:
    // a record without one would be judged by PID everywhere (format 1).
    r.pid_namespace = request_.holder.pid_namespace.value_or(0);
    r.boot_id = boot_id_;
    r.since = absl::ToUnixSeconds(registry_.options_.now());
    r.hold = request_.holder.hold;
    if (r.hold == Hold::kLock) {
      // Held past close where the OS can; elsewhere the PID must vouch for
      // a free lock too.
      absl::StatusOr<bool> pinned = lock->HoldPastClose();
      if (!pinned.ok()) return pinned.status();
      if (!*pinned) r.hold = Hold::kLockOrPid;
    }
    if (absl::Status s = lock->WriteContents(EncodeLease(r)); !s.ok()) {
      return s;
    }
    out.outcome = Examined::kFree;
    if (d.record) out.freed_from = HolderText(*d.record);
    out.entry = Entry{std::move(r), EntryState::kLive, ""};
    out.lock = *std::move(lock);
    return out;
  }

 private:
  Registry& registry_;
  const AllocateRequest& request_;
  std::string boot_id_;
  std::optional<uint64_t> judge_namespace_;
};

absl::StatusOr<std::vector<Claim>> Registry::Allocate(
    const AllocateRequest& request) {
  if (request.apps.empty()) {
    return absl::InvalidArgumentError("no app to allocate a port for");
  }
  for (size_t i = 0; i < request.apps.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (request.apps[i] == request.apps[j]) {
        return absl::InvalidArgumentError(
            absl::StrCat("app \"", request.apps[i], "\" is named twice"));
      }
    }
  }
  if (absl::Status s = EnsureDirectories(); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const Memory>> memory = ReadMemory();
  if (!memory.ok()) return memory.status();
  const std::optional<allocator::PortRange> ephemeral = options_.ephemeral();

  Allocation allocation(*this, request);
  std::vector<Claim> claims;
  std::vector<allocator::Walk> walks;
  std::vector<std::pair<std::string, uint16_t>> lost;
  // On failure every port taken so far is given back, so nothing is held.
  auto give_back = [&] {
    for (Claim& claim : claims) {
      if (!claim.existing) VacateLease(claim.lock).IgnoreError();
    }
    claims.clear();
  };
  std::optional<allocator::Candidate> wanted_busy;
  // What each claim's walk chose, and from whose stale entry, for reasons.
  std::vector<std::pair<allocator::Candidate, std::string>> chosen;

  for (size_t i = 0; i < request.apps.size(); ++i) {
    const std::string& app = request.apps[i];
    allocator::Plan plan;
    plan.app = app;
    if (i == 0) plan.wanted = request.wanted;
    for (const Remembered& r : (*memory)->apps) {
      if (r.app == app && r.scope == request.scope) plan.remembered = r.ports;
    }
    if (request.reuse_existing && plan.remembered.size() > 1) {
      // The requester's own reservation of the app goes first: asking again
      // gives the port it has, even when another holder of the app took a
      // port since, which the memory now names first. Read without locks,
      // only to order; the walk judges it like any other.
      auto mine = std::find_if(
          plan.remembered.begin() + 1, plan.remembered.end(),
          [&](uint16_t port) {
            Decoded d = DecodeBytes(platform::ReadFileToString(
                                        LeasePath(port), kMaxLeaseRecordBytes),
                                    port);
            return d.record && d.record->app == app &&
                   d.record->scope == request.scope &&
                   SameOwner(*d.record, request.holder.identity,
                             request.holder.pid_namespace);
          });
      if (mine != plan.remembered.end()) {
        std::rotate(plan.remembered.begin(), mine, mine + 1);
      }
    }
    plan.range = request.range;
    plan.ephemeral = ephemeral;
    for (const Claim& claim : claims) {
      plan.exclude.push_back(claim.entry.record.port);
    }
    if (absl::Status s = allocator::Validate(plan); !s.ok()) {
      give_back();
      return s;
    }
    allocator::Walk& walk = walks.emplace_back(std::move(plan));
    bool done = false;
    while (std::optional<allocator::Candidate> c = walk.Next()) {
      const bool named = c->source != allocator::Source::kScan;
      absl::StatusOr<Examined> e = allocation.Examine(c->port, app, named);
      if (!e.ok()) {
        give_back();
        return e.status();
      }
      if (e->outcome == Examined::kTaken) {
        if (c->source == allocator::Source::kRemembered && e->previous &&
            (e->previous->app != app || e->previous->scope != request.scope)) {
          lost.emplace_back(app, c->port);
        }
        if (i == 0 && c->source == allocator::Source::kWanted &&
            e->obstacle == allocator::Obstacle::kBusy) {
          wanted_busy = *c;
        }
        walk.Pass(*c, e->obstacle, e->who);
        continue;
      }
      Claim claim;
      claim.existing = e->outcome == Examined::kExisting;
      chosen.push_back({*c, e->freed_from});
      claim.entry = std::move(e->entry);
      claim.lock = std::move(e->lock);
      claims.push_back(std::move(claim));
      done = true;
      break;
    }
    if (!done) {
      give_back();
      if (i == 0 && wanted_busy && options_.describe_listener) {
        walk.Describe(wanted_busy->port,
                      options_.describe_listener(wanted_busy->port));
      }
      return walk.Exhausted();
    }
  }

  // A reservation keeps no lock: its record stands alone from here on.
  if (request.holder.hold == Hold::kPid) {
    for (Claim& claim : claims) claim.lock.Unlock();
  } else {
    for (Claim& claim : claims) {
      if (claim.existing) claim.lock.Unlock();
    }
  }
  Remember(request.scope, claims, lost, **memory);
  // Who listens on a wanted port that was busy: only now that no lock of
  // this allocation is in the way of others, and only for people to read.
  if (wanted_busy && options_.describe_listener) {
    walks[0].Describe(wanted_busy->port,
                      options_.describe_listener(wanted_busy->port));
  }
  for (size_t i = 0; i < claims.size(); ++i) {
    const auto& [candidate, freed_from] = chosen[i];
    claims[i].reason =
        claims[i].existing
            ? walks[i].Kept(candidate.port, claims[i].entry.record.pid)
            : walks[i].Took(candidate, freed_from);
  }
  return claims;
}

// --- Reading, releasing, pruning ---------------------------------------------

absl::Status Registry::Visit(
    bool mend,
    const std::function<absl::Status(uint16_t port, platform::FileLock& lock,
                                     const Facts& facts)>& visit) {
  const std::string leases = platform::JoinPath(options_.dir, "leases");
  std::error_code ec;
  if (!std::filesystem::exists(
          std::filesystem::symlink_status(options_.dir, ec))) {
    return absl::OkStatus();  // never written: nothing on file
  }
  // A read trusts the directory no more than a write does.
  if (absl::Status s = platform::EnsurePrivateDirectory(options_.dir);
      !s.ok()) {
    return s;
  }
  std::vector<uint16_t> ports;
  for (std::filesystem::directory_iterator it(leases, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (uint16_t port = LeasePort(it->path().filename().string())) {
      ports.push_back(port);
    }
  }
  std::sort(ports.begin(), ports.end());
  std::string boot_id;
  if (auto boot = options_.inspector->BootId(); boot.ok()) boot_id = *boot;
  std::optional<uint64_t> judge_namespace;
  if (auto ns = options_.inspector->SelfPidNamespace(); ns.ok()) {
    judge_namespace = *ns;
  }
  for (uint16_t port : ports) {
    const std::string path = LeasePath(port);
    // A look takes the shared reader lock: an allocation that meets it
    // waits the moment out rather than pass the port over (Examine).
    auto lock = mend ? platform::FileLock::TryLock(path)
                     : platform::FileLock::TryLockForReading(path);
    if (absl::IsNotFound(lock.status())) continue;
    Facts facts;
    Decoded d;
    platform::FileLock held;
    if (lock.ok()) {
      held = *std::move(lock);
      d = DecodeBytes(held.ReadContents(kMaxLeaseRecordBytes), port);
    } else if (absl::IsUnavailable(lock.status())) {
      facts.lock_held = true;
      // Read without the lock: a holder writing its record this instant
      // may be seen half way, so an undecodable record is read once more.
      for (int attempt = 0; attempt < 3; ++attempt) {
        d = DecodeBytes(platform::ReadFileToString(path, kMaxLeaseRecordBytes),
                        port);
        if (!d.undecodable) break;
      }
    } else {
      return lock.status();
    }
    if (!d.record && !d.undecodable && !facts.lock_held) continue;  // free
    facts.record = d.record ? &*d.record : nullptr;
    facts.record_undecodable = d.undecodable;
    facts.boot_id = boot_id;
    facts.judge_namespace = judge_namespace;
    InspectOwner(*options_.inspector, facts);
    if (absl::Status s = visit(port, held, facts); !s.ok()) return s;
  }
  return absl::OkStatus();
}

namespace {

Entry ToEntry(uint16_t port, const Facts& facts) {
  Entry e;
  if (facts.record != nullptr) {
    e.record = *facts.record;
  } else {
    e.record.port = port;
  }
  const Verdict v = Judge(facts);
  e.state = v.state;
  e.why = v.why;
  return e;
}

}  // namespace

absl::StatusOr<std::vector<Entry>> Registry::List() {
  std::vector<Entry> entries;
  absl::Status s = Visit(/*mend=*/false, [&](uint16_t port, platform::FileLock&,
                                             const Facts& facts) {
    entries.push_back(ToEntry(port, facts));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return entries;
}

absl::StatusOr<Released> Registry::Release(const ReleaseFilter& filter) {
  Released out;
  absl::Status s = Visit(
      /*mend=*/true,
      [&](uint16_t port, platform::FileLock& lock, const Facts& facts) {
        if (filter.port && *filter.port != port) return absl::OkStatus();
        if (filter.app) {
          if (facts.record == nullptr || facts.record->app != *filter.app) {
            return absl::OkStatus();
          }
          if (filter.scope && facts.record->scope != *filter.scope) {
            return absl::OkStatus();
          }
        }
        Entry e = ToEntry(port, facts);
        if (facts.lock_held) {
          out.held.push_back(std::move(e));
          return absl::OkStatus();
        }
        if (absl::Status w = lock.WriteContents(""); !w.ok()) return w;
        out.dropped.push_back(std::move(e));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<int> Registry::Prune() {
  int pruned = 0;
  absl::Status s = Visit(/*mend=*/true, [&](uint16_t, platform::FileLock& lock,
                                            const Facts& facts) {
    if (facts.lock_held || Judge(facts).state != EntryState::kStale) {
      return absl::OkStatus();
    }
    if (absl::Status w = lock.WriteContents(""); !w.ok()) return w;
    ++pruned;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return pruned;
}

absl::Status VacateLease(platform::FileLock& lock) {
  if (!lock.held()) return absl::OkStatus();
  absl::Status status;
  if (lock.TakenHere()) status = lock.WriteContents("");
  // Let go even if the record could not be cleared: with its lock free, a
  // kLock record is stale for everyone.
  lock.Unlock();
  return status;
}

absl::Status RecordHold(platform::FileLock& lock, Hold hold) {
  absl::StatusOr<std::string> bytes = lock.ReadContents(kMaxLeaseRecordBytes);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<LeaseRecord> record = DecodeLease(*bytes);
  if (!record.ok()) return record.status();
  record->hold = hold;
  return lock.WriteContents(EncodeLease(*record));
}

}  // namespace berth::registry
