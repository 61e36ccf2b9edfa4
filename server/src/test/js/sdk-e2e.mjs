// End-to-end check of a Runline server with the service's official JavaScript SDK
// (npm package runpod-sdk), used exactly as its README shows.
//
//   RUNLINE_BASE_URL  what the SDK takes as `baseUrl`: the server's root *with* /v2,
//                     e.g. http://127.0.0.1:8080/v2 (the SDK builds `${baseUrl}/${endpointId}/run`)
//   RUNLINE_API_KEY   an API key the server accepts
//   RUNLINE_OTHER_BASE_URL  optional: another node sharing the first one's jobs (a cluster on
//                     one Redis); then jobs run through the first are also read, waited for,
//                     streamed and cancelled through the other ("other-node-*" checks)
//
// The server must have the demo endpoints echo, tokens and sleep (runline-server's default
// configuration, or the test fixture). Prints one JSON line per check,
// {"check": ..., "ok": true, "detail": ...}, and exits 1 on the first failure with a
// readable message on stderr (and a {"check": ..., "ok": false, "error": ...} line).
// The SDK itself prints a line of its own ("<id>: <status>") while runSync polls.

import runpodSdk from "runpod-sdk";
import { isDeepStrictEqual } from "node:util";
import { setTimeout as delay } from "node:timers/promises";

const WATCHDOG_MS = 100_000;

const baseUrl = process.env.RUNLINE_BASE_URL;
const apiKey = process.env.RUNLINE_API_KEY;
if (!baseUrl || !apiKey) {
  console.error("sdk-e2e: set RUNLINE_BASE_URL (e.g. http://127.0.0.1:8080/v2) and RUNLINE_API_KEY");
  process.exit(2);
}

const runpod = runpodSdk(apiKey, { baseUrl });
const echo = runpod.endpoint("echo");
const tokens = runpod.endpoint("tokens");
const sleep = runpod.endpoint("sleep");

let current = "(start)";

class CheckFailed extends Error {}

function expect(condition, message, actual) {
  if (!condition) {
    throw new CheckFailed(actual === undefined ? message : `${message}; got ${JSON.stringify(actual)}`);
  }
}

/** What the SDK's HTTP client (xior) throws on a non-2xx answer or a network error, in words. */
function describe(error) {
  if (error instanceof CheckFailed) {
    return error.message;
  }
  const response = error?.response;
  if (response && response.status !== undefined) {
    const method = error.config?.method ?? error.request?.method ?? "";
    const url = error.config?._url ?? error.config?.url ?? "";
    return `the SDK's request ${method} ${url} failed: HTTP ${response.status} ${JSON.stringify(response.data ?? null)}`;
  }
  const cause = error?.cause ? ` (cause: ${error.cause.code ?? ""} ${error.cause.message ?? error.cause})` : "";
  return `${error?.name ?? "Error"}: ${error?.message ?? error}${cause}`;
}

function fail(check, message) {
  console.log(JSON.stringify({ check, ok: false, error: message }));
  console.error(`sdk-e2e: check "${check}" FAILED against ${baseUrl}: ${message}`);
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

/** Polls endpoint.status(id) (the SDK's GET /status/{id}) until `done(status)`, at most `ms`. */
async function pollStatus(endpoint, id, done, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = await endpoint.status(id);
    if (done(status)) {
      return status;
    }
    expect(Date.now() < deadline, `job ${id} did not become ${what} within ${ms} ms`, status);
    await delay(20);
  }
}

const watchdog = setTimeout(() => {
  fail(current, `still running after ${WATCHDOG_MS / 1000} s (the SDK call may be waiting on an answer that never comes)`);
}, WATCHDOG_MS);
watchdog.unref();

await check("run-status", async () => {
  const input = { prompt: "Your prompt", n: 1, nested: { list: [1, 2, 3] } };
  const queued = await echo.run({ input });
  expect(typeof queued?.id === "string" && queued.id.length > 0, "run answered no job id", queued);
  expect(queued.status === "IN_QUEUE", "run answered a status other than IN_QUEUE", queued);
  const done = await pollStatus(echo, queued.id, (s) => s.completed, 10_000, "terminal");
  expect(done.status === "COMPLETED" && done.succeeded === true, "the echo job did not complete", done);
  expect(done.id === queued.id, "status answered another job's id", done);
  expect(isDeepStrictEqual(done.output, input), "the echo job's output is not its input", done.output);
  expect(Number.isInteger(done.delayTime) && Number.isInteger(done.executionTime),
    "the status body lacks delayTime/executionTime", done);
  return { id: queued.id, status: done.status, output: done.output };
});

