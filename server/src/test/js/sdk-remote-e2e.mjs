// End-to-end check of a Runline endpoint served by remote worker processes, through the
// service's official JavaScript SDK (npm package runpod-sdk), used as its README shows.
//
//   RUNLINE_BASE_URL  the SDK's `baseUrl`: the server's root with /v2
//   RUNLINE_API_KEY   a client API key the server accepts
//   RUNLINE_ENDPOINT  the endpoint on backend remote, served by src/test/python/protocol_worker.py
//
// Prints one JSON line per check, {"check": ..., "ok": true, "detail": ...}, and exits 1 on the
// first failure with a readable message on stderr.

import runpodSdk from "runpod-sdk";
import { isDeepStrictEqual } from "node:util";
import { setTimeout as delay } from "node:timers/promises";

const WATCHDOG_MS = 100_000;
const baseUrl = process.env.RUNLINE_BASE_URL;
const apiKey = process.env.RUNLINE_API_KEY;
const endpointId = process.env.RUNLINE_ENDPOINT;
if (!baseUrl || !apiKey || !endpointId) {
  console.error("sdk-remote-e2e: set RUNLINE_BASE_URL, RUNLINE_API_KEY and RUNLINE_ENDPOINT");
  process.exit(2);
}
const remote = runpodSdk(apiKey, { baseUrl }).endpoint(endpointId);
let current = "(start)";

class CheckFailed extends Error {}

function expect(condition, message, actual) {
  if (!condition) {
    throw new CheckFailed(actual === undefined ? message : `${message}; got ${JSON.stringify(actual)}`);
  }
}

function describe(error) {
  if (error instanceof CheckFailed) {
    return error.message;
  }
  const response = error?.response;
  if (response && response.status !== undefined) {
    return `the SDK's request failed: HTTP ${response.status} ${JSON.stringify(response.data ?? null)}`;
  }
  return `${error?.name ?? "Error"}: ${error?.message ?? error}`;
}

function fail(check, message) {
  console.log(JSON.stringify({ check, ok: false, error: message }));
  console.error(`sdk-remote-e2e: check "${check}" FAILED against ${baseUrl}: ${message}`);
  process.exit(1);
}

async function check(name, body) {
  current = name;
  let detail;
  try {
    detail = await body();
  } catch (error) {
    fail(name, describe(error));
  }
  console.log(JSON.stringify({ check: name, ok: true, detail }));
}

async function pollStatus(id, done, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = await remote.status(id);
    if (done(status)) {
      return status;
    }
    expect(Date.now() < deadline, `job ${id} did not become ${what} within ${ms} ms`, status);
    await delay(50);
  }
}

const watchdog = setTimeout(() => {
  fail(current, `still running after ${WATCHDOG_MS / 1000} s`);
}, WATCHDOG_MS);
watchdog.unref();

await check("remote-run-stream", async () => {
  const words = ["taken", "streamed", "completed"];
  const queued = await remote.run({ input: { mode: "stream", words } });
  expect(typeof queued?.id === "string" && queued.status === "IN_QUEUE", "run answered no queued job", queued);
  const chunks = [];
  for await (const chunk of remote.stream(queued.id)) {
    chunks.push(chunk.output);
  }
  expect(isDeepStrictEqual(chunks, words), "the stream did not yield the worker's chunks in order", chunks);
  const done = await pollStatus(queued.id, (s) => s.completed, 30_000, "terminal");
  expect(done.status === "COMPLETED" && isDeepStrictEqual(done.output, words), "the job did not complete", done);
  return { id: queued.id, chunks, status: done.status, workerId: done.workerId };
});

await check("remote-runSync", async () => {
  const input = { mode: "echo", prompt: "hi" };
  const result = await remote.runSync({ input }, 30_000);
  expect(result.status === "COMPLETED" && result.succeeded === true, "runSync did not answer COMPLETED", result);
  expect(isDeepStrictEqual(result.output, input), "runSync's output is not the worker's", result.output);
  return { id: result.id, status: result.status };
});

await check("remote-failure", async () => {
  const result = await remote.runSync({ input: { mode: "fail", message: "no such model" } }, 30_000);
  expect(result.status === "FAILED", "a raising handler did not fail the job", result);
  const details = JSON.parse(result.error);
  expect(details.error_message === "no such model", "the error is not the worker's exception details", result.error);
  return { id: result.id, status: result.status, errorType: details.error_type };
});

await check("remote-cancel", async () => {
  const queued = await remote.run({ input: { mode: "sleep", seconds: 600 } });
  const running = await pollStatus(queued.id, (s) => s.status !== "IN_QUEUE", 30_000, "IN_PROGRESS");
  expect(running.status === "IN_PROGRESS", "the sleep job is not running on a worker", running);
  const cancelled = await remote.cancel(queued.id);
  expect(cancelled?.status === "CANCELLED", "cancel did not answer CANCELLED", cancelled);
  // The worker, told to stop, takes the next job.
  const next = await remote.runSync({ input: { mode: "echo", after: "cancel" } }, 30_000);
  expect(next.status === "COMPLETED", "the worker did not take a job after its cancelled one", next);
  return { id: queued.id, cancel: cancelled.status, next: next.status };
});

await check("remote-timeout", async () => {
  const queued = await remote.run({ input: { mode: "sleep", seconds: 600 }, policy: { executionTimeout: 5000 } });
  const done = await pollStatus(queued.id, (s) => s.completed, 60_000, "terminal");
  expect(done.status === "TIMED_OUT", "a job past its executionTimeout did not end TIMED_OUT", done);
  return { id: queued.id, status: done.status };
});

await check("remote-health", async () => {
  const health = await remote.health();
  expect(health.workers.idle + health.workers.running >= 1, "health counts no worker", health);
  expect(health.jobs.completed >= 3 && health.jobs.failed >= 1, "health does not count the jobs run", health);
  return health;
});

clearTimeout(watchdog);
