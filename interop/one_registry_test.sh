#!/usr/bin/env bash
# one_registry_test.sh BERTH HOLDER_C LIBBERTH ADDON NODE_PACKAGE_FILE...:
# runs one_registry_test.py (Debian's python3 -m pytest) with every kind of
# holder pointed at one registry in $TEST_TMPDIR and the range 27300-27399,
# which no other test uses. The Node package is laid out as installed.
set -euo pipefail
export BERTH_BIN=$PWD/$1 HOLDER_C=$PWD/$2 BERTH_LIBRARY=$PWD/$3
addon=$4
shift 4
pkg=${TEST_TMPDIR:?}/node_modules/berth
mkdir -p "$pkg"
cp -fL "$addon" "$pkg/berth.node"
for f in "$@"; do cp -fL "$f" "$pkg/"; done
for tool in /usr/bin/python3 node; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (tools/setup installs it)" >&2; exit 1; }
done
export BERTH_NODE_PACKAGE=$pkg PYTHONPATH=$PWD/python PYTHONDONTWRITEBYTECODE=1
export BERTH_HOME=$TEST_TMPDIR/registry BERTH_RANGE=27300-27399
exec /usr/bin/python3 -m pytest -p no:cacheprovider -v \
  --junitxml="${XML_OUTPUT_FILE:-$TEST_TMPDIR/junit.xml}" "$PWD/interop/one_registry_test.py"
