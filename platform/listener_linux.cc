// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/listener.h on Linux, from procfs.
//
// The LISTEN rows of /proc/net/tcp and /proc/net/tcp6 give each listening
// socket's inode; the holder is the process with an fd whose link reads
// "socket:[INODE]". Scanning every /proc/PID/fd is the costly part, so it is
// done only when something listens on the port, and stops once every inode
// has a holder. Processes whose fd directory cannot be read (another user's,
// or gone meanwhile) are skipped: their sockets are still listed, without a
// pid.

#include <dirent.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "platform/internal/posix.h"
#include "platform/internal/proc_net_tcp.h"
#include "platform/listener.h"

namespace berth::platform {
namespace {

// ScopedDir closes a directory stream when it goes out of scope.
class ScopedDir {
 public:
  explicit ScopedDir(DIR* dir) : dir_(dir) {}
  ScopedDir(const ScopedDir&) = delete;
  ScopedDir& operator=(const ScopedDir&) = delete;
  ~ScopedDir() {
    if (dir_ != nullptr) closedir(dir_);
  }
  DIR* get() const { return dir_; }

 private:
  DIR* dir_;
};

// ParsePid accepts a /proc entry name made of decimal digits only.
bool ParsePid(absl::string_view name, int64_t* pid) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(name, pid) && *pid > 0;
}

// SocketInode returns the inode of an fd link "socket:[INODE]", or 0.
uint64_t SocketInode(absl::string_view link) {
  uint64_t inode = 0;
  if (!absl::ConsumePrefix(&link, "socket:[") ||
      !absl::ConsumeSuffix(&link, "]") || link.empty() ||
      !absl::ascii_isdigit(static_cast<unsigned char>(link.front())) ||
      !absl::SimpleAtoi(link, &inode)) {
    return 0;
  }
  return inode;
}

// ProcessName returns /proc/PID/comm without its newline ("" if unreadable:
// the name is informational only).
std::string ProcessName(int64_t pid) {
  absl::StatusOr<std::string> comm =
      internal::ReadFile(absl::StrCat("/proc/", pid, "/comm"));
  if (!comm.ok()) return "";
  std::string name = std::move(*comm);
  if (!name.empty() && name.back() == '\n') name.pop_back();
  return name;
}

// Pending is a listener whose holder is still to be found.
struct Pending {
  uint64_t inode;
  Listener* listener;
};

// FindHolders sets the pid of each listener in `pending` from the fd links
// of every process it may read, and stops once all are found. A socket that
// several processes share goes to the first one /proc lists.
void FindHolders(std::vector<Pending> pending) {
  if (pending.empty()) return;
  ScopedDir proc(opendir("/proc"));
  if (proc.get() == nullptr) return;  // then no holder is visible
  while (!pending.empty()) {
    const dirent* entry = readdir(proc.get());
    if (entry == nullptr) break;
    int64_t pid = 0;
    if (!ParsePid(entry->d_name, &pid)) continue;

    const std::string fd_path = absl::StrCat("/proc/", pid, "/fd");
    const int fd = internal::OpenFile(fd_path.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) continue;  // another user's process, or gone
    ScopedDir fds(fdopendir(fd));
    if (fds.get() == nullptr) {
      close(fd);
      continue;
    }
    while (!pending.empty()) {
      const dirent* fd_entry = readdir(fds.get());
      if (fd_entry == nullptr) break;
      if (fd_entry->d_name[0] == '.') continue;
      // "socket:[" + 20 digits + "]" fits; a longer link is no socket.
      char link[64];
      const ssize_t n =
          readlinkat(dirfd(fds.get()), fd_entry->d_name, link, sizeof(link));
      if (n <= 0 || static_cast<size_t>(n) >= sizeof(link)) continue;
      const uint64_t inode =
          SocketInode(absl::string_view(link, static_cast<size_t>(n)));
      if (inode == 0) continue;
      for (size_t i = 0; i < pending.size();) {
        if (pending[i].inode == inode) {
          pending[i].listener->pid = pid;
          pending[i] = pending.back();
          pending.pop_back();
        } else {
          ++i;
        }
      }
    }
  }
}

// ReadTable returns the LISTEN rows of one /proc/net file. A missing tcp6
// file means a kernel without IPv6 (ipv6.disable=1): no rows.
absl::StatusOr<std::vector<internal::ProcNetTcpListener>> ReadTable(
    internal::ProcNetTcpFile file) {
  const std::string path = file == internal::ProcNetTcpFile::kTcp
                               ? "/proc/net/tcp"
                               : "/proc/net/tcp6";
  absl::StatusOr<std::string> text = internal::ReadFile(path);
  if (file == internal::ProcNetTcpFile::kTcp6 &&
      absl::IsNotFound(text.status())) {
    return std::vector<internal::ProcNetTcpListener>();
  }
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<internal::ProcNetTcpListener>> rows =
      internal::ParseProcNetTcpListeners(*text, file);
  if (!rows.ok()) {
    return absl::InternalError(
        absl::StrCat("read ", path, ": ", rows.status().message()));
  }
  return rows;
}

}  // namespace

absl::StatusOr<std::vector<Listener>> FindListeners(uint16_t port) {
  if (port == 0) return absl::InvalidArgumentError("port must not be 0");

  std::vector<Listener> listeners;
  std::vector<uint64_t> inodes;
  for (const auto& [file, family] :
       {std::pair(internal::ProcNetTcpFile::kTcp, AddressFamily::kIPv4),
        std::pair(internal::ProcNetTcpFile::kTcp6, AddressFamily::kIPv6)}) {
    absl::StatusOr<std::vector<internal::ProcNetTcpListener>> rows =
        ReadTable(file);
    if (!rows.ok()) return rows.status();
    for (internal::ProcNetTcpListener& row : *rows) {
      if (row.port != port) continue;
      Listener listener;
      listener.family = family;
      listener.address = std::move(row.address);
      listener.port = row.port;
      listeners.push_back(std::move(listener));
      inodes.push_back(row.inode);
    }
  }

  std::vector<Pending> pending;
  for (size_t i = 0; i < listeners.size(); ++i) {
    if (inodes[i] != 0) pending.push_back(Pending{inodes[i], &listeners[i]});
  }
  FindHolders(std::move(pending));
  for (Listener& listener : listeners) {
    if (listener.pid.has_value()) listener.name = ProcessName(*listener.pid);
  }
  return listeners;
}

}  // namespace berth::platform
