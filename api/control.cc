// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/control.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "api/internal/settings.h"
#include "platform/file.h"
#include "platform/listener.h"
#include "platform/process.h"
#include "platform/process_tree.h"
#include "platform/signal.h"
#include "registry/codec.h"
#include "registry/registry.h"

namespace berth {
namespace {

constexpr absl::Duration kFirstPause = absl::Milliseconds(5);
constexpr absl::Duration kLongestPause = absl::Milliseconds(200);
constexpr absl::Duration kAfterKill = absl::Seconds(5);

// AppText names an app for people: `"web"`, or `"web" of scope /src/shop`.
std::string AppText(absl::string_view app, absl::string_view scope) {
  if (scope.empty()) return absl::StrCat("app \"", app, "\"");
  return absl::StrCat("app \"", app, "\" of scope ", scope);
}

std::string Seconds(absl::Duration d) {
  return absl::StrFormat("%g s", absl::ToDoubleSeconds(d));
}

// Holder is the process that holds some entries, as far as PIDs go.
struct Holder {
  platform::ProcessIdentity identity;
  // Its PID means the same here (same PID namespace) and its start time is
  // on record: it can be told from a later process with its PID.
  bool checkable = false;
  std::string unchecked_why;  // why not, for people
};

Holder HolderOf(const registry::LeaseRecord& record,
                const std::optional<uint64_t>& self_namespace) {
  Holder h;
  h.identity = {record.pid, record.start.value_or(0), record.unique_id};
  if (!record.start.has_value() || record.pid <= 0) {
    h.unchecked_why = "whose start time is not on record";
  } else if (!record.pid_namespace.has_value() || !self_namespace.has_value()) {
    h.unchecked_why = "whose PID namespace is not known";
  } else if (*record.pid_namespace != *self_namespace) {
    h.unchecked_why =
        "which lives in another PID namespace (a container or a sandbox)";
  } else {
    h.checkable = true;
  }
  return h;
}

std::optional<uint64_t> SelfNamespace() {
  auto ns = platform::SystemProcessInspector().SelfPidNamespace();
  if (!ns.ok()) return std::nullopt;
  return *ns;
}

std::string ListenerText(const platform::Listener& l) {
  if (!l.pid) return "a process the OS does not name";
  return absl::StrCat(l.name.empty() ? "process" : l.name, " (pid ", *l.pid,
                      ")");
}

// Look is one look at the target: done, or why not yet.
struct Look {
  bool done = false;
  std::string why;
};

class Watcher {
 public:
  Watcher(const WaitTarget& target, const internal::Settings& settings,
          bool free)
      : target_(target), settings_(settings), free_(free) {}

  absl::StatusOr<Look> LookOnce() {
    std::optional<std::vector<registry::Entry>> held = Peek();
    if (!held) {
      auto entries = registry::Registry(settings_.registry).List();
      if (!entries.ok()) return entries.status();
      held.emplace();
      for (registry::Entry& e : *entries) {
        if (e.state != registry::EntryState::kStale && Ours(e.record)) {
          held->push_back(std::move(e));
        }
      }
    }
    if (target_.port != 0) seen_ports_.insert(target_.port);
    for (const registry::Entry& e : *held) seen_ports_.insert(e.record.port);
    return free_ ? LookFree(*held) : LookReady(*held);
  }

 private:
  bool Ours(const registry::LeaseRecord& r) const {
    return target_.port != 0
               ? r.port == target_.port
               : r.app == target_.app && r.scope == settings_.scope;
  }

  // Peek reads the target's lease records (leases/PORT.lock, README:
  // "Registry on disk") without taking their locks, and returns those whose
  // holder still runs, told by PID and start time; nullopt when one cannot
  // be told so (another PID namespace, no start time on record), and only
  // a listing can say. Why not list every time: listing locks each lease
  // file for a moment, and an allocation that meets a held lock takes
  // another port, so `berth run web & berth wait web` would cost web its
  // remembered port about every other time.
  std::optional<std::vector<registry::Entry>> Peek() const {
    namespace fs = std::filesystem;
    std::error_code ec;
    // A read trusts the directory no more than a write does: one that is a
    // symlink, another user's or open to others is left to the listing,
    // which refuses it.
    if (fs::exists(fs::symlink_status(settings_.registry.dir, ec)) &&
        !platform::EnsurePrivateDirectory(settings_.registry.dir).ok()) {
      return std::nullopt;
    }
    const fs::path leases = fs::path(settings_.registry.dir) / "leases";
    std::vector<std::string> files;
    if (target_.port != 0) {
      files.push_back((leases / absl::StrCat(target_.port, ".lock")).string());
    } else {
      for (fs::directory_iterator it(leases, ec), end; !ec && it != end;
           it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (absl::EndsWith(name, ".lock")) files.push_back(it->path().string());
      }
    }
    std::vector<registry::Entry> held;
    for (const std::string& file : files) {
      auto bytes =
          platform::ReadFileToString(file, registry::kMaxLeaseRecordBytes);
      if (!bytes.ok() || bytes->empty()) continue;  // gone, or nobody's
      auto record = registry::DecodeLease(*bytes);
      if (!record.ok() || !Ours(*record)) continue;
      const Holder h = HolderOf(*record, self_namespace_);
      if (!h.checkable) return std::nullopt;
      const absl::Status runs = platform::VerifyIdentity(h.identity);
      if (absl::IsNotFound(runs)) continue;  // ended, or its PID reused
      if (!runs.ok()) return std::nullopt;
      registry::Entry e;
      e.record = *std::move(record);
      e.state = registry::EntryState::kLive;
      held.push_back(std::move(e));
    }
    return held;
  }

