// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "bench/registry_fixture.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdio>
#include <utility>
#include <vector>

#include "api/admin.h"
#include "absl/strings/str_cat.h"
#include "platform/file.h"

namespace berth::bench {
namespace {

constexpr long kTmpfsMagic = 0x01021994;

int RemoveOne(const char* path, const struct stat*, int, struct FTW*) {
  return ::remove(path);
}

bool OnTmpfs(const std::string& path) {
  struct statfs fs;
  return statfs(path.c_str(), &fs) == 0 &&
         static_cast<long>(fs.f_type) == kTmpfsMagic;
}

}  // namespace

absl::StatusOr<ScratchDir> ScratchDir::Create(const std::string& parent) {
  std::string templ = platform::JoinPath(parent, "berth-bench-XXXXXX");
  std::vector<char> buffer(templ.begin(), templ.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mkdtemp ", templ));
  }
  return ScratchDir(std::string(buffer.data()));
}

ScratchDir::ScratchDir(ScratchDir&& other) noexcept
    : path_(std::exchange(other.path_, "")) {}

ScratchDir& ScratchDir::operator=(ScratchDir&& other) noexcept {
  if (this != &other) {
    ScratchDir old(std::move(*this));
    path_ = std::exchange(other.path_, "");
  }
  return *this;
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  // Depth first, not following symlinks: children before their directory.
  nftw(path_.c_str(), RemoveOne, 16, FTW_DEPTH | FTW_PHYS);
}

std::string FileSystemName(const std::string& path) {
  struct statfs fs;
  if (statfs(path.c_str(), &fs) != 0) return "?";
  switch (static_cast<long>(fs.f_type)) {
    case kTmpfsMagic:
      return "tmpfs";
    case 0xEF53:
      return "ext4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794c7630:
      return "overlay";
    default:
      return absl::StrCat("0x", absl::Hex(fs.f_type));
  }
}

absl::StatusOr<std::string> TmpfsDirectory() {
  if (const char* runtime = getenv("XDG_RUNTIME_DIR");
      runtime != nullptr && runtime[0] == '/' && OnTmpfs(runtime)) {
    return std::string(runtime);
  }
  if (OnTmpfs("/dev/shm")) return std::string("/dev/shm");
  return absl::NotFoundError(
      "no tmpfs directory: neither $XDG_RUNTIME_DIR nor /dev/shm is on tmpfs");
}

absl::Status FillRegistry(const std::string& dir, int count, PortRange range) {
  Options options;
  options.registry_dir = dir;
  options.range = range;
  auto entries = List(options);
  if (!entries.ok()) return entries.status();
  for (int i = static_cast<int>(entries->size()); i < count; ++i) {
    auto reserved = Reserve(absl::StrCat("fill-", i), getpid(), options);
    if (!reserved.ok()) return reserved.status();
  }
  return absl::OkStatus();
}

}  // namespace berth::bench
