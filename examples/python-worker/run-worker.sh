#!/bin/sh
# Starts one worker of examples/python-worker/handler.py against a local runline-server.
#   WORKER_KEY  a worker key the server was started with (--worker-key)
#   RUNLINE     the server's root (default http://127.0.0.1:8080), ENDPOINT (default my-endpoint)
#   ID          this worker's id (default: the host name and this shell's pid)
#   HANDLER     plain, stream or progress (default plain)
set -eu
: "${WORKER_KEY:?set WORKER_KEY to a worker key of the server}"
RUNLINE="${RUNLINE:-http://127.0.0.1:8080}"
ENDPOINT="${ENDPOINT:-my-endpoint}"
BASE="$RUNLINE/v2/$ENDPOINT"

export RUNPOD_POD_ID="${ID:-$(hostname)-$$}"
export RUNPOD_AI_API_KEY="$WORKER_KEY"
# Each URL already has a '?': the library appends '&name=value' to them. The templates are in
# single quotes: $ID and $RUNPOD_POD_ID are filled in by the library, not by this shell.
export RUNPOD_WEBHOOK_GET_JOB="$BASE"'/job-take/$ID?x=1'
export RUNPOD_WEBHOOK_POST_OUTPUT="$BASE"'/job-done/$RUNPOD_POD_ID/$ID?x=1'
export RUNPOD_WEBHOOK_POST_STREAM="$BASE"'/job-stream/$RUNPOD_POD_ID/$ID?x=1'
export RUNPOD_WEBHOOK_PING="$BASE"'/ping/$RUNPOD_POD_ID?x=1'
export RUNPOD_PING_INTERVAL="${RUNPOD_PING_INTERVAL:-10000}"
exec python3 "$(dirname "$0")/handler.py"