  std::string What() const {
    return target_.port != 0 ? absl::StrCat("port ", target_.port)
                             : AppText(target_.app, settings_.scope);
  }

  absl::StatusOr<Look> LookReady(const std::vector<registry::Entry>& held) {
    if (held.empty() && target_.port == 0) {
      return Look{false, absl::StrCat(What(), " has no live holder")};
    }
    Look look;
    std::vector<std::pair<uint16_t, const registry::Entry*>> ports;
    if (held.empty()) {
      ports.push_back({target_.port, nullptr});
    } else {
      for (const registry::Entry& e : held)
        ports.push_back({e.record.port, &e});
    }
    for (const auto& [port, entry] : ports) {
      auto listeners = platform::FindListeners(port);
      if (!listeners.ok()) return listeners.status();
      if (listeners->empty()) {
        look.why =
            entry == nullptr
                ? absl::StrCat("nothing listens on port ", port)
                : absl::StrCat("nothing listens on port ", port, ", held by ",
                               registry::HolderText(entry->record));
        continue;
      }
      const std::optional<Holder> holder =
          entry == nullptr
              ? std::nullopt
              : std::optional<Holder>(HolderOf(entry->record, self_namespace_));
      for (const platform::Listener& l : *listeners) {
        if (!holder || !holder->checkable || !l.pid ||
            platform::IsDescendantOf(*l.pid, holder->identity)) {
          return Look{true, ""};
        }
        look.why = absl::StrCat(
            "port ", port, " is listened on by ", ListenerText(l),
            ", which is neither its holder ",
            registry::HolderText(entry->record), " nor started by it");
      }
    }
    return look;
  }

  absl::StatusOr<Look> LookFree(const std::vector<registry::Entry>& held) {
    if (!held.empty()) {
      const registry::Entry& e = held.front();
      return Look{false,
                  absl::StrCat(What(), " is still held: port ", e.record.port,
                               " by ", registry::HolderText(e.record))};
    }
    for (uint16_t port : seen_ports_) {
      auto listeners = platform::FindListeners(port);
      if (!listeners.ok()) return listeners.status();
      if (!listeners->empty()) {
        return Look{false, absl::StrCat("port ", port, " is listened on by ",
                                        ListenerText(listeners->front()))};
      }
    }
    return Look{true, ""};
  }

  const WaitTarget target_;
  const internal::Settings& settings_;
  const bool free_;
  const std::optional<uint64_t> self_namespace_ = SelfNamespace();
  std::set<uint16_t> seen_ports_;
};

}  // namespace

absl::Status Wait(const WaitTarget& target, const WaitOptions& options) {
  if (target.port == 0) {
    if (absl::Status s = ValidateAppName(target.app); !s.ok()) return s;
  } else if (!target.app.empty()) {
    return absl::InvalidArgumentError("wait for an app or a port, not both");
  }
  if (options.timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the timeout is negative");
  }
  auto settings = internal::Resolve(options.options);
  if (!settings.ok()) return settings.status();
  Watcher watcher(target, *settings, options.free);
  const absl::Time deadline = absl::Now() + options.timeout;
  absl::Duration pause = kFirstPause;
  for (;;) {
    auto look = watcher.LookOnce();
    if (!look.ok()) return look.status();
    if (look->done) return absl::OkStatus();
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "gave up after ", Seconds(options.timeout), ": ", look->why));
    }
    absl::SleepFor(std::min(pause, left));
    pause = std::min(pause * 2, kLongestPause);
  }
}

