/* Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
 *
 * install/build_mode.c: says how the files //:install installs were
 * compiled. It is built in their configuration (see install/defs.bzl) and
 * run by the installer, which refuses to install an unoptimized build. */

#include <stdio.h>

int main(void) {
#if defined(__OPTIMIZE__) && defined(NDEBUG)
  puts("opt");
  return 0;
#else
  puts("not optimized (built without -O or without -DNDEBUG)");
  return 1;
#endif
}
