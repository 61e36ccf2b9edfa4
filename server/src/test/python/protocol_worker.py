"""A serverless worker process written from the worker protocol (shared/WORKER-PROTOCOL.md),
with the Python standard library only: it reads the environment the service's worker library
reads, takes jobs, sends heartbeats, polls for stop signals, and reports progress, stream
chunks, results and failures with the same requests and bodies as the library.

What it runs depends on the job's input:
  {"mode": "echo", ...}            returns the input
  {"mode": "stream", "words": [..]} a generator: each word a chunk, then the aggregate
  {"mode": "progress", "steps": n}  n progress updates, then {"steps": n}
  {"mode": "sleep", "seconds": s}   waits (stopped early by a stop signal)
  {"mode": "fail", "message": m}    raises ValueError(m)

Each job it starts and each stop it receives is written to RUNLINE_TEST_LOG, one line each
("ran <id>", "stopped <id>"), so a test can tell what ran where.
"""
import json
import os
import socket
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request

VERSION = "1.12.0"
WORKER_ID = os.environ.get("RUNPOD_POD_ID", "worker")
KEY = os.environ.get("RUNPOD_AI_API_KEY", "")
TAKE_URL = os.environ["RUNPOD_WEBHOOK_GET_JOB"].replace("$ID", WORKER_ID)
STOP_URL = TAKE_URL.replace("/job-take/", "/job-stop/")
DONE_URL = os.environ["RUNPOD_WEBHOOK_POST_OUTPUT"].replace("$RUNPOD_POD_ID", WORKER_ID)
STREAM_URL = os.environ["RUNPOD_WEBHOOK_POST_STREAM"].replace("$RUNPOD_POD_ID", WORKER_ID)
PING_URL = os.environ["RUNPOD_WEBHOOK_PING"].replace("$RUNPOD_POD_ID", WORKER_ID)
PING_SECONDS = int(os.environ.get("RUNPOD_PING_INTERVAL", "10000")) / 1000.0
LOG = os.environ.get("RUNLINE_TEST_LOG")

running = {}  # job id -> threading.Event set when the job must stop
running_lock = threading.Lock()
log_lock = threading.Lock()


def note(line):
    if LOG:
        with log_lock, open(LOG, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def request(url, method="GET", body=None, job_id=None, timeout=120):
    headers = {"Authorization": KEY}
    data = None
    if body is not None:
        # As the library sends it: JSON text under a form content type.
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["charset"] = "utf-8"
        headers["X-Request-ID"] = job_id
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as response:
        text = response.read().decode("utf-8")
        return response.status, (json.loads(text) if text else None)


def post(url, job_id, body):
    """A result or chunk, tried three times as the library does, then only logged."""
    for attempt in range(3):
        try:
            return request(url, "POST", body, job_id, timeout=30)
        except urllib.error.HTTPError as refused:
            if refused.code < 500:
                return refused.code, None
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2 * (attempt + 1))
    print("could not send for job %s" % job_id, file=sys.stderr)
    return None, None


def send_result(job_id, body, is_stream=False):
    post(DONE_URL.replace("$ID", job_id) + "&isStream=" + ("true" if is_stream else "false"), job_id, body)


def run_job(job):
    job_id = job["id"]
    stop = running[job_id]
    note("ran " + job_id)
    spec = job.get("input") or {}
    mode = spec.get("mode", "echo")
    try:
        if mode == "stream":
            chunks = []
            for word in spec.get("words", []):
                if stop.is_set():
                    return
                post(STREAM_URL.replace("$ID", job_id) + "&isStream=false", job_id, {"output": word})
                chunks.append(word)
            send_result(job_id, {"output": chunks}, is_stream=True)
        elif mode == "progress":
            steps = int(spec.get("steps", 3))
            for step in range(steps):
                send_result(job_id, {"status": "IN_PROGRESS", "output": "step %d of %d" % (step + 1, steps)})
            send_result(job_id, {"output": {"steps": steps}})
        elif mode == "sleep":
            if stop.wait(float(spec.get("seconds", 1))):
                return  # Stopped: the server itself ends the job; the worker sends nothing.
            send_result(job_id, {"output": {"slept": spec.get("seconds", 1)}})
        elif mode == "fail":
            raise ValueError(spec.get("message", "failed"))
        else:
            send_result(job_id, {"output": spec})
    except Exception as error:  # pylint: disable=broad-except
        details = {
            "error_type": str(type(error)),
            "error_message": str(error),
            "error_traceback": traceback.format_exc(),
            "hostname": socket.gethostname(),
            "worker_id": WORKER_ID,
            "runpod_version": VERSION,
        }
        send_result(job_id, {"error": json.dumps(details)})
    finally:
        with running_lock:
            running.pop(job_id, None)


def poll_stops():
    while True:
        try:
            status, body = request(STOP_URL + "&job_in_progress=" + ("1" if running else "0"))
            if status == 200 and body:
                for job_id in body.get("jobsToStop", []):
                    note("stopped " + job_id)
                    with running_lock:
                        event = running.get(job_id)
                    if event is not None:
                        event.set()
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)


def heartbeat():
    while True:
        with running_lock:
            ids = ",".join(running.keys())
        try:
            request(PING_URL + ("&" if "?" in PING_URL else "?") + "job_id=" + ids + "&runpod_version=" + VERSION,
                    timeout=30)
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(PING_SECONDS)


def main():
    threading.Thread(target=poll_stops, daemon=True).start()
    threading.Thread(target=heartbeat, daemon=True).start()
    print("worker %s taking jobs from %s" % (WORKER_ID, TAKE_URL), flush=True)
    while True:
        try:
            status, job = request(TAKE_URL + "&job_in_progress=" + ("1" if running else "0"))
        except urllib.error.HTTPError as refused:
            time.sleep(5 if refused.code == 429 else 1)
            continue
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
            continue
        if status != 200 or not job:
            continue
        with running_lock:
            running[job["id"]] = threading.Event()
        # One job at a time, as the library's default concurrency; its thread lets the stop
        # poller and the heartbeat go on meanwhile.
        worker = threading.Thread(target=run_job, args=(job,), daemon=True)
        worker.start()
        worker.join()


if __name__ == "__main__":
    main()
