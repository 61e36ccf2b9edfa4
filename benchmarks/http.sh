#!/usr/bin/env bash
# HTTP throughput of the server on loopback, measured with wrk: POST /v2/echo/runsync (a no-op
# echo job, end to end: HTTP, JSON, admission, the job, the answer) against GET /ping (HTTP
# only) on the same server. Writes under benchmarks/results/:
#   http.md     the figures, in Markdown
#   http.json   the same, for Report (summary.md)
#
# Usage: benchmarks/http.sh [--quick] [--duration SECONDS] [--rounds N]
#   --quick         5-second runs (default: 10)
#   --duration N    seconds per wrk run
#   --rounds N      runs of each path, alternating ping / runsync (default 2); medians are kept
#   --rebuild       build the server jar even when it exists (by default only when missing:
#                   http.md says when the jar measured was built)
#
# Installs wrk with apt-get when it is missing, builds server/target/runline-server.jar when
# it is missing, starts it on a free port with a generated API key and the echo endpoint
# with every limit off, waits until /ping answers, runs wrk -t2 -c64 on both paths, and stops
# the server with SIGTERM.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

duration=10
rounds=2
threads=2
connections=64
warmup=2
rebuild=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) duration=5 ;;
    --duration) duration="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --rebuild) rebuild=true ;;
    -h|--help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$here/http.sh"
      exit 0
      ;;
    *) echo "http.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v wrk >/dev/null; then
  echo "Installing wrk ..."
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]+"${sudo[@]}"}" apt-get update -qq && "${sudo[@]+"${sudo[@]}"}" apt-get install -y -qq wrk >/dev/null
fi

jar=server/target/runline-server.jar
if [[ "$rebuild" == true || ! -f "$jar" ]]; then
  echo "Building $jar ..."
  mvn -B -q -DskipTests package -pl server -am
fi

results=benchmarks/results
mkdir -p "$results"
work="$(mktemp -d)"
server_pid=
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "http.sh: the server did not stop within 10 s of SIGTERM; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

key="bench-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat > "$work/runline.yaml" <<'YAML'
endpoints:
  echo:
    handler: echo
    backend: cpu
    workers: 2
    limits: off
YAML
cat > "$work/runsync.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"input": {"prompt": "hello"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA

# Port 0: the server takes a free port and prints its base URL, so no other process can
# take the port between choosing and binding it.
java -jar "$jar" --port 0 --api-key "$key" --config "$work/runline.yaml" > "$work/server.log" 2>&1 &
server_pid=$!
base=
for _ in $(seq 1 300); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "http.sh: the server exited at start:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  base="$(grep -o 'http://[0-9.]*:[0-9]*' "$work/server.log" | head -n 1 || true)"
  if [[ -n "$base" ]] && curl -fsS --max-time 1 "$base/ping" >/dev/null 2>&1; then
    break
  fi
  base=
  sleep 0.1
done
if [[ -z "$base" ]]; then
  echo "http.sh: the server did not answer /ping within 30 s:" >&2
  cat "$work/server.log" >&2
  exit 1
fi

# One request by hand: the job must complete, or the figures would be those of a refusal.
answer="$(curl -sS --max-time 10 -X POST "$base/v2/echo/runsync" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $key" -d '{"input": {"prompt": "hello"}}')"
if [[ "$answer" != *'"COMPLETED"'* ]]; then
  echo "http.sh: /runsync did not complete a job: $answer" >&2
  exit 1
fi
echo "Server at $base; wrk -t$threads -c$connections -d${duration}s, $rounds round(s) per path"

# wrk_run NAME URL LUA SECONDS: one run (LUA may be empty); its output is kept in $work/NAME.out.
wrk_run() {
  local name="$1" url="$2" script="${3:-}"
  local args=(-t"$threads" -c"$connections" -d"$4"s --latency)
  [[ -n "$script" ]] && args+=(-s "$script")
  wrk "${args[@]}" "$url" > "$work/$name.out"
}

# Field of a wrk output: rps, p50 (ms), p99 (ms), non2xx, socket errors.
to_ms() { awk -v v="$1" 'BEGIN {
  n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
  if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
  printf "%.3f", n }'; }
wrk_field() {
  local file="$1" field="$2"
  case "$field" in
    rps) awk '/^Requests\/sec:/ { print $2 }' "$file" ;;
    p50) to_ms "$(awk '$1 == "50%" { print $2 }' "$file")" ;;
    p99) to_ms "$(awk '$1 == "99%" { print $2 }' "$file")" ;;
    non2xx) awk '/Non-2xx or 3xx responses:/ { n = $NF } END { print n + 0 }' "$file" ;;
    errors) awk '/Socket errors:/ { gsub(/,/, ""); n = $4 + $6 + $8 + $10 } END { print n + 0 }' "$file" ;;
  esac
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "Warming up (${warmup} s each) ..."
wrk_run warm-ping "$base/ping" "" "$warmup"
wrk_run warm-runsync "$base/v2/echo/runsync" "$work/runsync.lua" "$warmup"

