#!/usr/bin/env bash
# Runs the benchmarks and writes, under benchmarks/results/:
#   <mode>-<UTC timestamp>.json   JMH's results
#   <mode>-<UTC timestamp>.log    the console output (not kept in git)
#   latest.json                   a link to the newest JMH results
#   memory.json                   heap held per retained COMPLETED job (RetainedMemory)
#   http.md, http.json            HTTP requests/s of /runsync against /ping (http.sh, wrk)
#   summary.md                    every target with its figure, then engine / baseline tables
#   chart-throughput.png          jobs/s, engine vs baseline, at every producers × workers point
#   chart-latency.png             runSync p50 / p99 / p99.9, engine vs baseline
#
# Usage: benchmarks/run.sh [--quick] [--rebuild] [--no-memory] [--no-http] [JMH options...]
#   --quick      short warmup and measurement over every point: under 3 minutes on 2 cores,
#                with wide error bars; without it the benchmarks' own settings apply (about
#                15 minutes)
#   --rebuild    build the benchmarks jar even when it looks up to date
#   --no-memory  skip the retained-memory measurement (a million jobs, about 15 s)
#   --no-http    skip the HTTP measurement (http.sh: wrk against the server)
#   Anything else goes to JMH as is, e.g. a benchmark regex or -p workers=2.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

mode=full
rebuild=false
memory=true
http=true
jmh_args=()
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --rebuild) rebuild=true ;;
    --no-memory) memory=false ;;
    --no-http) http=false ;;
    -h|--help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$here/run.sh"
      exit 0
      ;;
    *) jmh_args+=("$arg") ;;
  esac
done

started=$SECONDS
# Other work on the machine shows in every figure: the summary records the load around the
# run, and what was measured (the tree may hold others' work in progress).
load_start="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
measured="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git status --porcelain -- engine compute backend-cpu server 2>/dev/null | wc -l | tr -d ' ')"
if [[ "$dirty" != 0 ]]; then
  measured+=", with uncommitted changes to $dirty file(s) of engine/, compute/, backend-cpu/ or server/ in the working tree"
fi
jar=benchmarks/target/benchmarks.jar
# Rebuild when the jar is missing or any source, resource or pom of the modules it holds
# is newer than it.
stale() {
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find pom.xml engine compute backend-cpu benchmarks \
      -path '*/target' -prune -o -path 'benchmarks/results' -prune -o \
      -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
      -newer "$jar" -print -quit)" ]]
}
if [[ "$rebuild" == true ]] || stale; then
  echo "Building $jar ..."
  mvn -B -q -DskipTests package -pl benchmarks -am
fi

results=benchmarks/results
mkdir -p "$results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
json="$results/$mode-$stamp.json"
log="$results/$mode-$stamp.log"

timing=()
http_args=()
if [[ "$mode" == quick ]]; then
  # Every point of every benchmark, each with one fork, one 1-second warmup and two 1-second
  # measurements: about 4.5 s per point, 22 points.
  timing=(-wi 1 -w 1s -i 2 -r 1s -f 1)
  http_args=(--quick)
fi

# -foe: a failed benchmark (a stalled batch, a job that did not complete) fails the run.
# -e: VectorSearchKernelBenchmark needs a GPU; backend-cuda/gpu-check.sh runs it on one.
java -jar "$jar" ${timing[@]+"${timing[@]}"} -foe true -e VectorSearchKernelBenchmark -rf json -rff "$json" \
  ${jmh_args[@]+"${jmh_args[@]}"} 2>&1 | tee "$log"
ln -sfn "$(basename "$json")" "$results/latest.json"

report_args=()
if [[ "$memory" == true ]]; then
  echo
  echo "Retained memory: a million jobs to COMPLETED, kept ..."
  java -Xms4g -Xmx4g -XX:+UseG1GC -cp "$jar" dev.runline.benchmarks.RetainedMemory 1000000 "$results/memory.json" \
    2>&1 | tee -a "$log"
  report_args+=(--memory "$results/memory.json")
fi
if [[ "$http" == true ]]; then
  echo
  "$here/http.sh" ${http_args[@]+"${http_args[@]}"} 2>&1 | tee -a "$log"
  report_args+=(--http "$results/http.json")
fi

load_end="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
report_args+=(
  --note "Load average (1, 5, 15 min) at the start of the run: $load_start; at its end: $load_end ($(nproc) CPUs; above that, other work shared the machine and slowed every figure)."
  --note "Measured: $measured."
)
echo
java -cp "$jar" dev.runline.benchmarks.Report "$json" "$results/summary.md" ${report_args[@]+"${report_args[@]}"}
java -Djava.awt.headless=true -cp "$jar" dev.runline.benchmarks.Chart "$json" "$results"
echo
echo "Results: $json (linked from $results/latest.json); summary: $results/summary.md;" \
  "charts: $results/chart-*.png; $((SECONDS - started)) s in all"
