// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "api/internal/settings.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "platform/file.h"
#include "platform/listener.h"

namespace berth::internal {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxScopeBytes = 1024;

absl::Status Annotate(const absl::Status& status, absl::string_view what) {
  return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
}

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr || value[0] == '\0' ? nullptr : value;
}

bool IsAbsolute(absl::string_view path) {
  if (!path.empty() && (path[0] == '/' || path[0] == '\\')) return true;
  // Windows drive paths: C:\ or C:/
  return path.size() >= 3 && path[1] == ':' &&
         (path[2] == '\\' || path[2] == '/');
}

absl::StatusOr<std::string> RegistryDirectory(
    const std::optional<std::string>& setting) {
  std::string dir;
  const char* source = "--registry";
  if (setting.has_value()) {
    dir = *setting;
  } else if (const char* home = std::getenv("BERTH_HOME"); home != nullptr) {
    dir = home;
    source = "BERTH_HOME";
  } else {
    return platform::PerUserDirectory("berth");
  }
  if (!IsAbsolute(dir)) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, " must be an absolute path, not \"", absl::CHexEscape(dir),
        "\""));
  }
  return dir;
}

}  // namespace

std::string GitWorkTree(const std::string& dir) {
  std::error_code ec;
  for (fs::path p = fs::path(dir).lexically_normal(); !p.empty();
       p = p.parent_path()) {
    if (fs::exists(fs::symlink_status(p / ".git", ec))) return p.string();
    if (p == p.parent_path()) break;
  }
  return "";
}

absl::StatusOr<std::string> ScopeOf(const std::optional<std::string>& setting,
                                    const std::string& cwd) {
  std::string scope;
  const char* source = "--scope";
  if (setting.has_value()) {
    scope = *setting;
  } else if (const char* env = Env("BERTH_SCOPE")) {
    scope = env;
    source = "BERTH_SCOPE";
  } else {
    return cwd.empty() ? "" : GitWorkTree(cwd);
  }
  if (scope.empty() || scope == "none") return std::string();
  for (unsigned char c : scope) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, " holds a control character"));
    }
  }
  fs::path path(scope);
  if (!IsAbsolute(scope)) {
    if (cwd.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, " \"", scope,
                       "\" is relative and the current directory is unknown"));
    }
    path = fs::path(cwd) / path;
  }
  std::string normal = path.lexically_normal().string();
  while (normal.size() > 1 && (normal.back() == '/' || normal.back() == '\\')) {
    normal.pop_back();
  }
  if (normal.size() > kMaxScopeBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, " is ", normal.size(), " bytes long; at most ",
                     kMaxScopeBytes, " are allowed"));
  }
  return normal;
}

absl::StatusOr<Settings> Resolve(const Options& options) {
  Settings s;
  auto dir = RegistryDirectory(options.registry_dir);
  if (!dir.ok()) return dir.status();
  s.registry.dir = *dir;
  s.registry.describe_listener = DescribeListeners;

  if (options.lock_timeout) {
    if (*options.lock_timeout < absl::ZeroDuration()) {
      return absl::InvalidArgumentError("the lock timeout is negative");
    }
    s.registry.lock_timeout = *options.lock_timeout;
  } else if (const char* env = Env("BERTH_LOCK_TIMEOUT")) {
    double seconds = 0;
    if (!absl::SimpleAtod(env, &seconds) || !(seconds >= 0) ||
        seconds > 3600) {
      return absl::InvalidArgumentError(absl::StrCat(
          "BERTH_LOCK_TIMEOUT=\"", absl::CHexEscape(env),
          "\" is not a number of seconds from 0 to 3600"));
    }
    s.registry.lock_timeout = absl::Seconds(seconds);
  }

  if (options.range) {
    if (absl::Status st = allocator::ValidateRange(*options.range); !st.ok()) {
      return st;
    }
    s.range = *options.range;
  } else if (const char* env = Env("BERTH_RANGE")) {
    auto parsed = ParseRange(env);
    if (!parsed.ok()) return Annotate(parsed.status(), "BERTH_RANGE");
    s.range = *parsed;
  }
  if (options.port && *options.port == 0) {
    return absl::InvalidArgumentError("port 0 is not a port to ask for");
  }
  s.port = options.port;

  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  auto scope = ScopeOf(options.scope, ec ? std::string() : cwd.string());
  if (!scope.ok()) return scope.status();
  s.scope = *std::move(scope);
  return s;
}

std::string DescribeListeners(uint16_t port) {
  auto listeners = platform::FindListeners(port);
  if (!listeners.ok()) return "";
  std::vector<std::string> who;
  for (const platform::Listener& l : *listeners) {
    if (!l.pid) continue;
    std::string one = absl::StrCat(l.name.empty() ? "process" : l.name,
                                   " (pid ", *l.pid, ")");
    if (std::find(who.begin(), who.end(), one) == who.end()) {
      who.push_back(std::move(one));
    }
  }
  return absl::StrJoin(who, ", ");
}

}  // namespace berth::internal
