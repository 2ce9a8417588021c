/* Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
 *
 * The C ABI from plain C99 with nothing but the C library, so it runs on
 * every OS (Windows included, under wine in CI). It links //api:c_api
 * statically; tests/c_abi_test.c covers the shared library on POSIX. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/berth.h"

static int passed = 0;
static int failed = 0;

static void check(int ok, const char* what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    fprintf(stderr, "FAIL: %s (last error: %s)\n", what, berth_last_error());
  }
}

int main(void) {
  const char* tmp = getenv("TEST_TMPDIR");
  static char dir[4096];
  snprintf(dir, sizeof dir, "%s/c-abi-registry", tmp ? tmp : ".");

  berth_options options = BERTH_OPTIONS_INIT;
  options.registry_dir = dir;
  options.range_lo = 26000;
  options.range_hi = 26099;

  berth_lease* a = NULL;
  berth_lease* b = NULL;
  uint16_t port_a = 0, port_b = 0;
  check(berth_acquire("c-app", &options, &a, &port_a) == BERTH_OK,
        "acquire returns BERTH_OK");
  check(a != NULL, "acquire gives a lease");
  check(port_a >= 26000 && port_a <= 26099, "the port is in the range");
  check(berth_lease_port(a) == port_a, "berth_lease_port agrees");
  check(strlen(berth_lease_reason(a)) > 0, "the lease says why");
  check(strcmp(berth_last_error(), "") == 0, "no error after a success");

  check(berth_acquire("c-app", &options, &b, &port_b) == BERTH_OK,
        "a second acquire works");
  check(port_b != port_a, "two live leases never share a port");

  berth_lease* bad = (berth_lease*)1;
  uint16_t bad_port = 1;
  check(berth_acquire(NULL, &options, &bad, &bad_port) == BERTH_EINVAL,
        "a NULL app is BERTH_EINVAL");
  check(bad == NULL && bad_port == 0, "a failure stores NULL and 0");
  check(strlen(berth_last_error()) > 0, "berth_last_error says why");
  check(berth_acquire("", &options, &bad, NULL) == BERTH_EINVAL,
        "an empty app is BERTH_EINVAL");
  berth_options reversed = options;
  reversed.range_lo = 9000;
  reversed.range_hi = 8000;
  check(berth_acquire("c-app", &reversed, &bad, NULL) == BERTH_EINVAL,
        "a reversed range is BERTH_EINVAL");

  /* Released, the port can be had again by asking for it. */
  check(berth_release(a) == BERTH_OK, "release returns BERTH_OK");
  berth_options again = options;
  again.port = port_a;
  berth_lease* c = NULL;
  uint16_t port_c = 0;
  check(berth_acquire("other", &again, &c, &port_c) == BERTH_OK,
        "acquire after release");
  check(port_c == port_a, "the released port is handed out again");
  check(berth_release(c) == BERTH_OK, "release c");
  check(berth_release(b) == BERTH_OK, "release b");
  check(berth_release(NULL) == BERTH_OK, "releasing NULL does nothing");

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
