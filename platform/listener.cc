// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The parts of platform/listener.h that are the same on every OS.

#include "platform/listener.h"

namespace berth::platform {

const char* FamilyName(AddressFamily family) {
  switch (family) {
    case AddressFamily::kIPv4:
      return "ipv4";
    case AddressFamily::kIPv6:
      return "ipv6";
  }
  return "unknown";
}

}  // namespace berth::platform
