#!/usr/bin/env bash
# run_pytest.sh LIBBERTH BERTH TEST_FILE...: Debian's python3 -m pytest
# under Bazel, with the berth package from python/, libberth and the berth
# command from Bazel, a registry of the test's own (BERTH_HOME) and a port
# range no other test uses. pytest writes the JUnit XML CI counts.
set -euo pipefail

python=/usr/bin/python3
if ! "$python" -c 'import pytest' 2>/dev/null; then
  echo "FAIL: $python cannot import pytest; tools/setup installs Debian's python3-pytest" >&2
  exit 1
fi
export BERTH_LIBRARY=$PWD/$1 BERTH_BIN=$PWD/$2
shift 2
export PYTHONPATH=$PWD/python PYTHONDONTWRITEBYTECODE=1
export BERTH_HOME=${TEST_TMPDIR:?}/registry BERTH_RANGE=27100-27199
exec "$python" -m pytest -p pytester -p no:cacheprovider -v -rs \
  --junitxml="${XML_OUTPUT_FILE:-$TEST_TMPDIR/junit.xml}" "$@"
