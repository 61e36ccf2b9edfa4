#!/usr/bin/env bash
# HTTP throughput of the server on loopback, measured with wrk: POST /v2/echo/runsync (a no-op
# echo job, end to end: HTTP, JSON, authentication, the per-key rate limits, admission, the
# job, the answer) against GET /ping (HTTP only) on the same server, and the server's thread
# wake-ups (voluntary context switches) per request of each. Writes under benchmarks/results/:
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
# it is missing, starts it on a free port with 256 generated API keys (RUNLINE_API_KEYS) and
# a configuration whose echo endpoint keeps every default limit (per API key: /runsync 2000
# requests per 10 s, 400 in flight), waits until /ping answers, runs wrk -t2 -c64 on both
# paths with a Lua script that sends each request with the next of the 256 keys (round robin
# per wrk thread; /ping gets the same script, so wrk does the same work per request on both
# paths), reads the server's /proc/<pid>/task/*/status before, during (every second) and
# after each measured run, and stops the server with SIGTERM.
#
# The limits stay on so that /runsync takes the real path, and the keys are many so that
# they do not refuse: each key's bucket holds 2000 tokens and refills 200 per second, so 256
# keys sustain 51,200 requests/s, beyond that only for as long as the buckets' 2000-token
# reserve lasts (a 10-second run refuses nothing below about 100,000 requests/s). A refusal
# would be a fast 429: non-2xx answers are counted, and any makes the figure invalid.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

duration=10
rounds=2
threads=2
connections=64
# The JIT compiles the hot paths and the heap settles within seconds of load: the first
# measured run is steady only after a warm-up of several seconds (seen here: 2 s left the
# first runsync run 25% below the second).
warmup=8
keys=256
poll=1
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

# $keys keys of one random prefix: bench-<24 hex>-000 ... bench-<24 hex>-255.
prefix="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
key_list=()
for i in $(seq 0 $((keys - 1))); do
  key_list+=("$(printf '%s-%03d' "$prefix" "$i")")
done
key="${key_list[0]}"
# The echo endpoint with every route's default limit (no limits: key).
cat > "$work/runline.yaml" <<'YAML'
endpoints:
  echo:
    handler: echo
    backend: cpu
    workers: 2
YAML
# keys.lua METHOD PATH BODY: wrk's Lua; each thread formats one request per key at start and
# sends them in turn, thread t starting at key t * 128 (so both threads spread over every key).
lua_keys="$(printf '"%s", ' "${key_list[@]}")"
write_lua() {
  local file="$1" method="$2" path="$3" body="$4"
  cat > "$file" <<LUA
local keys = { $lua_keys }
local method, path, body = "$method", "$path", [[$body]]
local requests = {}
local at = 1
local threads = 0
function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end
function init(args)
  for i, key in ipairs(keys) do
    local headers = { ["Authorization"] = "Bearer " .. key }
    if body ~= "" then headers["Content-Type"] = "application/json" end
    requests[i] = wrk.format(method, path, headers, body ~= "" and body or nil)
  end
  at = ((index or 0) * 128) % #requests + 1
end
function request()
  local r = requests[at]
  at = at % #requests + 1
  return r
end
LUA
}
write_lua "$work/runsync.lua" POST /v2/echo/runsync '{"input": {"prompt": "hello"}}'
write_lua "$work/ping.lua" GET /ping ''

# Port 0: the server takes a free port and prints its base URL, so no other process can
# take the port between choosing and binding it. The keys go in the environment, not on the
# command line.
RUNLINE_API_KEYS="$(IFS=,; echo "${key_list[*]}")" \
  java -jar "$jar" --port 0 --config "$work/runline.yaml" > "$work/server.log" 2>&1 &
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
# Every key works (the server took them all), and the endpoint's limits are the defaults.
last="${key_list[$((keys - 1))]}"
answer="$(curl -sS --max-time 10 -X POST "$base/v2/echo/runsync" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $last" -d '{"input": {"prompt": "hello"}}')"
if [[ "$answer" != *'"COMPLETED"'* ]]; then
  echo "http.sh: /runsync with the last of the $keys keys did not complete a job: $answer" >&2
  exit 1
fi
echo "Server at $base ($keys API keys, default limits); wrk -t$threads -c$connections -d${duration}s, $rounds round(s) per path"