await check("runSync", async () => {
  const input = { prompt: "hi", temperature: 0.5 };
  const result = await echo.runSync({ input });
  expect(result.status === "COMPLETED", "runSync did not answer COMPLETED", result);
  expect(result.completed === true && result.succeeded === true, "the SDK does not see the job as succeeded", result);
  expect(typeof result.id === "string" && result.id.startsWith("sync-"), "a runsync job id starts with sync-", result.id);
  expect(isDeepStrictEqual(result.output, input), "runSync's output is not the input", result.output);
  return { id: result.id, status: result.status, output: result.output };
});

// runSync(request, timeout) sends POST /runsync?wait=<timeout>; when the job is still running
// after that wait, the SDK polls GET /status-sync/{id}?wait=<remaining> until it is terminal.
// A 1.1 s job against a 1 s wait takes that path (if the server's wait fires late under load,
// runsync answers COMPLETED itself: still correct, only the polling is not exercised).
await check("runSync-polls-status-sync", async () => {
  const started = Date.now();
  const result = await sleep.runSync({ input: { seconds: 1.1 } }, 1000);
  expect(result.status === "COMPLETED" && result.succeeded === true,
    "runSync with a 1 s wait on a 1.1 s job did not end COMPLETED (the SDK polls /status-sync)", result);
  expect(isDeepStrictEqual(result.output, { slept: 1.1 }), "the sleep job's output is wrong", result.output);
  const elapsed = Date.now() - started;
  expect(elapsed >= 1000, "runSync answered before the job could have finished", elapsed);
  return { id: result.id, status: result.status, output: result.output, elapsedMs: elapsed };
});

await check("stream", async () => {
  const prompt = "Hello how are you";
  const queued = await tokens.run({ input: { prompt, delayMs: 10 } });
  expect(typeof queued?.id === "string", "run answered no job id", queued);
  const words = [];
  const chunks = [];
  for await (const chunk of tokens.stream(queued.id)) {
    chunks.push(chunk);
    const text = chunk?.output?.text;
    expect(Array.isArray(text), "a stream chunk is not {output: {text: [...]}}", chunk);
    words.push(...text);
  }
  expect(isDeepStrictEqual(words, prompt.split(" ")), `the stream did not yield the words of "${prompt}" in order`, words);
  expect(chunks.every((c) => c.output.input_tokens === 4 && c.output.output_tokens === 1),
    "a chunk has wrong token counts", chunks);
  const done = await tokens.status(queued.id);
  expect(done.status === "COMPLETED", "the streaming job did not complete", done);
  return { id: queued.id, chunks: chunks.length, text: words.join(" "), status: done.status };
});

await check("cancel", async () => {
  const queued = await sleep.run({ input: { seconds: 30 } });
  expect(typeof queued?.id === "string", "run answered no job id", queued);
  const running = await pollStatus(sleep, queued.id, (s) => s.status !== "IN_QUEUE", 10_000, "IN_PROGRESS");
  expect(running.status === "IN_PROGRESS", "the 30 s sleep job is not running", running);
  const cancelled = await sleep.cancel(queued.id);
  expect(cancelled?.id === queued.id && cancelled.status === "CANCELLED", "cancel did not answer CANCELLED", cancelled);
  const after = await sleep.status(queued.id);
  expect(after.status === "CANCELLED" && after.completed === true, "status after cancel is not CANCELLED", after);
  return { id: queued.id, before: running.status, cancel: cancelled, after: after.status };
});

await check("health", async () => {
  const health = await echo.health();
  const jobs = ["completed", "failed", "inProgress", "inQueue", "retried"];
  const workers = ["idle", "initializing", "ready", "running", "throttled", "unhealthy"];
  expect(health && typeof health.jobs === "object" && typeof health.workers === "object",
    "health has no jobs and workers", health);
  for (const key of jobs) {
    expect(Number.isInteger(health.jobs[key]), `health.jobs.${key} is not a count`, health);
  }
  for (const key of workers) {
    expect(Number.isInteger(health.workers[key]), `health.workers.${key} is not a count`, health);
  }
  expect(health.jobs.completed >= 2, "health counts fewer completed echo jobs than this script ran", health);
  return health;
});

