#!/usr/bin/env bash
# install_test.sh INSTALLER BERTH_H PACKAGE_JSON INIT_PY: `bazel run
# //:install` into a fresh prefix, then every installed piece used the way
# its users will: the berth command, a C program built with pkg-config and
# one with CMake's find_package (<berth.h> alone on the include path), the
# Python package under Debian's python3 (libberth found from the package,
# pytest finding the plugin by its entry point), the Node package from a
# project (ESM and CommonJS), bash completion. Then a second install
# changes nothing, an older install's leftovers go, --uninstall removes
# everything, and bad arguments get one line and exit 2.
set -uo pipefail
installer=$PWD/$1
header_src=$PWD/$2
package_json=$PWD/$3
init_py=$PWD/$4
source "$(dirname "$0")/../tests/testlib.sh"

tmp=${TEST_TMPDIR:?}
prefix=$tmp/prefix
export BERTH_HOME=$tmp/registry BERTH_RANGE=27400-27499
log=$tmp/install.log

run_installer() { BUILD_WORKING_DIRECTORY=$tmp "$installer" "$@"; }

# --- install --------------------------------------------------------------------
# (check sends a command's output to /dev/null: run these outside it.)
run_installer "$prefix" >"$log" 2>&1
check "install exits 0" test $? -eq 0
cat "$log"
check "it says it built -c opt" grep -q "(built -c opt) installed in $prefix" "$log"
version=$(sed -n 's/^#define BERTH_VERSION "\(.*\)"$/\1/p' "$header_src")
check "berth.h has a version" test -n "$version"
check "the installer installs berth.h's version" grep -q "^berth $version " "$log"
check "the Python package's version is berth.h's" grep -qx "__version__ = \"$version\"" "$init_py"
check "the Node package's version is berth.h's" grep -q "\"version\": \"$version\"" "$package_json"

for f in bin/berth "lib/libberth.so.$version" include/berth.h lib/pkgconfig/berth.pc \
  lib/cmake/berth/berthConfig.cmake lib/cmake/berth/berthConfigVersion.cmake \
  lib/python3/dist-packages/berth/__init__.py lib/python3/dist-packages/berth/pytest_plugin.py \
  "lib/python3/dist-packages/berth-$version.dist-info/entry_points.txt" \
  lib/node_modules/berth/package.json lib/node_modules/berth/index.cjs \
  lib/node_modules/berth/index.mjs lib/node_modules/berth/berth.node \
  share/bash-completion/completions/berth share/zsh/site-functions/_berth \
  share/berth/install-manifest.txt; do
  check "installed: $f" test -f "$prefix/$f"
done
check "bin/berth is executable" test -x "$prefix/bin/berth"
check "libberth.so.0 -> libberth.so.$version" test "$(readlink "$prefix/lib/libberth.so.0")" = "libberth.so.$version"
check "libberth.so -> libberth.so.0" test "$(readlink "$prefix/lib/libberth.so")" = libberth.so.0
check "the soname is libberth.so.0" bash -c "readelf -d '$prefix/lib/libberth.so.$version' | grep -q 'SONAME.*\[libberth\.so\.0\]'"
check "bin/berth runs" "$prefix/bin/berth" list
check "bin/berth needs no libberth" bash -c "! ldd '$prefix/bin/berth' | grep -q libberth"

# --- C: pkg-config, CMake ---------------------------------------------------------
cat >"$tmp/t.c" <<'EOF'
#include <berth.h>
#include <stdio.h>

int main(void) {
  berth_lease* lease;
  uint16_t port;
  if (berth_acquire("c-installed", NULL, &lease, &port) != BERTH_OK) {
    fprintf(stderr, "berth: %s\n", berth_last_error());
    return 1;
  }
  printf("%s %u\n", berth_version(), port);
  return berth_release(lease) == BERTH_OK ? 0 : 1;
}
EOF
if command -v pkg-config >/dev/null; then
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  check "pkg-config knows berth $version" test "$(pkg-config --modversion berth)" = "$version"
  # Only the installed header and library: not the source tree's.
  check "cc t.c \$(pkg-config --cflags --libs berth) builds" \
    bash -c "cd '$tmp' && cc -std=c99 -Wall -Werror -pedantic-errors t.c \$(pkg-config --cflags --libs berth) -o t-pc"
  out=$("$tmp/t-pc")
  check "and runs, with the installed libberth ($out)" bash -c "[[ '$out' =~ ^$version\ 274[0-9][0-9]$ ]]"
  check "it loads libberth.so.0 from PREFIX/lib" bash -c "ldd '$tmp/t-pc' | grep -q '$prefix/lib/libberth.so.0'"
else
  echo "skipped: the pkg-config checks (pkg-config is not installed; tools/setup installs it)"
fi
if command -v cmake >/dev/null; then
  mkdir -p "$tmp/cmake"
  cp "$tmp/t.c" "$tmp/cmake/"
  cat >"$tmp/cmake/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.13)
project(t C)
find_package(berth ${version%.*} REQUIRED)
add_executable(t t.c)
target_link_libraries(t PRIVATE berth::berth)
EOF
  check "CMake find_package(berth) configures" cmake -S "$tmp/cmake" -B "$tmp/cmake/build" -DCMAKE_PREFIX_PATH="$prefix"
  check "and builds against berth::berth" cmake --build "$tmp/cmake/build"
  check "and the program runs" "$tmp/cmake/build/t"
  sed -i 's/find_package(berth [0-9.]*/find_package(berth 99.0/' "$tmp/cmake/CMakeLists.txt"
  check "find_package(berth 99.0) is refused" bash -c \
    "! cmake -S '$tmp/cmake' -B '$tmp/cmake/build99' -DCMAKE_PREFIX_PATH='$prefix' >/dev/null 2>&1"
