#!/usr/bin/env bash
# Builds the CUDA backend's native library, librunline_cuda.so, from src/main/cuda.
#
#   build-native.sh [OUTPUT] [JAVA_HOME]
#
# OUTPUT defaults to target/classes/META-INF/native/linux-x86_64/librunline_cuda.so, where
# the jar picks it up; JAVA_HOME (for jni.h) defaults to the JDK of the javac on PATH.
# Maven runs it in the compile phase with both arguments.
#
# Without nvcc it builds nothing and succeeds: the module's jar then carries no library
# and the backend reports itself "not built" at run time, so machines without the CUDA
# toolkit still build and test the whole project. It also skips the work when the library
# is newer than every source and this script.
#
# The library is a fat binary: machine code for sm_80 (A100, and by binary compatibility
# every 8.x GPU) and sm_90 (H100, H200), plus compute_90 PTX that the driver compiles for
# newer GPUs. The CUDA runtime is linked statically and its symbols hidden, so at run time
# the library needs only the driver's libcuda.so.1 and cannot clash with another copy of
# the runtime loaded into the same JVM.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$here/src/main/cuda"
out="${1:-$here/target/classes/META-INF/native/linux-x86_64/librunline_cuda.so}"
java_home="${2:-${JAVA_HOME:-}}"

nvcc="${NVCC:-}"
if [[ -z "$nvcc" ]]; then
  for candidate in "$(command -v nvcc || true)" "${CUDA_HOME:-/nonexistent}/bin/nvcc" /usr/local/cuda/bin/nvcc; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
      nvcc="$candidate"
      break
    fi
  done
fi
if [[ -z "$nvcc" ]]; then
  echo "nvcc not found: the CUDA backend is built without its native library"
  exit 0
fi

if [[ "$(uname -s)" != Linux || "$(uname -m)" != x86_64 ]]; then
  echo "$(uname -s)/$(uname -m) is not linux/x86_64: the CUDA backend is built without its native library"
  exit 0
fi

if [[ -z "$java_home" ]]; then
  javac_path="$(command -v javac || true)"
  if [[ -n "$javac_path" ]]; then
    java_home="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
  fi
fi
if [[ ! -f "$java_home/include/jni.h" ]]; then
  echo "error: jni.h not found under '${java_home}/include'; pass a JDK home as the second argument or set JAVA_HOME" >&2
  exit 1
fi

if [[ -f "$out" && -z "$(find "$src" "$here/build-native.sh" -newer "$out" -print -quit)" ]]; then
  echo "native library up to date: $out"
  exit 0
fi

objects="$here/target/native-objects"
mkdir -p "$objects" "$(dirname "$out")"

common=(-O3 -std=c++17 -Xcompiler -fPIC,-fvisibility=hidden,-Wall
        -I"$java_home/include" -I"$java_home/include/linux")
targets=(-gencode arch=compute_80,code=sm_80
         -gencode arch=compute_90,code=sm_90
         -gencode arch=compute_90,code=compute_90)

echo "building $out with $nvcc ($("$nvcc" --version | grep -o 'release [0-9.]*'))"
start=$SECONDS
# The two files compile side by side; within the kernels, --threads compiles the three
# targets in parallel too.
"$nvcc" "${common[@]}" "${targets[@]}" --threads 0 -c "$src/kernels.cu" -o "$objects/kernels.o" &
kernels=$!
"$nvcc" "${common[@]}" "${targets[@]}" -c "$src/runline_cuda.cu" -o "$objects/runline_cuda.o"
wait "$kernels"

# Linked under a temporary name and renamed, so a failed build never leaves a library
# that looks up to date.
"$nvcc" -shared -cudart static "${targets[@]}" \
  -Xlinker --exclude-libs,ALL -Xlinker -z,defs -Xcompiler -static-libstdc++,-static-libgcc \
  "$objects/kernels.o" "$objects/runline_cuda.o" -o "$out.tmp"
mv -f "$out.tmp" "$out"
echo "built $out in $((SECONDS - start)) s"
