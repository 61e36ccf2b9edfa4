#!/usr/bin/env bash
# Runs the benchmarks and writes, under benchmarks/results/:
#   rounds-<mode>-<UTC time>/     every fork's JMH results, round by round, and rounds.json (the load
#                                 average at the start of each round); not kept in git
#   <mode>-<UTC time>.json        the rounds merged: per benchmark and parameters, the median of the
#                                 rounds' scores, in JMH's shape (Report --merged)
#   <mode>-<UTC time>.log         the console output (not kept in git)
#   latest.json                   a link to the newest merged results
#   memory.json                   heap held per retained COMPLETED job (RetainedMemory)
#   wakeups.json                  voluntary context switches per job, batched path (WakeUps)
#   idle.json                     CPU of an idle engine with 10 endpoints (IdleCpu)
#   http.md, http.json            HTTP requests/s of /runsync against /ping, and wake-ups (http.sh, wrk)
#   summary.md                    every target with its must / beyond level, then engine / baseline tables
#   chart-throughput.png          jobs/s, engine vs both baselines, at every producers × workers point
#   chart-latency.png             runSync p50 / p99 / p99.9, engine vs baseline
#
# The JMH benchmarks run in interleaved rounds (dev.runline.benchmarks.Rounds): each round is one
# fork of every benchmark, and at each parameter point the engine's fork runs, then each
# baseline's, so that load that drifts over the run (the machine is shared) hits both alike.
#
# Usage: benchmarks/run.sh [--quick] [--rounds N] [--rebuild] [--no-memory] [--no-wakeups]
#                          [--no-idle] [--no-http] [JMH options...]
#   --quick       2 rounds of short forks (1 × 1 s warmup, 2 × 1 s measurement) and 5-second HTTP
#                 runs: about 5 minutes on 2 cores, with wide spreads
#   --rounds N    rounds of forks (default 3, --quick 2)
#   --rebuild     build the benchmarks jar even when it looks up to date
#   --no-memory   skip the retained-memory measurement (a million jobs per side, about 15 s)
#   --no-wakeups  skip the wake-ups measurement (about 10 s)
#   --no-idle     skip the idle-CPU measurement (about 20 s)
#   --no-http     skip the HTTP measurement (http.sh: wrk against the server)
#   Anything else goes to JMH as is, e.g. a benchmark regex, -p workers=2, -prof gc, or -wi/-i/-w/-r
#   (which replace run.sh's own per-fork settings). Without --quick every fork has 2 warmup and 3
#   measurement iterations of the benchmarks' own lengths: about 35 minutes in all (estimated).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

mode=full
rounds=
rebuild=false
memory=true
wakeups=true
idle=true
http=true
jmh_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode=quick ;;
    --rounds) rounds="$2"; shift ;;
    --rebuild) rebuild=true ;;
    --no-memory) memory=false ;;
    --no-wakeups) wakeups=false ;;
    --no-idle) idle=false ;;
    --no-http) http=false ;;
    -h|--help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$here/run.sh"
      exit 0
      ;;
    *) jmh_args+=("$1") ;;
  esac
  shift
done

started=$SECONDS
# Other work on the machine shows in every figure: the summary records the load around the
# run (and Rounds records it at the start of every round), and what was measured (the tree
# may hold others' work in progress).
load_start="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "Load average (1, 5, 15 min) at the start: $load_start ($(nproc) CPUs)"
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
rounds_dir="$results/rounds-$mode-$stamp"

# Per-fork settings, each unless the JMH options given set it.
given() {
  local arg
  for arg in ${jmh_args[@]+"${jmh_args[@]}"}; do
    [[ "$arg" == "$1" ]] && return 0
  done
  return 1
}
timing=()
http_args=()
wakeup_jobs=300000
if [[ "$mode" == quick ]]; then
  : "${rounds:=2}"
  given -wi || timing+=(-wi 1)
  given -w || timing+=(-w 1s)
  given -i || timing+=(-i 2)
  given -r || timing+=(-r 1s)
  http_args=(--quick)
  wakeup_jobs=200000
else
  : "${rounds:=3}"
  given -wi || timing+=(-wi 2)
  given -i || timing+=(-i 3)
fi

# -e: VectorSearchKernelBenchmark needs a GPU; backend-cuda/gpu-check.sh runs it on one.
# Rounds runs every fork with -foe true: a failed benchmark (a stalled batch, a job that did
# not complete) fails the run.
java -cp "$jar" dev.runline.benchmarks.Rounds --rounds "$rounds" --dir "$rounds_dir" \
  ${timing[@]+"${timing[@]}"} -e VectorSearchKernelBenchmark ${jmh_args[@]+"${jmh_args[@]}"} 2>&1 | tee "$log"

report_args=()
if [[ "$memory" == true ]]; then
  echo
  echo "Retained memory: a million jobs to COMPLETED, kept ..."
  java -Xms4g -Xmx4g -XX:+UseG1GC -cp "$jar" dev.runline.benchmarks.RetainedMemory 1000000 "$results/memory.json" \
    2>&1 | tee -a "$log"
  report_args+=(--memory "$results/memory.json")
fi
if [[ "$wakeups" == true ]]; then
  echo
  echo "Wake-ups: voluntary context switches per job in the batched path ..."
  # The heap of SubmitToCompleteBenchmark's forks, so the collector works alike.
  java -Xms4g -Xmx4g -cp "$jar" dev.runline.benchmarks.WakeUps "$wakeup_jobs" "$results/wakeups.json" \
    2>&1 | tee -a "$log"
  report_args+=(--wakeups "$results/wakeups.json")
fi
if [[ "$idle" == true ]]; then
  echo
  echo "Idle CPU: an engine with 10 endpoints, idle for 10 s ..."
  java -cp "$jar" dev.runline.benchmarks.IdleCpu 10 "$results/idle.json" 2>&1 | tee -a "$log"
  report_args+=(--idle "$results/idle.json")
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
java -cp "$jar" dev.runline.benchmarks.Report "$rounds_dir" "$results/summary.md" --merged "$json" \
  ${report_args[@]+"${report_args[@]}"}
ln -sfn "$(basename "$json")" "$results/latest.json"
java -Djava.awt.headless=true -cp "$jar" dev.runline.benchmarks.Chart "$json" "$results"
echo
echo "Results: $json (the $rounds rounds of $rounds_dir merged; linked from $results/latest.json);" \
  "summary: $results/summary.md; charts: $results/chart-*.png; $((SECONDS - started)) s in all"
