// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// bench/measure_process.cc: run one program and say what it cost.
//
//   measure_process PROGRAM [ARGS...]
//
// Prints "WALL_NS MAX_RSS_KIB WAIT_STATUS SELF_MAX_RSS_KIB" on the first
// line, then the program's stdout. WALL_NS runs from posix_spawn to wait4;
// MAX_RSS_KIB is the child's ru_maxrss; SELF_MAX_RSS_KIB is this
// program's own peak (VmHWM), the floor of MAX_RSS_KIB.
//
// Why a separate, tiny, static program: Linux charges a child's ru_maxrss
// with the peak RSS of the memory it ran in before exec (exec_mmap ->
// setmax_mm_hiwater_rss), which after posix_spawn (vfork) or fork is the
// parent's. Spawned from a 200 MiB Python, /bin/true "peaks" at 200 MiB.
// Spawned from this program, a child's figure is its own unless it stays
// below this program's own peak, printed so readers know the floor. (Our
// own ru_maxrss would not do: it carries our parent's peak the same way;
// VmHWM in /proc/self/status is the peak of our own memory alone.)
//
// Only libc here: no Abseil, no iostreams, to keep the floor low.

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

namespace {

long long NowNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

// Output collects the child's stdout in a fixed buffer: the programs
// measured print a port number.
char output[4096];
size_t output_size = 0;

// OwnPeakKib returns VmHWM from /proc/self/status, or -1.
long OwnPeakKib() {
  FILE* f = fopen("/proc/self/status", "re");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof(line), f) != nullptr) {
    if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  }
  fclose(f);
  return kib;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: measure_process PROGRAM [ARGS...]\n");
    return 2;
  }
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    perror("measure_process: pipe");
    return 1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);

  const long long start = NowNanos();
  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, argv[1], &actions, nullptr, argv + 1, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    fprintf(stderr, "measure_process: posix_spawn %s: %s\n", argv[1],
            strerror(rc));
    return 1;
  }
  for (;;) {
    char buffer[512];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const size_t room = sizeof(output) - output_size;
    const size_t take = static_cast<size_t>(n) < room ? n : room;
    memcpy(output + output_size, buffer, take);
    output_size += take;
  }
  close(out[0]);
  int status = 0;
  rusage usage;
  pid_t waited;
  do {
    waited = wait4(pid, &status, 0, &usage);
  } while (waited < 0 && errno == EINTR);
  const long long wall = NowNanos() - start;
  if (waited != pid) {
    perror("measure_process: wait4");
    return 1;
  }
  printf("%lld %ld %d %ld\n", wall, usage.ru_maxrss, status, OwnPeakKib());
  fwrite(output, 1, output_size, stdout);
  return 0;
}
