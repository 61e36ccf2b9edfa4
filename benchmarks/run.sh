#!/usr/bin/env bash
# Runs the JMH benchmarks and writes, under benchmarks/results/:
#   <mode>-<UTC timestamp>.json   JMH's results
#   <mode>-<UTC timestamp>.log    JMH's console output (not kept in git)
#   latest.json                   a link to the newest results
#   summary.md                    the engine / baseline comparison, also printed
#
# Usage: benchmarks/run.sh [--quick] [--rebuild] [JMH options...]
#   --quick    short warmup and measurement: about 2 minutes on 2 cores, with wide error
#              bars; without it the benchmarks' own settings apply (about 10 minutes)
#   --rebuild  build the benchmarks jar even when it looks up to date
#   Anything else goes to JMH as is, e.g. a benchmark regex or -p workers=2.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

mode=full
rebuild=false
jmh_args=()
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --rebuild) rebuild=true ;;
    -h|--help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$here/run.sh"
      exit 0
      ;;
    *) jmh_args+=("$arg") ;;
  esac
done

jar=benchmarks/target/benchmarks.jar
# Rebuild when the jar is missing or any source, resource or pom of the modules it holds
# is newer than it.
stale() {
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find pom.xml engine backend-cpu benchmarks \
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
if [[ "$mode" == quick ]]; then
  timing=(-wi 2 -w 1s -i 5 -r 2s -f 1)
fi

# -foe: a failed benchmark (a stalled batch, a job that did not complete) fails the run.
java -jar "$jar" ${timing[@]+"${timing[@]}"} -foe true -rf json -rff "$json" ${jmh_args[@]+"${jmh_args[@]}"} 2>&1 | tee "$log"

ln -sfn "$(basename "$json")" "$results/latest.json"
echo
java -cp "$jar" dev.runline.benchmarks.Report "$json" "$results/summary.md"
echo
echo "Results: $json (linked from $results/latest.json); summary: $results/summary.md"
