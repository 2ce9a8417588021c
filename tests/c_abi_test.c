/* Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
 *
 * tests/c_abi_test.c: the C ABI (api/berth.h) from C99, linked against
 * libberth.so, so it checks the header as C, the exported symbols and the
 * behaviour together. Prints "N passed, N failed"; writes one JUnit test
 * case per check to $XML_OUTPUT_FILE when set.
 */

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1 /* glibc: flock */
#define _DARWIN_C_SOURCE 1 /* macOS: flock, LOCK_EX and mkdtemp */

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "api/berth.h"

/* Ports the test asks for: away from the default range and the ephemeral
 * one, its own registry, so nothing else on the machine gets in the way
 * but a listener (which berth would step around). */
#define LO 20100
#define HI 20199

#define MAX_CHECKS 128

static int passed;
static int failed;
static const char* check_names[MAX_CHECKS];
static int check_ok[MAX_CHECKS];
static int check_count;

static void check(const char* name, int ok, int line) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    fprintf(stderr, "FAIL (line %d): %s; berth_last_error: \"%s\"\n", line,
            name, berth_last_error());
  }
  if (check_count < MAX_CHECKS) {
    check_names[check_count] = name;
    check_ok[check_count] = ok;
    ++check_count;
  }
}

#define CHECK(name, cond) check((name), (cond) ? 1 : 0, __LINE__)

static int contains(const char* text, const char* part) {
  return text != NULL && strstr(text, part) != NULL;
}

static int in_range(unsigned port, unsigned lo, unsigned hi) {
  return port >= lo && port <= hi;
}

/* registry_has_entry: whether the registry in `dir` holds a record for
 * `port` (its lease file, leases/PORT.lock, is not empty). */
static int registry_has_entry(const char* dir, unsigned port) {
  char path[4096];
  char head[64];
  char want[64];
  FILE* f;
  size_t n;
  snprintf(path, sizeof path, "%s/leases/%u.lock", dir, port);
  snprintf(want, sizeof want, "berth-lease 2\nport %u\n", port);
  f = fopen(path, "r");
  if (f == NULL) return 0;
  n = fread(head, 1, sizeof head - 1, f);
  fclose(f);
  head[n] = '\0';
  return strncmp(head, want, strlen(want)) == 0;
}

static void write_xml(const char* path) {
  FILE* f = fopen(path, "w");
  int i;
  const char* c;
  if (f == NULL) return;
  fprintf(f,
          "<testsuites><testsuite name=\"c_abi_test\" tests=\"%d\" "
          "failures=\"%d\">\n",
          check_count, failed);
  for (i = 0; i < check_count; ++i) {
    fputs("<testcase name=\"", f);
    for (c = check_names[i]; *c != '\0'; ++c) {
      if (*c == '&') {
        fputs("&amp;", f);
      } else if (*c == '<') {
        fputs("&lt;", f);
      } else if (*c == '"') {
        fputs("&quot;", f);
      } else {
        fputc(*c, f);
      }
    }
    fputs(check_ok[i] ? "\"/>\n" : "\"><failure/></testcase>\n", f);
  }
  fputs("</testsuite></testsuites>\n", f);
  fclose(f);
}

/* fail_on_other_thread makes a call fail on its own thread and keeps a copy
 * of that thread's message in `arg`. */
static void* fail_on_other_thread(void* arg) {
  berth_lease* lease;
  berth_acquire(NULL, NULL, &lease, NULL);
  snprintf((char*)arg, 256, "%s", berth_last_error());
  return NULL;
}

