# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""holder.py APP [PORT]: a Python holder for one_registry_test. Takes a port
for APP with berth.acquire (asking for PORT first), prints it, holds it
until stdin closes, then releases it."""

import sys

import berth

lease = berth.acquire(sys.argv[1],
                      port=int(sys.argv[2]) if len(sys.argv) > 2 else None)
print(lease.port, flush=True)
sys.stdin.read()
lease.release()
