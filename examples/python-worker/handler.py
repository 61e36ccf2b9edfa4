"""A serverless worker as the service's users write one, with its official worker library.

Nothing here knows about Runline: the same file runs on the service. Pick the handler with
HANDLER (plain, stream or progress); the library reads where to take jobs from, and the key to
send, from its environment (see README.md beside this file).
"""
import os
import time

import runpod


def plain(job):
    """Returns one output: {"output": ...} in the job's status."""
    prompt = job["input"].get("prompt", "")
    if not prompt:
        # A dict with an "error" key fails the job with that message.
        return {"error": "input.prompt is missing; send {\"input\": {\"prompt\": \"...\"}}"}
    return {"text": prompt.upper(), "words": len(prompt.split())}


def stream(job):
    """A generator: each value is a chunk readable through /stream while the job runs."""
    for word in job["input"].get("prompt", "").split():
        time.sleep(float(job["input"].get("delay", 0.1)))
        yield {"token": word}


def progress(job):
    """Reports progress (shown as the job's output while it runs), then returns its result."""
    steps = int(job["input"].get("steps", 5))
    for step in range(1, steps + 1):
        time.sleep(float(job["input"].get("delay", 0.5)))
        runpod.serverless.progress_update(job, f"step {step} of {steps}")
    return {"steps": steps}


HANDLERS = {"plain": plain, "stream": stream, "progress": progress}

if __name__ == "__main__":
    runpod.serverless.start({
        "handler": HANDLERS[os.environ.get("HANDLER", "plain")],
        # A generator's chunks are also its final output, as a list.
        "return_aggregate_stream": True,
    })
