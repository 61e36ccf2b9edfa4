#!/usr/bin/env bash
# Compiles kernels_test.cpp (the CUDA kernels on the CPU, through emulation/) with the
# host C++ compiler and runs it. It needs no GPU and no CUDA toolkit, only g++ (or $CXX)
# with C++20; without one it says so and succeeds. Maven runs it in the test phase.
#
#   run-kernels-test.sh [BUILD_DIR]      (default: target/ of the module)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
module="$(cd "$here/../../.." && pwd)"
build="${1:-$module/target}"
cxx="${CXX:-g++}"

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "kernels emulation: skipped, no C++ compiler ($cxx) to build it"
  exit 0
fi

binary="$build/kernels-test/kernels_test"
mkdir -p "$(dirname "$binary")"
if [[ ! -x "$binary" || -n "$(find "$here" "$module/src/main/cuda" -newer "$binary" -type f -print -quit)" ]]; then
  "$cxx" -std=c++20 -O2 -Wall -Wno-unknown-pragmas -I"$here/emulation" \
    "$here/kernels_test.cpp" -o "$binary.tmp"
  mv -f "$binary.tmp" "$binary"
fi
"$binary"
