#!/usr/bin/env bash
# libberth.so exports exactly the functions of api/berth.h (berth, Abseil and
# the rest stay local) and is named libberth.so for the dynamic linker.
# Usage (Bazel sh_test): libberth_symbols_test.sh PATH_TO_LIBBERTH_SO PATH_TO_BERTH_H
set -uo pipefail

lib=$1
header=$2
# The functions berth.h declares: every "BERTH_EXPORT <type> berth_x(" line.
want=$(sed -n 's/^BERTH_EXPORT .*[ *]\(berth_[a-z0-9_]*\)(.*/\1/p' "$header" | sort)
if [ "$(wc -l <<<"$want")" -lt 8 ]; then
  echo "FAIL: found too few functions in $header:" >&2
  echo "$want" >&2
  exit 1
fi
# Global and weak symbols the library defines. (gold also lists some LOCAL
# thread-local symbols in .dynsym; local ones bind nothing, so they are fine.)
got=$(readelf --dyn-syms -W "$lib" |
      awk '$1 ~ /^[0-9]+:$/ && $5 != "LOCAL" && $7 != "UND" {print $8}' | sort)
rc=0
if [ "$got" != "$want" ]; then
  echo "FAIL: exported symbols differ from berth.h's functions:" >&2
  diff <(echo "$want") <(echo "$got") >&2
  rc=1
fi
if ! readelf -d "$lib" | grep -q 'SONAME.*\[libberth\.so\]'; then
  echo "FAIL: the soname is not libberth.so:" >&2
  readelf -d "$lib" | grep SONAME >&2
  rc=1
fi
exit $rc