# switches_snapshot: "tid voluntary_ctxt_switches" for every thread of the server now.
switches_snapshot() {
  awk '/^voluntary_ctxt_switches:/ { n = split(FILENAME, p, "/"); print p[n - 1], $2 }' \
    /proc/"$server_pid"/task/*/status 2>/dev/null || true
}
# switches_between BEFORE LATER...: the server's voluntary switches from the BEFORE snapshot to
# the newest of the LATER ones, per thread (a thread counts up to its last snapshot: one that
# ended mid-run keeps what the poll saw; one that started mid-run counts from zero).
switches_between() {
  local before="$1"; shift
  cat "$@" | awk -v before="$before" '
    BEGIN { while ((getline line < before) > 0) { split(line, f, " "); b[f[1]] = f[2] } }
    { if (!($1 in last) || $2 > last[$1]) last[$1] = $2 }
    END { for (t in last) n += last[t] - ((t in b) ? b[t] : 0); print n + 0 }'
}

# wrk_run NAME URL LUA SECONDS: one run; its output is kept in $work/NAME.out, and the server's
# voluntary context switches over it in $work/NAME.switches.
wrk_run() {
  local name="$1" url="$2" script="$3"
  switches_snapshot > "$work/$name.before"
  : > "$work/$name.during"
  ( while kill -0 "$server_pid" 2>/dev/null; do sleep "$poll"; switches_snapshot >> "$work/$name.during"; done ) &
  local poller=$!
  wrk -t"$threads" -c"$connections" -d"$4"s --latency -s "$script" "$url" > "$work/$name.out"
  kill "$poller" 2>/dev/null || true
  wait "$poller" 2>/dev/null || true
  switches_snapshot > "$work/$name.after"
  switches_between "$work/$name.before" "$work/$name.during" "$work/$name.after" > "$work/$name.switches"
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
    requests) awk '/ requests in / { print $1 }' "$file" ;;
  esac
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "Warming up (${warmup} s each) ..."
wrk_run warm-ping "$base/ping" "$work/ping.lua" "$warmup"
wrk_run warm-runsync "$base/v2/echo/runsync" "$work/runsync.lua" "$warmup"

declare -A rps p50 p99 non2xx errors requests switches
for path in ping runsync; do
  rps[$path]=""; p50[$path]=""; p99[$path]=""; non2xx[$path]=0; errors[$path]=0; requests[$path]=0; switches[$path]=0
done
for round in $(seq 1 "$rounds"); do
  for path in ping runsync; do
    if [[ "$path" == ping ]]; then
      wrk_run "$path-$round" "$base/ping" "$work/ping.lua" "$duration"
    else
      wrk_run "$path-$round" "$base/v2/echo/runsync" "$work/runsync.lua" "$duration"
    fi
    out="$work/$path-$round.out"
    r="$(wrk_field "$out" rps)"
    n="$(wrk_field "$out" requests)"
    sw="$(cat "$work/$path-$round.switches")"
    printf '  round %d  %-8s %12s requests/s  p50 %s ms  p99 %s ms  %s wake-ups per request\n' "$round" "$path" "$r" \
      "$(wrk_field "$out" p50)" "$(wrk_field "$out" p99)" \
      "$(awk -v s="$sw" -v n="$n" 'BEGIN { printf "%.3f", (n > 0 ? s / n : 0) }')"
    rps[$path]+="$r "
    p50[$path]+="$(wrk_field "$out" p50) "
    p99[$path]+="$(wrk_field "$out" p99) "
    non2xx[$path]=$(( ${non2xx[$path]} + $(wrk_field "$out" non2xx) ))
    errors[$path]=$(( ${errors[$path]} + $(wrk_field "$out" errors) ))
    requests[$path]=$(( ${requests[$path]} + n ))
    switches[$path]=$(( ${switches[$path]} + sw ))
  done
done
stop_server

# shellcheck disable=SC2086  # the lists are meant to split
ping_rps="$(median ${rps[ping]})"; runsync_rps="$(median ${rps[runsync]})"
ratio="$(awk -v a="$runsync_rps" -v b="$ping_rps" 'BEGIN { printf "%.3f", a / b }')"
per_request() { awk -v s="${switches[$1]}" -v n="${requests[$1]}" 'BEGIN { printf "%.3f", (n > 0 ? s / n : 0) }'; }
# What the keys' /runsync buckets allow: each holds 2000 tokens and refills 200 a second, so
# $keys keys sustain $keys × 200 requests/s, and a run of $duration s that starts with full
# buckets (the /ping run before it refills them) refuses nothing below
# $keys × (2000 + 200 × $duration) / $duration requests/s.
sustained=$(( keys * 200 ))
ceiling=$(( keys * (2000 + 200 * duration) / duration ))
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
  printf '  "%s": {"request": "%s", "rps": [%s], "medianRps": %s, "p50Ms": %s, "p99Ms": %s, "non2xx": %s, "socketErrors": %s,\n' \
    "$path" "$request" "$(json_list ${rps[$path]})" "$(median ${rps[$path]})" "$(median ${p50[$path]})" \
    "$(median ${p99[$path]})" "${non2xx[$path]}" "${errors[$path]}"
  printf '    "requests": %s, "voluntarySwitches": %s, "switchesPerRequest": %s}' \
    "${requests[$path]}" "${switches[$path]}" "$(per_request "$path")"
}
{
  echo "{"
  printf '  "measuredAt": "%s", "machine": "%s", "wrk": "%s", "server": "%s",\n' \
    "$stamp" "$machine" "$wrk_version" "runline-server (jar built $jar_built), echo endpoint (cpu backend, 2 workers, default limits)"
  printf '  "threads": %d, "connections": %d, "durationSeconds": %d, "rounds": %d, "apiKeys": %d,\n' \
    "$threads" "$connections" "$duration" "$rounds" "$keys"
  printf '  "limits": "default (/runsync: 2000 requests per 10 s and 400 in flight, per API key)", "sustainedLimitRps": %d, "runLimitRps": %d,\n' \
    "$sustained" "$ceiling"
  path_json ping "GET /ping"; echo ","
  path_json runsync "POST /v2/echo/runsync"; echo ","
  printf '  "ratio": %s\n' "$ratio"
  echo "}"
} > "$results/http.json"

# The targets: runsync / ping must ≥ 0.5, beyond ≥ 0.7 (a refusal voids it); wake-ups ≤ 2 per /runsync.
met=no
if [[ "${non2xx[runsync]}" -eq 0 && "${errors[runsync]}" -eq 0 ]]; then
  if awk -v r="$ratio" 'BEGIN { exit !(r >= 0.7) }'; then met=beyond
  elif awk -v r="$ratio" 'BEGIN { exit !(r >= 0.5) }'; then met=must
  fi
fi
wake_met=no
if awk -v r="$(per_request runsync)" 'BEGIN { exit !(r <= 2) }'; then wake_met=must; fi
near_ceiling=false
# shellcheck disable=SC2086
fastest="$(printf '%s\n' ${rps[runsync]} | sort -g | tail -n 1)"
if awk -v r="$fastest" -v c="$ceiling" 'BEGIN { exit !(r > 0.8 * c) }'; then near_ceiling=true; fi
# shellcheck disable=SC2086
{
  echo "# Runline HTTP figures"
  echo
  echo "Measured $stamp on $machine, with $wrk_version: \`wrk -t$threads -c$connections -d${duration}s --latency\`"
  echo "on loopback against \`$jar\` (built $jar_built; echo endpoint on the cpu backend, 2 workers, every"
  echo "route's default limit; client and server share the machine's cores), requests spread over $keys API keys"
  echo "(round robin per wrk thread; the keys' /runsync buckets sustain $(grouped "$sustained") requests/s, and a"
  echo "${duration}-second run from full buckets is refused nothing below $(grouped "$ceiling") requests/s). Each path ran"
  echo "$rounds times, alternating, after a ${warmup}-second warm-up of each; the table has the median of the runs."
  echo "Wake-ups: the server's voluntary context switches (\`/proc/<pid>/task/*/status\`, every thread) over the"
  echo "measured runs of a path, over the requests wrk completed in them."
  echo
  echo "| request | requests/s (median) | runs | p50 (ms) | p99 (ms) | non-2xx | socket errors | wake-ups per request |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for path in ping runsync; do
    request="GET /ping"; [[ "$path" == runsync ]] && request="POST /v2/echo/runsync"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$request" \
      "$(grouped "$(median ${rps[$path]})")" "$(for r in ${rps[$path]}; do grouped "$r"; done | paste -sd ' ' | sed 's/ /; /g')" \
      "$(median ${p50[$path]})" "$(median ${p99[$path]})" "${non2xx[$path]}" "${errors[$path]}" "$(per_request "$path")"
  done
  echo
  echo "runsync / ping: **$ratio×** (must ≥ 0.5×, beyond ≥ 0.7×: **$met**)."
  echo "Wake-ups per /runsync: **$(per_request runsync)** (must ≤ 2: **$wake_met**)."
  if [[ "$near_ceiling" == true ]]; then
    echo
    echo "**Warning:** /runsync ran above 80% of what the $keys keys' default limits allow a ${duration}-second run;"
    echo "raise the number of keys (or the runsync limit in http.sh's configuration) before trusting the figure."
  fi
  echo
  echo "Reproduce: \`benchmarks/http.sh\` (10-second runs) or \`benchmarks/http.sh --quick\` (5 s)."
} > "$results/http.md"

cat "$results/http.md"
echo
echo "Written: $results/http.md, $results/http.json"
