#!/usr/bin/env bash
# Runs the CUDA backend's tests on a GPU host that has a Java 17+ runtime but no Maven,
# then the GPU vector-search benchmark if it was built, and prints a summary.
#
# On a build machine with nvcc (so that the jar carries the native library):
#     mvn -B -q package -DskipTests -pl backend-cuda,benchmarks -am
# which leaves the compiled tests, the JUnit console launcher and the test class path
# under backend-cuda/target/gpu-check. Copy the repository with its target/ folders to the
# GPU host and run:
#     backend-cuda/gpu-check.sh
#
# GPU_CHECK_JMH adds JMH options to the benchmark (e.g. "-wi 1 -i 3 -r 2" for a shorter run).
#
# The tests run with -Drunline.cuda.required=true: where the GPU cannot be used they fail,
# naming what is missing (driver, device, library), rather than skip.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
check="$here/target/gpu-check"
launcher="$check/junit-platform-console-standalone.jar"
library="$here/target/classes/META-INF/native/linux-x86_64/librunline_cuda.so"
benchmarks="$root/benchmarks/target/benchmarks.jar"

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$java" >/dev/null 2>&1; then
  echo "gpu-check: no java on PATH (or under JAVA_HOME); install a Java 17+ runtime" >&2
  exit 2
fi
if [[ ! -f "$launcher" || ! -d "$here/target/test-classes" ]]; then
  echo "gpu-check: $launcher or the compiled tests are missing; on a build machine run" >&2
  echo "    mvn -B -q package -DskipTests -pl backend-cuda,benchmarks -am" >&2
  echo "and copy the repository with its target/ folders here" >&2
  exit 2
fi
if [[ ! -f "$library" ]]; then
  echo "gpu-check: warning: $library is missing (the build machine had no nvcc); the tests will say so"
fi

echo "== host"
"$java" -version 2>&1 | head -1
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found"
fi

classpath="$here/target/classes:$here/target/test-classes"
for jar in "$check"/lib/*.jar; do
  classpath="$classpath:$jar"
done

echo
echo "== CUDA backend tests: java -jar $(basename "$launcher") execute --select-package dev.runline.cuda"
output="$check/tests.log"
"$java" -Drunline.cuda.required=true -jar "$launcher" execute \
  --disable-banner --disable-ansi-colors --details=tree \
  --class-path "$classpath" --select-package dev.runline.cuda \
  --reports-dir "$check/reports" 2>&1 | tee "$output"
tests_status=${PIPESTATUS[0]}

benchmark_status="not run: $benchmarks not found (build the benchmarks module)"
if [[ -f "$benchmarks" ]] && ! "$java" -jar "$benchmarks" -l 2>/dev/null | grep -q VectorSearchBenchmark; then
  benchmark_status="not run: $benchmarks has no VectorSearchBenchmark"
elif [[ -f "$benchmarks" ]]; then
  echo
  grid=(-p backend=cpu,cuda -p launch=batched,perJob -p batch=1,16,256,1024)
  read -r -a extra <<< "${GPU_CHECK_JMH:-}"
  echo "== benchmark: java -jar $benchmarks VectorSearchBenchmark ${grid[*]} ${extra[*]}"
  if "$java" -jar "$benchmarks" VectorSearchBenchmark "${grid[@]}" "${extra[@]}" -rf json -rff "$check/vector-search.json"; then
    benchmark_status="ran (results above)"
  else
    benchmark_status="FAILED (exit $?)"
  fi
  echo
  echo "== benchmark: java -jar $benchmarks VectorSearchKernelBenchmark ${extra[*]} (the kernel alone, no engine)"
  if "$java" -jar "$benchmarks" VectorSearchKernelBenchmark "${extra[@]}" -rf json -rff "$check/vector-search-kernel.json"; then
    benchmark_status+="; kernel alone: ran"
  else
    benchmark_status+="; kernel alone: FAILED (exit $?)"
  fi
fi

# The launcher's closing table, e.g. "[        22 tests successful      ]".
count() {
  grep -E "^\[ *[0-9]+ $1 $2" "$output" | grep -oE "[0-9]+" | head -1
}
echo
echo "== summary"
echo "tests: $(count tests successful) successful, $(count tests failed) failed, $(count tests aborted) skipped by an assumption," \
  "$(count containers failed) classes failed before their tests (XML reports: $check/reports)"
echo "benchmark: $benchmark_status"
exit "$tests_status"