else
  echo "skipped: the CMake checks (cmake is not installed; tools/setup installs it)"
fi

# --- Python -----------------------------------------------------------------------
export PYTHONPATH=$prefix/lib/python3/dist-packages PYTHONDONTWRITEBYTECODE=1
unset BERTH_LIBRARY
check "python3 finds libberth in PREFIX/lib" test \
  "$(/usr/bin/python3 -c 'import berth; print(berth.library_path())')" = "$prefix/lib/libberth.so.0"
check "pick_unused_port and return_port work" /usr/bin/python3 -c \
  'import berth; p = berth.pick_unused_port(); assert 27400 <= p <= 27499, p; berth.return_port(p)'
if /usr/bin/python3 -c 'import pytest' 2>/dev/null; then
  mkdir -p "$tmp/pytest"
  cat >"$tmp/pytest/test_installed.py" <<'EOF'
def test_port(berth_port):
    assert 27400 <= berth_port <= 27499
EOF
  # No -p, no conftest: the pytest11 entry point loads the plugin.
  check "pytest loads the plugin by its entry point" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider "$tmp/pytest/test_installed.py"
else
  echo "skipped: the pytest check (python3-pytest is not installed; tools/setup installs it)"
fi
unset PYTHONPATH

# --- Node -------------------------------------------------------------------------
if command -v node >/dev/null; then
  project=$tmp/node-project
  mkdir -p "$project/node_modules"
  # What `npm install PREFIX/lib/node_modules/berth` makes: a symlink.
  ln -sfn "$prefix/lib/node_modules/berth" "$project/node_modules/berth"
  cat >"$project/t.mjs" <<'EOF'
import getPort, {portNumbers, releasePort} from 'berth';
import {createRequire} from 'node:module';
const {getPort: fromRequire} = createRequire(import.meta.url)('berth');
const port = await getPort({port: portNumbers(27450, 27460)});
if (fromRequire !== getPort || port < 27450 || port > 27460 || !releasePort(port)) process.exit(1);
console.log(port);
EOF
  check "the Node package works from a project (ESM and require)" node "$project/t.mjs"
else
  echo "FAIL: node is not installed (tools/setup installs Debian's nodejs)" >&2
  failed=$((failed + 1))
fi

# --- completion -------------------------------------------------------------------
check "the bash completion registers itself" bash -c \
  "source '$prefix/share/bash-completion/completions/berth' && complete -p berth | grep -q _berth"

# --- again, older leftovers, uninstall ----------------------------------------------
manifest=$prefix/share/berth/install-manifest.txt
cp "$manifest" "$tmp/manifest.first"
run_installer "$prefix" >"$log" 2>&1
check "a second install exits 0" test $? -eq 0
check "and writes nothing" grep -q "installed in $prefix: 0 files written" "$log"
check "and lists the same files" cmp -s "$manifest" "$tmp/manifest.first"
touch "$prefix/lib/libberth.so.0.1.0"
echo "file lib/libberth.so.0.1.0" >>"$manifest"
run_installer "$prefix" >"$log" 2>&1
check "an install over an older one exits 0" test $? -eq 0
check "and removes the older one's files" test ! -e "$prefix/lib/libberth.so.0.1.0"
check "and says so" grep -q "removed lib/libberth.so.0.1.0" "$log"
echo "mine" >"$prefix/lib/unrelated.txt"
# Python leaves __pycache__ in the package: uninstall removes it too.
env -u PYTHONDONTWRITEBYTECODE PYTHONPATH="$prefix/lib/python3/dist-packages" \
  /usr/bin/python3 -c 'import berth'
check "python wrote bytecode into the package" test -d "$prefix/lib/python3/dist-packages/berth/__pycache__"
run_installer --uninstall "$prefix" >"$log" 2>&1
check "--uninstall exits 0" test $? -eq 0
cat "$log"
check "and removes every file it installed" test "$(find "$prefix" -type f -o -type l | sort)" = "$prefix/lib/unrelated.txt"
check "and the directories it made, but not one in use" test "$(find "$prefix" -type d | sort | xargs)" = "$prefix $prefix/lib"
run_installer --uninstall "$prefix" >/dev/null 2>"$tmp/err"
check "--uninstall of nothing is exit 1" test $? -eq 1
check "with one line saying so" test "$(cat "$tmp/err")" = \
  "install: no berth was installed in $prefix (no $manifest)"

# --- bad input ----------------------------------------------------------------------
run_installer --frobnicate >/dev/null 2>"$tmp/err"
check "an unknown option is exit 2" test $? -eq 2
check "with one line saying so" grep -qx "install: unknown option: --frobnicate" "$tmp/err"
run_installer a b >/dev/null 2>"$tmp/err"
check "two prefixes are exit 2" test $? -eq 2
touch "$tmp/a-file"
run_installer "$tmp/a-file" >/dev/null 2>"$tmp/err"
check "a prefix that is a file is exit 1" test $? -eq 1
check "with one line" test "$(cat "$tmp/err")" = "install: $tmp/a-file exists and is not a directory"
run_installer /proc/berth-prefix >/dev/null 2>"$tmp/err"
check "a prefix it cannot write to is exit 1" test $? -eq 1
check "with one line" test "$(cat "$tmp/err")" = \
  "install: cannot create /proc/berth-prefix/bin (run as a user who may write there)"
run_installer rel >"$log" 2>&1
check "a relative prefix is taken from where bazel was run" test $? -eq 0
check "there" test -x "$tmp/rel/bin/berth"
finish