await check("purgeQueue", async () => {
  const total = 6;
  const ids = [];
  for (let i = 0; i < total; i++) {
    const queued = await sleep.run({ input: { seconds: 30 } });
    expect(typeof queued?.id === "string", "run answered no job id", queued);
    ids.push(queued.id);
  }
  const purged = await sleep.purgeQueue();
  expect(purged?.status === "completed" && Number.isInteger(purged.removed),
    "purgeQueue did not answer {removed: N, status: \"completed\"}", purged);
  const states = [];
  for (const id of ids) {
    states.push((await sleep.status(id)).status);
  }
  const cancelled = states.filter((s) => s === "CANCELLED").length;
  expect(purged.removed >= 1, `purgeQueue removed nothing although ${total} 30 s jobs were submitted`, { purged, states });
  expect(purged.removed === cancelled && states.every((s) => s === "CANCELLED" || s === "IN_PROGRESS"),
    "the purged jobs are not exactly the ones now CANCELLED (the rest still running)", { purged, states });
  for (let i = 0; i < total; i++) {
    if (states[i] === "IN_PROGRESS") {
      await sleep.cancel(ids[i]); // leave no 30 s job running
    }
  }
  return { ...purged, states };
});

await check("unauthorized", async () => {
  const stranger = runpodSdk("not-a-key", { baseUrl }).endpoint("echo");
  let error;
  try {
    await stranger.run({ input: { prompt: "hi" } });
  } catch (e) {
    error = e;
  }
  expect(error !== undefined, "run with an unknown API key succeeded");
  expect(error.response?.status === 401, "an unknown API key was not answered 401", describe(error));
  expect(typeof error.response?.data?.error === "string", "the 401 carries no {error: ...} body", error.response?.data);
  return { status: error.response.status, error: error.response.data.error };
});

const otherBaseUrl = process.env.RUNLINE_OTHER_BASE_URL;
if (otherBaseUrl) {
  const other = runpodSdk(apiKey, { baseUrl: otherBaseUrl });
  const otherEcho = other.endpoint("echo");
  const otherTokens = other.endpoint("tokens");
  const otherSleep = other.endpoint("sleep");

  await check("other-node-status", async () => {
    const input = { across: "nodes" };
    const queued = await echo.run({ input });
    const done = await pollStatus(otherEcho, queued.id, (s) => s.completed, 10_000, "terminal");
    expect(done.status === "COMPLETED" && isDeepStrictEqual(done.output, input),
      "a job run through one node is not COMPLETED with its output through the other", done);
    return { id: queued.id, status: done.status };
  });

  await check("other-node-runSync", async () => {
    const result = await otherEcho.runSync({ input: { n: 7 } });
    expect(result.status === "COMPLETED" && isDeepStrictEqual(result.output, { n: 7 }),
      "runSync through the other node did not answer the output", result);
    return { id: result.id, status: result.status };
  });

  await check("other-node-stream", async () => {
    const prompt = "one two three four";
    const queued = await tokens.run({ input: { prompt, delayMs: 20 } });
    const words = [];
    for await (const chunk of otherTokens.stream(queued.id)) {
      words.push(...chunk.output.text);
    }
    expect(isDeepStrictEqual(words, prompt.split(" ")),
      "the stream read through the other node did not yield every word once, in order", words);
    return { id: queued.id, text: words.join(" ") };
  });

  await check("other-node-cancel", async () => {
    const queued = await sleep.run({ input: { seconds: 30 } });
    await pollStatus(otherSleep, queued.id, (s) => s.status === "IN_PROGRESS", 10_000, "IN_PROGRESS");
    const cancelled = await otherSleep.cancel(queued.id);
    expect(cancelled?.status === "CANCELLED", "cancel through the other node did not answer CANCELLED", cancelled);
    const after = await sleep.status(queued.id);
    expect(after.status === "CANCELLED", "the first node does not see the job CANCELLED", after);
    return { id: queued.id, after: after.status };
  });
}

clearTimeout(watchdog);