int main(void) {
  const char* tmp = getenv("TEST_TMPDIR");
  char tmpdir[] = "/tmp/c_abi_test.XXXXXX";
  char reg[1024];
  char home_reg[1024];
  char lock_path[1100];
  berth_options opts = BERTH_OPTIONS_INIT;
  berth_options bad;
  berth_lease* a = NULL;
  berth_lease* b = NULL;
  berth_lease* c = NULL;
  berth_lease* d = NULL;
  berth_lease* out = NULL;
  uint16_t port_a = 0, port_b = 0, port_c = 0, port_d = 0, port = 0;
  intptr_t handle = 0;
  int rc;
  int lock_fd;

  if (tmp == NULL) tmp = mkdtemp(tmpdir);
  if (tmp == NULL) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(reg, sizeof reg, "%s/reg", tmp);
  snprintf(home_reg, sizeof home_reg, "%s/home-reg", tmp);
  opts.registry_dir = reg;
  opts.range_lo = LO;
  opts.range_hi = HI;

  /* --- acquire: a port in the range, and the lease agrees --- */
  rc = berth_acquire("c", &opts, &a, &port_a);
  CHECK("acquire returns BERTH_OK", rc == BERTH_OK);
  CHECK("acquire gives a lease", a != NULL);
  CHECK("acquire gives a port in the range", in_range(port_a, LO, HI));
  CHECK("berth_lease_port agrees with port_out", berth_lease_port(a) == port_a);
  CHECK("success leaves berth_last_error empty",
        strcmp(berth_last_error(), "") == 0);
  CHECK("the lease has a reason", strlen(berth_lease_reason(a)) > 0);
  CHECK("the registry records the port", registry_has_entry(reg, port_a));

  /* --- a second lease for the same app gets another port --- */
  rc = berth_acquire("c", &opts, &b, &port_b);
  CHECK("second acquire returns BERTH_OK", rc == BERTH_OK);
  CHECK("two leases get two ports", port_b != port_a);
  CHECK("second port in the range", in_range(port_b, LO, HI));

  /* --- a held port asked for is not handed out again --- */
  opts.port = port_a;
  rc = berth_acquire("c-other", &opts, &c, &port_c);
  CHECK("asking for a held port still succeeds", rc == BERTH_OK);
  CHECK("a held port is not given twice", port_c != port_a && port_c != port_b);
  opts.port = 0;

  /* --- NULL options: the environment, then the defaults; port_out NULL --- */
  setenv("BERTH_HOME", home_reg, 1);
  setenv("BERTH_RANGE", "20200-20299", 1);
  rc = berth_acquire("c-defaults", NULL, &d, NULL);
  port_d = berth_lease_port(d);
  CHECK("NULL options and port_out: BERTH_OK", rc == BERTH_OK);
  CHECK("NULL options use $BERTH_RANGE", in_range(port_d, 20200, 20299));
  CHECK("NULL options use $BERTH_HOME", registry_has_entry(home_reg, port_d));
  CHECK("release of the defaults lease", berth_release(d) == BERTH_OK);
  unsetenv("BERTH_HOME");
  unsetenv("BERTH_RANGE");

  /* --- bad input: BERTH_EINVAL and a message that says why --- */
  out = (berth_lease*)&opts; /* must be overwritten with NULL */
  port = 1;
  rc = berth_acquire(NULL, &opts, &out, &port);
  CHECK("NULL app is BERTH_EINVAL", rc == BERTH_EINVAL);
  CHECK("NULL app: the error says so",
        contains(berth_last_error(), "app is NULL"));
  CHECK("failure stores a NULL lease", out == NULL);
  CHECK("failure stores port 0", port == 0);

  rc = berth_acquire("", &opts, &out, &port);
  CHECK("empty app is BERTH_EINVAL", rc == BERTH_EINVAL);
  CHECK("empty app: the error says so", contains(berth_last_error(), "empty"));

  rc = berth_acquire("a\nb", &opts, &out, &port);
  CHECK("control character is BERTH_EINVAL", rc == BERTH_EINVAL);
  CHECK("control character: the error says so",
        contains(berth_last_error(), "control character"));

  rc = berth_acquire("c", &opts, NULL, &port);
  CHECK("NULL lease_out is BERTH_EINVAL", rc == BERTH_EINVAL);
  CHECK("NULL lease_out: the error says so",
        contains(berth_last_error(), "lease_out"));

  bad = opts;
  bad.struct_size = 0;
  rc = berth_acquire("c", &bad, &out, &port);
  CHECK("struct_size 0 is BERTH_EINVAL", rc == BERTH_EINVAL);
  CHECK("struct_size 0: the error says so",
        contains(berth_last_error(), "struct_size"));
  bad.struct_size = sizeof(berth_options) + 8;
  rc = berth_acquire("c", &bad, &out, &port);
  CHECK("an unknown struct_size is BERTH_EINVAL", rc == BERTH_EINVAL);

  bad = opts;
  bad.range_lo = 300;
  bad.range_hi = 200;
  rc = berth_acquire("c", &bad, &out, &port);
  CHECK("range lo > hi is BERTH_EINVAL", rc == BERTH_EINVAL);
  CHECK("range lo > hi: the error says so",
        contains(berth_last_error(), "range"));
  bad.range_lo = 9000;
  bad.range_hi = 0;
  rc = berth_acquire("c", &bad, &out, &port);
  CHECK("range with one end 0 is BERTH_EINVAL", rc == BERTH_EINVAL);

  bad = opts;
  bad.lock_timeout_ms = -1;
  rc = berth_acquire("c", &bad, &out, &port);
  CHECK("negative lock_timeout_ms is BERTH_EINVAL", rc == BERTH_EINVAL);
  CHECK("negative lock_timeout_ms: the error says so",
        contains(berth_last_error(), "lock_timeout_ms"));

  bad = opts;
  bad.registry_dir = "relative/dir";
  rc = berth_acquire("c", &bad, &out, &port);
  CHECK("relative registry_dir is BERTH_EINVAL", rc == BERTH_EINVAL);
  CHECK("relative registry_dir: the error says so",
        contains(berth_last_error(), "absolute"));

  /* The message is per thread: another thread's failure leaves this one's. */
  {
    char other[256] = "";
    pthread_t thread;
    berth_acquire("", &opts, &out, &port);
    CHECK("thread started",
          pthread_create(&thread, NULL, fail_on_other_thread, other) == 0 &&
              pthread_join(thread, NULL) == 0);
    CHECK("the other thread sees its own error",
          contains(other, "app is NULL"));
    CHECK("this thread keeps its error", contains(berth_last_error(), "empty"));
  }

  CHECK("berth_lease_port(NULL) is 0", berth_lease_port(NULL) == 0);
  CHECK("berth_lease_reason(NULL) is \"\"",
        strcmp(berth_lease_reason(NULL), "") == 0);
  CHECK("berth_lease_inherit(NULL) is BERTH_EINVAL",
        berth_lease_inherit(NULL, &handle) == BERTH_EINVAL);
  CHECK("berth_release(NULL) is BERTH_OK", berth_release(NULL) == BERTH_OK);
  CHECK("a success clears the last error", strcmp(berth_last_error(), "") == 0);

  /* --- runtime failures: BERTH_EFAIL --- */
  /* Every port of a one-port range held. */
  bad = opts;
  bad.range_lo = port_a;
  bad.range_hi = port_a;
  rc = berth_acquire("c", &bad, &out, &port);
  CHECK("no free port is BERTH_EFAIL", rc == BERTH_EFAIL);
  CHECK("no free port: there is a message", strlen(berth_last_error()) > 0);

  /* A port whose lease lock someone else holds is taken, whatever its
   * record says (flock locks belong to the open file, so this process's own
   * lock counts as another's). */
  snprintf(lock_path, sizeof lock_path, "%s/leases/%u.lock", reg, LO + 50);
  lock_fd = open(lock_path, O_RDWR | O_CREAT, 0600);
  CHECK("a lease file can be made", lock_fd >= 0);
  if (lock_fd >= 0) {
    CHECK("test holds a lease lock", flock(lock_fd, LOCK_EX) == 0);
    bad = opts;
    bad.port = LO + 50;
    rc = berth_acquire("c-locked", &bad, &out, &port);
    CHECK("asking for a locked port succeeds", rc == BERTH_OK);
    CHECK("a locked port is not handed out", port != LO + 50);
    CHECK("release of that lease", berth_release(out) == BERTH_OK);
    close(lock_fd);
  }

  /* --- a group: one port per app, all at once --- */
  {
    const char* apps[3] = {"c-web", "c-api", "c-hmr"};
    berth_lease* group[3] = {NULL, NULL, NULL};
    uint16_t ports[3] = {0, 0, 0};
    rc = berth_acquire_group(apps, 3, &opts, group, ports);
    CHECK("acquire_group returns BERTH_OK", rc == BERTH_OK);
    CHECK("acquire_group gives three ports",
          ports[0] != 0 && ports[1] != 0 && ports[2] != 0);
    CHECK("acquire_group: three different ports",
          ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
    CHECK("acquire_group: the leases agree",
          berth_lease_port(group[1]) == ports[1]);
    CHECK("release group[0]", berth_release(group[0]) == BERTH_OK);
    CHECK("release group[1]", berth_release(group[1]) == BERTH_OK);
    CHECK("release group[2]", berth_release(group[2]) == BERTH_OK);
    apps[2] = "c-web";
    rc = berth_acquire_group(apps, 3, &opts, group, ports);
    CHECK("an app named twice is BERTH_EINVAL", rc == BERTH_EINVAL);
    CHECK("a failed group stores NULLs", group[0] == NULL && ports[0] == 0);
  }

  /* --- the version --- */
  CHECK("berth_version is BERTH_VERSION",
        strcmp(berth_version(), BERTH_VERSION) == 0);

  /* --- inherit: the lease lock survives exec --- */
  rc = berth_lease_inherit(b, &handle);
  CHECK("berth_lease_inherit returns BERTH_OK", rc == BERTH_OK);
  CHECK("berth_lease_inherit gives a descriptor", handle >= 0);
  CHECK("the descriptor is not close-on-exec",
        handle >= 0 && (fcntl((int)handle, F_GETFD) & FD_CLOEXEC) == 0);

  /* --- release: the entry is gone and the port can be had again --- */
  rc = berth_release(a);
  CHECK("release returns BERTH_OK", rc == BERTH_OK);
  CHECK("release drops the registry entry", !registry_has_entry(reg, port_a));
  opts.port = port_a;
  rc = berth_acquire("c", &opts, &a, &port);
  CHECK("the released port can be acquired again", rc == BERTH_OK);
  CHECK("the released port is given to who asks for it", port == port_a);
  CHECK("release again", berth_release(a) == BERTH_OK);
  CHECK("release b", berth_release(b) == BERTH_OK);
  CHECK("release c", berth_release(c) == BERTH_OK);
  CHECK("every entry is gone", !registry_has_entry(reg, port_a) &&
                                   !registry_has_entry(reg, port_b) &&
                                   !registry_has_entry(reg, port_c));

  printf("%d passed, %d failed\n", passed, failed);
  if (getenv("XML_OUTPUT_FILE") != NULL) write_xml(getenv("XML_OUTPUT_FILE"));
  return failed == 0 ? 0 : 1;
}
