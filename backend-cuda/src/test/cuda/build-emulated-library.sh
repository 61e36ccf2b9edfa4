#!/usr/bin/env bash
# Builds librunline_cuda.so for the CPU: the real JNI bridge and kernels, compiled with
# g++ against emulation/cuda_runtime.h, which runs each CUDA thread as a fiber and the
# runtime API over host memory (one emulated device). Loaded in place of the jar's
# library, it runs the GPU tests end to end, JNI included, on a machine without a GPU:
#
#   src/test/cuda/build-emulated-library.sh /tmp/emulated/librunline_cuda.so
#   mvn test -Dtest=CudaKernelTest -DargLine=-Drunline.cuda.library=/tmp/emulated/librunline_cuda.so
#
# Slow (every CUDA thread is emulated; the largest case takes tens of minutes) and blind
# to what only hardware shows (timing, memory limits, the compiled device code), it checks
# the logic where no GPU can be had; it is not part of the build.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../../main/cuda" && pwd)"
out="${1:?usage: build-emulated-library.sh OUTPUT.so}"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"

mkdir -p "$(dirname "$out")"
printf '#include "%s/kernels.cu"\n#include "%s/runline_cuda.cu"\n' "$src" "$src" |
  "${CXX:-g++}" -std=c++20 -O2 -fPIC -shared -Wall -Wno-unknown-pragmas -x c++ \
    -I"$here/emulation" -I"$src" -I"$java_home/include" -I"$java_home/include/linux" \
    - -o "$out"
echo "built $out (CPU emulation)"
