/* Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
 *
 * interop/holder.c APP [PORT]: a C holder for one_registry_test. Takes a
 * port for APP through the C ABI (asking for PORT first), prints it, holds
 * it until stdin closes, then releases it. */

#include <stdio.h>
#include <stdlib.h>

#include "api/berth.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: holder_c APP [PORT]\n");
    return 2;
  }
  berth_options options = BERTH_OPTIONS_INIT;
  if (argc == 3) options.port = (uint16_t)atoi(argv[2]);
  berth_lease* lease;
  uint16_t port;
  if (berth_acquire(argv[1], &options, &lease, &port) != BERTH_OK) {
    fprintf(stderr, "berth: %s\n", berth_last_error());
    return 1;
  }
  printf("%u\n", port);
  fflush(stdout);
  while (getchar() != EOF) {
  }
  return berth_release(lease) == BERTH_OK ? 0 : 1;
}