declare -A rps p50 p99 non2xx errors
for path in ping runsync; do
  rps[$path]=""; p50[$path]=""; p99[$path]=""; non2xx[$path]=0; errors[$path]=0
done
for round in $(seq 1 "$rounds"); do
  for path in ping runsync; do
    if [[ "$path" == ping ]]; then
      wrk_run "$path-$round" "$base/ping" "" "$duration"
    else
      wrk_run "$path-$round" "$base/v2/echo/runsync" "$work/runsync.lua" "$duration"
    fi
    out="$work/$path-$round.out"
    r="$(wrk_field "$out" rps)"
    printf '  round %d  %-8s %12s requests/s  p50 %s ms  p99 %s ms\n' "$round" "$path" "$r" \
      "$(wrk_field "$out" p50)" "$(wrk_field "$out" p99)"
    rps[$path]+="$r "
    p50[$path]+="$(wrk_field "$out" p50) "
    p99[$path]+="$(wrk_field "$out" p99) "
    non2xx[$path]=$(( ${non2xx[$path]} + $(wrk_field "$out" non2xx) ))
    errors[$path]=$(( ${errors[$path]} + $(wrk_field "$out" errors) ))
  done
done
stop_server

# shellcheck disable=SC2086  # the lists are meant to split
ping_rps="$(median ${rps[ping]})"; runsync_rps="$(median ${rps[runsync]})"
ratio="$(awk -v a="$runsync_rps" -v b="$ping_rps" 'BEGIN { printf "%.3f", a / b }')"
cpu="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
machine="$(nproc) CPUs${cpu:+ ($cpu)}, $( (java -version 2>&1 || true) | head -n 1 | tr -d '"')"
wrk_version="$( (wrk -v 2>&1 || true) | head -n 1 | awk '{ print $1, $2 }')"
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
jar_built="$(date -u -r "$jar" +%Y-%m-%dT%H:%M:%SZ)"

# 12345.6 -> 12,346
grouped() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); out = ""
  while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
  print s out }'; }
json_list() { printf '%s\n' "$@" | awk 'NF { printf "%s%s", (n++ ? ", " : ""), $1 }'; }
path_json() {
  local path="$1" request="$2"
  # shellcheck disable=SC2086
  printf '  "%s": {"request": "%s", "rps": [%s], "medianRps": %s, "p50Ms": %s, "p99Ms": %s, "non2xx": %s, "socketErrors": %s}' \
    "$path" "$request" "$(json_list ${rps[$path]})" "$(median ${rps[$path]})" "$(median ${p50[$path]})" \
    "$(median ${p99[$path]})" "${non2xx[$path]}" "${errors[$path]}"
}
{
  echo "{"
  printf '  "measuredAt": "%s", "machine": "%s", "wrk": "%s", "server": "%s",\n' \
    "$stamp" "$machine" "$wrk_version" "runline-server (jar built $jar_built), echo endpoint (cpu backend, 2 workers, limits off)"
  printf '  "threads": %d, "connections": %d, "durationSeconds": %d, "rounds": %d,\n' \
    "$threads" "$connections" "$duration" "$rounds"
  path_json ping "GET /ping"; echo ","
  path_json runsync "POST /v2/echo/runsync"; echo ","
  printf '  "ratio": %s\n' "$ratio"
  echo "}"
} > "$results/http.json"

met=no
if awk -v r="$ratio" 'BEGIN { exit !(r >= 0.7) }' && [[ "${non2xx[runsync]}" -eq 0 && "${errors[runsync]}" -eq 0 ]]; then
  met=yes
fi
# shellcheck disable=SC2086
{
  echo "# Runline HTTP figures"
  echo
  echo "Measured $stamp on $machine, with $wrk_version: \`wrk -t$threads -c$connections -d${duration}s --latency\`"
  echo "on loopback against \`$jar\` (built $jar_built; echo endpoint on the cpu backend, 2 workers, limits off;"
  echo "client and server share the machine's cores). Each path ran $rounds times, alternating, after a"
  echo "${warmup}-second warm-up of each; the table has the median of the runs."
  echo
  echo "| request | requests/s (median) | runs | p50 (ms) | p99 (ms) | non-2xx | socket errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for path in ping runsync; do
    request="GET /ping"; [[ "$path" == runsync ]] && request="POST /v2/echo/runsync"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$request" \
      "$(grouped "$(median ${rps[$path]})")" "$(for r in ${rps[$path]}; do grouped "$r"; done | paste -sd ' ' | sed 's/ /; /g')" \
      "$(median ${p50[$path]})" "$(median ${p99[$path]})" "${non2xx[$path]}" "${errors[$path]}"
  done
  echo
  echo "runsync / ping: **$ratio×** (target ≥ 0.7×: $met)."
  echo
  echo "Reproduce: \`benchmarks/http.sh\` (10-second runs) or \`benchmarks/http.sh --quick\` (5 s)."
} > "$results/http.md"

cat "$results/http.md"
echo
echo "Written: $results/http.md, $results/http.json"