absl::StatusOr<std::vector<Stopped>> Stop(absl::string_view app,
                                          const StopOptions& options) {
  auto signal = platform::ParseSignal(options.signal);
  if (!signal.ok()) return signal.status();
  if (absl::Status s = ValidateAppName(app); !s.ok()) return s;
  if (options.timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the timeout is negative");
  }
  auto settings = internal::Resolve(options.options);
  if (!settings.ok()) return settings.status();
  auto entries = registry::Registry(settings->registry).List();
  if (!entries.ok()) return entries.status();

  // The holders, each once, with the ports they hold for the app.
  struct Target {
    Holder holder;
    Stopped stopped;
    std::optional<platform::ProcessHandle> handle;
  };
  std::vector<Target> targets;
  const std::optional<uint64_t> self_namespace = SelfNamespace();
  const std::string what = AppText(app, settings->scope);
  for (const registry::Entry& e : *entries) {
    if (e.state == registry::EntryState::kStale || e.record.app != app ||
        e.record.scope != settings->scope) {
      continue;
    }
    const Holder h = HolderOf(e.record, self_namespace);
    auto same = std::find_if(targets.begin(), targets.end(), [&](auto& t) {
      return t.holder.identity == h.identity;
    });
    if (same == targets.end()) {
      targets.push_back({h,
                         Stopped{std::string(app),
                                 e.record.pid,
                                 {},
                                 platform::SignalName(*signal),
                                 false},
                         std::nullopt});
      same = targets.end() - 1;
    }
    same->stopped.ports.push_back(e.record.port);
  }
  if (targets.empty()) {
    return absl::NotFoundError(absl::StrCat(what, " has no live holder"));
  }

  // Check every holder before signalling any.
  const int64_t self = platform::CurrentProcessId();
  for (Target& t : targets) {
    const int64_t pid = t.holder.identity.pid;
    if (!t.holder.checkable) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, " is held by pid ", pid, ", ", t.holder.unchecked_why,
          ", so berth cannot tell it from another process with that PID; "
          "stop it where it was started"));
    }
    if (platform::IsDescendantOf(self, t.holder.identity)) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, " is held by pid ", pid,
          ", which is this berth or runs it (a shell that took the port with "
          "berth get?); give the port back with `berth release` instead"));
    }
    auto handle = platform::ProcessHandle::Open(t.holder.identity);
    if (absl::IsNotFound(handle.status())) continue;  // ended meanwhile
    if (!handle.ok()) {
      return absl::Status(
          handle.status().code(),
          absl::StrCat("cannot stop ", what, ": ", handle.status().message()));
    }
    t.handle = *std::move(handle);
  }
  targets.erase(std::remove_if(targets.begin(), targets.end(),
                               [](const Target& t) { return !t.handle; }),
                targets.end());
  if (targets.empty()) {
    return absl::NotFoundError(
        absl::StrCat(what, " has no live holder: it has just ended"));
  }

  for (Target& t : targets) {
    const absl::Status s = t.handle->Send(*signal);
    if (!s.ok() && !absl::IsNotFound(s)) {
      return absl::Status(
          s.code(), absl::StrCat("cannot stop ", what, ": ", s.message()));
    }
  }
  const absl::Time deadline = absl::Now() + options.timeout;
  std::vector<Stopped> stopped;
  for (Target& t : targets) {
    auto ended = t.handle->WaitForExit(
        std::max(deadline - absl::Now(), absl::ZeroDuration()));
    if (!ended.ok()) return ended.status();
    if (!*ended && options.kill_after && *signal != platform::Signal::kKill) {
      const absl::Status s = t.handle->Send(platform::Signal::kKill);
      if (!s.ok() && !absl::IsNotFound(s)) return s;
      t.stopped.killed = true;
      t.stopped.signal = "KILL";
      ended = t.handle->WaitForExit(kAfterKill);
      if (!ended.ok()) return ended.status();
    }
    if (!*ended) {
      return absl::DeadlineExceededError(absl::StrCat(
          what, ": pid ", t.stopped.pid, " still runs ",
          Seconds(t.stopped.killed ? kAfterKill : options.timeout), " after ",
          t.stopped.killed ? "KILL" : platform::SignalName(*signal),
          t.stopped.killed ? "" : "; add --kill-after to end it with KILL"));
    }
    stopped.push_back(std::move(t.stopped));
  }
  return stopped;
}

absl::StatusOr<std::string> DnsLabel(absl::string_view app) {
  std::string label;
  bool dash = false;
  for (char c : app) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      return absl::InvalidArgumentError(absl::StrCat(
          "app \"", app,
          "\" cannot be made a DNS label for a URL: it holds non-ASCII "
          "characters"));
    }
    if (absl::ascii_isalnum(u)) {
      if (dash && !label.empty()) label.push_back('-');
      dash = false;
      label.push_back(absl::ascii_tolower(u));
    } else {
      dash = true;
    }
  }
  if (label.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "app \"", app,
        "\" cannot be made a DNS label for a URL: it has no letters or "
        "digits"));
  }
  if (label.size() > 63) {
    return absl::InvalidArgumentError(absl::StrCat(
        "app \"", app, "\" cannot be made a DNS label for a URL: \"", label,
        "\" is ", label.size(), " bytes long; at most 63 are allowed"));
  }
  return label;
}

absl::StatusOr<std::string> AppUrl(absl::string_view app,
                                   const Options& options) {
  if (absl::Status s = ValidateAppName(app); !s.ok()) return s;
  auto label = DnsLabel(app);
  if (!label.ok()) return label.status();
  auto found = Find(app, options);
  if (!found.ok()) return found.status();
  if (found->empty()) {
    auto scope = ResolvedScope(options);
    return absl::NotFoundError(
        absl::StrCat(AppText(app, scope.ok() ? *scope : ""), " holds no port"));
  }
  return absl::StrCat("http://", *label, ".localhost:", found->front().port);
}

}  // namespace berth
