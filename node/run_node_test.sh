#!/usr/bin/env bash
# run_node_test.sh BERTH ADDON PACKAGE_FILE... -- TEST_FILE...: node --test under
# Bazel. Lays the package out as installed ($TEST_TMPDIR/node_modules/berth,
# real files: node resolves symlinks, and berth.node must sit next to
# index.cjs), points the tests at it and at a registry of their own, prints
# TAP to the log and writes JUnit XML for CI. $BERTH_TEST_NODE picks another
# node (e.g. Debian's 18).
set -euo pipefail

node=${BERTH_TEST_NODE:-node}
if ! command -v "$node" >/dev/null; then
  echo "FAIL: $node not found; tools/setup installs Debian's nodejs" >&2
  exit 1
fi
berth=$PWD/$1
addon=$2
shift 2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
pkg=$tmp/node_modules/berth
mkdir -p "$pkg"
cp -fL "$addon" "$pkg/berth.node"
while [ "$1" != -- ]; do
  cp -fL "$1" "$pkg/"
  shift
done
shift
export BERTH_NODE_PACKAGE=$pkg BERTH_BIN=$berth
export BERTH_HOME=$tmp/registry BERTH_RANGE=27200-27299
reporter=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/junit_reporter.mjs
echo "node $("$node" --version)"
"$node" --test \
  --test-reporter=tap --test-reporter-destination=stdout \
  --test-reporter="$reporter" --test-reporter-destination="${XML_OUTPUT_FILE:-/dev/null}" \
  "$@"
