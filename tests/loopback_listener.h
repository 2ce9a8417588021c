// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// tests/loopback_listener.h (POSIX tests only): the listener a test's
// holder puts on its port, with errno kept for the caller, who tells
// "address in use" (two live holders) from other failures.

#ifndef BERTH_TESTS_LOOPBACK_LISTENER_H_
#define BERTH_TESTS_LOOPBACK_LISTENER_H_

#include <cstdint>

namespace berth::tests {

// ListenOnLoopback binds a close-on-exec listening socket on
// 127.0.0.1:port; -1 with errno set when it cannot. SO_REUSEADDR only
// forgives TIME_WAIT: Linux still refuses a second bind while a listener
// holds the port.
int ListenOnLoopback(uint16_t port);

}  // namespace berth::tests

#endif  // BERTH_TESTS_LOOPBACK_LISTENER_H_
