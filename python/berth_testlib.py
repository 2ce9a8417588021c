# Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
"""What berth_test.py and pytest_plugin_test.py share (not part of the
berth package, not installed). Imported from python/, which run_pytest.sh
puts on PYTHONPATH.
"""

import subprocess
import sys


def other_process_gets(port):
    """Whether another process asking for exactly `port` gets it now."""
    code = ("import berth\n"
            "try:\n"
            "    berth.acquire('other', range=(%d, %d)); print('yes')\n"
            "except berth.Error:\n"
            "    print('no')\n" % (port, port))
    out = subprocess.run([sys.executable, "-c", code], check=True,
                         stdout=subprocess.PIPE, text=True)
    return out.stdout.strip() == "yes"
