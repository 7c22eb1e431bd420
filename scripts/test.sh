#!/usr/bin/env bash
# The whole test suite, from a fresh clone: bootstrap (Debian packages, pinned llama.cpp),
# release build + every ctest label, then the ASan+UBSan build running the unit tests.
# Usage: scripts/test.sh [--no-apt] [--skip-sanitizers]
set -euo pipefail
cd "$(dirname "$0")/.."

boot_args=() sanitizers=1
for a in "$@"; do
  case "$a" in
    --no-apt) boot_args+=(--no-apt) ;;
    --skip-sanitizers) sanitizers=0 ;;
    *) echo "test.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done

scripts/bootstrap.sh "${boot_args[@]}"
# Compiler cache keyed on paths relative to the checkout, so clones elsewhere share it.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
jobs=$(nproc)

echo "== release build"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
echo "== release tests (all labels)"
ctest --preset release -j"$jobs" --output-on-failure

if [[ $sanitizers -eq 1 ]]; then
  echo "== ASan+UBSan build (unit tests)"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs" --target unit_tests
  ctest --preset unit-asan -j"$jobs" --output-on-failure
fi
