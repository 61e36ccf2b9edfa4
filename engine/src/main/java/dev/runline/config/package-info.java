/**
 * Builds a whole engine from one YAML file.
 *
 * <pre>{@code
 * HandlerRegistry handlers = HandlerRegistry.builder()
 *     .handler("echo", job -> job.input())
 *     .streaming("tokens", (job, sink) -> { sink.emit("a"); sink.emit("b"); })
 *     .build();
 * Runline engine = RunlineConfig.start(Path.of("runline.yaml"), handlers);
 * // or: RunlineConfig.load(path, handlers).endpoint(more).build();
 * }</pre>
 *
 * <h2>The file</h2>
 *
 * <pre>{@code
 * apiKeys: [ "key-one-xxxxxxxx" ]         # optional; none = an open engine
 * workerKeys: [ "worker-key-xxxxxxxx" ]   # optional: the keys remote workers send (never a client key)
 * shutdown: { mode: drain, timeout: 30s }  # drain | cancel
 * webhook: { attempts: 3, retryInterval: 10s, timeout: 10s }
 * intake: { waitStrategy: phased }         # optional: a ring before each backend; phased | blocking | ...
 * endpoints:
 *   echo:
 *     handler: echo                        # a registered name, or a class name
 *     backend: cpu                         # cpu | cuda: moving an endpoint is this one line
 *     backendSettings: {}                  # handed to the backend as is
 *     workers: 4
 *     queueCapacity: 16384
 *     returnAggregateStream: false
 *     retention: { run: 30m, runSync: 1m }
 *     policy: { executionTimeout: 10m, ttl: 24h }
 *     limits:
 *       run: { requests: 1000, per: 10s, concurrent: 200 }
 *       purge-queue: { requests: 2, per: 10s }
 *       health: off
 *   tokens:
 *     handler: tokens
 *     returnAggregateStream: true
 *     limits: off
 *   search:
 *     kernel: vector-search                # a built-in compute kernel instead of a handler
 *     backend: cpu
 *     backendSettings:                     # the kernel's settings, checked by the backend
 *       index: { n: 100000, d: 64, seed: 42 }   # or { npy: vectors.npy }
 *       maxK: 100
 *   multiply:
 *     kernel: matmul
 *     backendSettings: { maxDim: 2048 }
 *   my-model:
 *     backend: remote                      # no handler: worker processes take its jobs over HTTP
 *     backendSettings: { leaseTimeout: 30s, maxRedeliveries: 2, takeWait: 20s, maxBatch: 8 }
 * }</pre>
 *
 * <h2>Keys</h2>
 *
 * <p>Every key is optional except each endpoint's {@code handler} (or {@code kernel}, or
 * {@code backend: remote}); a key
 * left out, or left empty ({@code key:} or {@code ~}), keeps the builder's default.
 *
 * <ul>
 *   <li>{@code apiKeys}: a list of keys of at least 8 characters. With none the engine is
 *       open: keys are ignored and every caller sees every job.
 *   <li>{@code workerKeys}: the keys worker processes of {@code remote} endpoints send (at least
 *       8 characters each; a key may not be both an API key and a worker key). The engine only
 *       carries them: the HTTP server checks them ({@link RunlineConfig#workerKeys()}).
 *   <li>{@code shutdown.mode}: {@code drain} (default: run what is queued) or {@code cancel};
 *       {@code shutdown.timeout} (default 30s): how long closing waits for jobs.
 *   <li>{@code webhook.attempts} (1..100, default 3: once and 2 retries),
 *       {@code webhook.retryInterval} (default 10s), {@code webhook.timeout} (per attempt,
 *       positive, default 10s).
 *   <li>{@code intake.waitStrategy}: puts a Disruptor ring between admission and each
 *       backend (by default jobs go to the backend directly), whose consumer waits for work:
 *       {@code phased} (spin, then yield, then park), {@code blocking},
 *       {@code lite_blocking}, {@code sleeping}, {@code yielding} or {@code busy_spin} (see
 *       {@link dev.runline.IntakeWaitStrategy}).
 *   <li>{@code endpoints}: a mapping from endpoint name (1 to 128 letters, digits,
 *       {@code _ - .}, starting with a letter or digit) to its settings:
 *       <ul>
 *         <li>{@code handler} (required): a name registered in the {@link
 *             dev.runline.config.HandlerRegistry}, plain or streaming, or the
 *             fully-qualified name of a public class with a public no-arg constructor
 *             implementing {@link dev.runline.Handler} or {@link dev.runline.StreamingHandler}.
 *         <li>{@code kernel}, instead of {@code handler}: a built-in compute kernel,
 *             {@code vector-search} or {@code matmul}, which the endpoint's backend computes
 *             (see {@code dev.runline.compute} in the runline-compute module). An endpoint
 *             has either a {@code handler} or a {@code kernel}, never both.
 *         <li>Neither, with {@code backend: remote}: the endpoint's jobs are taken by worker
 *             processes over HTTP with the service's worker protocol ({@link
 *             dev.runline.Work.External}); its {@code backendSettings} are the remote backend's
 *             ({@code leaseTimeout}, {@code maxRedeliveries}, {@code takeWait}, {@code maxBatch},
 *             {@code maxTakeRate}) and its {@code workers} means nothing.
 *         <li>{@code backend} (default {@code cpu}): the backend's name; whether it is on
 *             the class path and can run here is checked when the engine is built.
 *         <li>{@code backendSettings}: a mapping handed to the backend as is (strings,
 *             numbers, booleans, lists and mappings). The backend checks it when the engine
 *             is built, naming a bad key and the keys it allows: a kernel endpoint takes
 *             its kernel's settings ({@code KernelSettings} of the runline-compute module: for
 *             {@code vector-search} {@code index} (required: {@code {n, d, seed}} or
 *             {@code {npy: path}}), {@code maxK}, {@code maxQueries}; for {@code matmul}
 *             {@code maxDim}); the {@code cpu} backend takes nothing else.
 *         <li>{@code workers} (1..4096, default: the number of processors),
 *             {@code queueCapacity} (1..2^30, default 16384),
 *             {@code returnAggregateStream} ({@code true}/{@code false}, default false),
 *             {@code maxOutputBytes} (the largest output, chunk or progress value as JSON
 *             bytes, default 64 MB),
 *             {@code recentJobs} (0..1,000,000, default 10,000: how many of the endpoint's
 *             most recent jobs {@code /requests} lists from; 0 switches the listing off).
 *         <li>{@code retention.run} (default 30m) and {@code retention.runSync} (default 1m):
 *             how long a finished job's result is kept; positive.
 *         <li>{@code policy.executionTimeout} (5s..7d, default 10m) and {@code policy.ttl}
 *             (10s..7d, default 24h): the policy of jobs whose request sets none.
 *         <li>{@code limits}: {@code off} switches every rate and concurrency limit of the
 *             endpoint off; otherwise a mapping from route ({@code run}, {@code runsync},
 *             {@code status}, {@code status-sync}, {@code stream}, {@code cancel},
 *             {@code retry}, {@code health}, {@code purge-queue}, {@code requests}) to {@code off} or to
 *             {@code {requests, per, concurrent}}: a token bucket of {@code requests}
 *             (at least 1) refilled at that number per {@code per} (positive), and at most
 *             {@code concurrent} calls in flight (0: no concurrency limit). A field left
 *             out keeps the route's default; a route left out keeps its default limit.
 *       </ul>
 * </ul>
 *
 * <h2>Values</h2>
 *
 * <ul>
 *   <li>Durations: a whole number and a unit, {@code ms}, {@code s}, {@code m}, {@code h}
 *       or {@code d} ({@code 500ms}, {@code 10s}, {@code 30m}, {@code 24h}, {@code 7d}), or
 *       a plain integer of milliseconds ({@code 1500}).
 *   <li>Choices ({@code mode}, {@code waitStrategy}) ignore case and accept {@code -} for
 *       {@code _}.
 *   <li>{@code off} is YAML for {@code false}; both switch limits off.
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * <p>Reading stops at a fault with a {@link dev.runline.config.ConfigException} whose
 * message names the file and the full path of the key, then what is wrong and what is
 * allowed: an unknown key lists the keys allowed at that level (and suggests the nearest),
 * a value of the wrong kind says what was expected and what was given, and a bad value is
 * quoted with the expected form or range, for example
 * <pre>
 * runline.yaml: endpoints.echo.wokers: unknown key (did you mean workers?); the keys allowed in endpoints.echo are handler, kernel, backend, ...
 * runline.yaml: endpoints.echo.queueCapacity: expected a whole number between -2147483648 and 2147483647, was 'many'
 * runline.yaml: endpoints.echo.policy.ttl: bad duration '10x'; write a whole number and a unit (500ms, 10s, 30m, 24h, 7d), or a plain number of milliseconds
 * runline.yaml: endpoints.echo.workers must be between 1 and 4096, was 0
 * </pre>
 * A key given twice and invalid YAML fail the same way, with the line and column. API keys
 * are never quoted in a message.
 */
package dev.runline.config;
