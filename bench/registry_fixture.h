// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/registry_fixture.h: registry directories for benchmarks: scratch
// directories on tmpfs or on disk, and registries holding N live entries.
//
// The entries are real reservations (berth::Reserve) held by the calling
// process: N lease files whose records name a live owner, as on a busy
// machine.

#ifndef BERTH_BENCH_REGISTRY_FIXTURE_H_
#define BERTH_BENCH_REGISTRY_FIXTURE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/lease.h"

namespace berth::bench {

// The port range the benchmarks fill and allocate from: wide enough for
// 1000 entries plus contenders, below Linux's ephemeral range.
inline constexpr PortRange kBenchRange = {20000, 21999};

// ScratchDir is a new private directory (mode 0700), removed with all its
// contents when destroyed. Move-only.
class ScratchDir {
 public:
  // Create makes `parent`/berth-bench-XXXXXX.
  static absl::StatusOr<ScratchDir> Create(const std::string& parent);

  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&& other) noexcept;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();

  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// FileSystemName returns the type of the file system holding `path`
// ("tmpfs", "ext4", ...; "0x..." for types it does not know).
std::string FileSystemName(const std::string& path);

// TmpfsDirectory returns a directory on tmpfs to make scratch directories
// in: $XDG_RUNTIME_DIR when it is on tmpfs, else /dev/shm. NotFound when
// neither is.
absl::StatusOr<std::string> TmpfsDirectory();

// FillRegistry reserves ports of `range` in the registry at `dir` for apps
// "fill-0", "fill-1", ... held by this process, until it holds `count`.
absl::Status FillRegistry(const std::string& dir, int count, PortRange range);

}  // namespace berth::bench

#endif  // BERTH_BENCH_REGISTRY_FIXTURE_H_
