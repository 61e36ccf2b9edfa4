#!/usr/bin/env bash
# Installs the programs the tests drive for real, where they are missing, with the OS package
# manager (Debian/Ubuntu: apt-get, as root or through sudo):
#   wrk                       the HTTP load tests
#   redis-server              the Redis store's tests (each test starts its own on a free port)
#   chromium, chromium-driver the dashboard's browser tests (headless)
#   node, npm                 the JavaScript SDK tests
#   python3                   the worker processes of the remote-worker tests (standard library only)
# The root POM runs it at the start of every build of the whole project (`mvn test`), so the
# README's test command needs nothing installed by hand. Quick when everything is present:
# it only looks at the PATH. Set RUNLINE_SKIP_TEST_TOOLS=1 to leave the machine as it is.
set -euo pipefail

if [[ "${RUNLINE_SKIP_TEST_TOOLS:-}" == 1 ]]; then
  exit 0
fi

# program on the PATH -> Debian package that provides it
declare -A packages=(
  [wrk]=wrk
  [redis-server]=redis-server
  [chromium]=chromium
  [chromedriver]=chromium-driver
  [node]=nodejs
  [npm]=npm
  [python3]=python3
)

missing=()
for program in wrk redis-server chromium chromedriver node npm python3; do
  if ! command -v "$program" >/dev/null 2>&1; then
    missing+=("${packages[$program]}")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "test tools: installing ${missing[*]} (missing from the PATH)"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test tools: no apt-get here; install ${missing[*]} by hand, or the tests that need them fail" >&2
  exit 1
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
  else
    echo "test tools: not root and no sudo; install ${missing[*]} by hand" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]+"${sudo[@]}"}" apt-get update -qq
"${sudo[@]+"${sudo[@]}"}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "test tools: installed ${missing[*]}"
