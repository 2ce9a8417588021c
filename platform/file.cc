// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The OS-independent part of platform/file.h: JoinPath and the parts of
// FileLock that only move the handle around.

#include "platform/file.h"

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"

namespace berth::platform {
namespace {

#ifdef _WIN32
constexpr char kSeparator = '\\';
bool IsSeparator(char c) { return c == '\\' || c == '/'; }
#else
constexpr char kSeparator = '/';
bool IsSeparator(char c) { return c == '/'; }
#endif

}  // namespace

std::string JoinPath(absl::string_view a, absl::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  const bool a_ends = IsSeparator(a.back());
  const bool b_starts = IsSeparator(b.front());
  if (a_ends && b_starts) return absl::StrCat(a, b.substr(1));
  if (a_ends || b_starts) return absl::StrCat(a, b);
  return absl::StrCat(a, absl::string_view(&kSeparator, 1), b);
}

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)),
      handle_(std::exchange(other.handle_, -1)),
      kind_(other.kind_),
      owner_pid_(other.owner_pid_),
      mapping_(std::exchange(other.mapping_, nullptr)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Unlock();
    path_ = std::move(other.path_);
    handle_ = std::exchange(other.handle_, -1);
    kind_ = other.kind_;
    owner_pid_ = other.owner_pid_;
    mapping_ = std::exchange(other.mapping_, nullptr);
  }
  return *this;
}

FileLock::~FileLock() { Unlock(); }

bool FileLock::held() const { return handle_ != -1; }

int64_t TempFileWriter(absl::string_view name, absl::string_view target) {
  if (!absl::ConsumePrefix(&name, absl::StrCat(".", target, ".tmp-"))) {
    return 0;
  }
  const size_t dash = name.find('-');
  int64_t pid = 0;
  if (dash == absl::string_view::npos ||
      !absl::SimpleAtoi(name.substr(0, dash), &pid) || pid <= 0) {
    return 0;
  }
  return pid;
}

}  // namespace berth::platform
