package dev.runline.server;

import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import dev.runline.config.HandlerRegistry;
import dev.runline.config.RunlineConfig;
import dev.runline.remote.RemoteBackendProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code java -jar runline-server.jar}: the endpoint API over HTTP, with demo endpoints. */
@Command(name = "runline-server", mixinStandardHelpOptions = true, version = "runline-server 0.1.0",
    description = "Serves the RunPod serverless endpoint API (/v2/{endpoint_id}/...) from an in-process Runline engine.")
public final class Main implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  static final String DEFAULT_CONFIG = "runline-default.yaml";

  @Option(names = "--port", description = "TCP port to listen on (default: ${DEFAULT-VALUE}; 0 = any free port)")
  int port = 8080;

  @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE})")
  String host = "127.0.0.1";

  @Option(names = "--api-key", paramLabel = "KEY",
      description = "An API key clients must send (repeatable; also env RUNLINE_API_KEYS, comma-separated). "
          + "With none, one is generated and printed at start.")
  List<String> apiKeys = new ArrayList<>();

  @Option(names = "--worker-key", paramLabel = "KEY",
      description = "A key the worker processes of remote endpoints send as RUNPOD_AI_API_KEY (repeatable; also env "
          + "RUNLINE_WORKER_KEYS, comma-separated, and workerKeys in the configuration file); never a client key. "
          + "With none and a remote endpoint, one is generated and printed at start.")
  List<String> workerKeys = new ArrayList<>();

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "A PEM certificate (chain): serve HTTPS only, with --tls-key")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM private key of --tls-cert")
  Path tlsKey;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A Runline YAML configuration file (default: the bundled demo endpoints)")
  Path config;

  @Option(names = "--backend", paramLabel = "NAME",
      description = "Moves every compute (kernel) endpoint of the configuration to this backend, e.g. cuda; "
          + "the start fails, naming the cause, when that backend is missing or cannot run here")
  String backend;

  @Option(names = "--max-header-bytes", description = "Bytes of request headers accepted (default: ${DEFAULT-VALUE})")
  int maxHeaderBytes = 16 * 1024;

  @Option(names = "--idle-timeout", paramLabel = "SECONDS",
      description = "Close a connection silent this long (default: ${DEFAULT-VALUE})")
  int idleTimeoutSeconds = 120;

  @Option(names = "--body-timeout", paramLabel = "SECONDS",
      description = "Refuse (408) a request whose body is not complete this long after its headers (default: ${DEFAULT-VALUE})")
  int bodyTimeoutSeconds = 30;

  @Option(names = "--redis", paramLabel = "URI",
      description = "Share every endpoint's jobs with the other nodes given the same Redis (redis://host:6379/0;"
          + " rediss:// for TLS); over the config file's cluster.redis. Give every node the same --api-key")
  String redis;

  @Option(names = "--node", paramLabel = "NAME",
      description = "This node's name among the nodes sharing the Redis (default: the host name)")
  String node;

  @Option(names = "--max-connections", description = "Open connections accepted at once (default: ${DEFAULT-VALUE})")
  int maxConnections = 10_000;

  @Option(names = "--event-loops", paramLabel = "N",
      description = "Event-loop threads serving connections (default: one per processor, ${DEFAULT-VALUE} here)")
  int eventLoops = Runtime.getRuntime().availableProcessors();

  @Option(names = "--max-run-body-bytes", description = "Body limit of /run and the other routes (default: ${DEFAULT-VALUE})")
  long runBodyBytes = HttpApi.RUN_BODY_LIMIT;

  @Option(names = "--max-runsync-body-bytes", description = "Body limit of /runsync (default: ${DEFAULT-VALUE})")
  long runSyncBodyBytes = HttpApi.RUNSYNC_BODY_LIMIT;

  @Option(names = "--max-wait", paramLabel = "MILLIS",
      description = "The longest wait a long poll (/runsync, /status-sync, /stream) may hold (default: ${DEFAULT-VALUE})")
  long maxWaitMillis = HttpApi.MAX_WAIT;

  @Option(names = "--dashboard", paramLabel = "on|off", arity = "1", converter = OnOff.class,
      description = "Serve the dashboard at /dashboard/ (default: on)")
  boolean dashboard = true;

  /** {@code on} or {@code off} (also {@code true} or {@code false}), in any case. */
  static final class OnOff implements CommandLine.ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String value) {
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "on", "true":
          return true;
        case "off", "false":
          return false;
        default:
          throw new CommandLine.TypeConversionException("expected on or off, was '" + value + "'");
      }
    }
  }

  private final PrintStream out;
  private final CountDownLatch stop = new CountDownLatch(1);
  private boolean generatedWorkerKey;

  Main(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(execute(new Main(System.out), new PrintWriter(System.err, true), args));
  }

  /**
   * Parses {@code args} and runs the service until it is stopped; returns the exit code. A
   * failed start (a bad configuration, a backend that is missing or cannot run here) prints
   * {@code runline-server: <why>} to {@code err} and returns 1.
   */
  static int execute(Main main, PrintWriter err, String... args) {
    return new CommandLine(main)
        .setErr(err)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("runline-server: " + e.getMessage());
          cmd.getErr().flush();
          LOG.debug("start failed", e);
          return 1;
        })
        .execute(args);
  }

  @Override
  public Integer call() throws Exception {
    Running running = start(System.getenv("RUNLINE_API_KEYS"), System.getenv("RUNLINE_WORKER_KEYS"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stop.countDown();
    }, "runline-shutdown"));
    installTermHandler();
    stop.await();
    return 0;
  }

  /** SIGTERM stops the service gracefully and exits 0 (the default would exit 143). */
  private void installTermHandler() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
        LOG.info("SIGTERM: stopping");
        new Thread(() -> System.exit(0), "runline-sigterm").start();
      });
    } catch (IllegalArgumentException e) {
      LOG.debug("SIGTERM cannot be handled on this platform; the default exit code applies", e);
    }
  }

  /** The engine and the server, started; close stops the server first, then the engine. */
  record Running(Runline engine, RunlineServer server, List<String> keys) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
      engine.close();
    }
  }

  Running start(String keysFromEnv) throws IOException {
    return start(keysFromEnv, null);
  }

  Running start(String keysFromEnv, String workerKeysFromEnv) throws IOException {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both (PEM files) to serve HTTPS, "
          + "or neither for plain HTTP");
    }
    HandlerRegistry handlers = DemoHandlers.registry().build();
    RunlineConfig parsed;
    if (config != null) {
      parsed = RunlineConfig.parse(config, handlers);
    } else {
      try (InputStream in = Main.class.getClassLoader().getResourceAsStream(DEFAULT_CONFIG)) {
        if (in == null) {
          throw new IllegalStateException("the bundled " + DEFAULT_CONFIG + " is missing from the jar");
        }
        parsed = RunlineConfig.parse(in, DEFAULT_CONFIG, handlers);
      }
    }
    if (backend != null) {
      parsed = parsed.withKernelBackend(backend);
    }
    if (redis != null || node != null) {
      parsed = parsed.withCluster(redis, node);
    }
    List<String> keys = new ArrayList<>(apiKeys);
    if (keysFromEnv != null) {
      for (String key : keysFromEnv.split(",")) {
        if (!key.isBlank()) {
          keys.add(key.trim());
        }
      }
    }
    keys.addAll(parsed.apiKeys());
    boolean generated = keys.isEmpty();
    if (generated) {
      keys.add(generateKey());
      if (parsed.cluster().isPresent()) {
        LOG.warn("this node shares its jobs on Redis but was given no API key: the key generated here works on this"
            + " node only; give every node the same --api-key");
      }
    }
    List<String> workers = workerKeys(parsed, keys, workerKeysFromEnv);
    ServerMetrics metrics = new ServerMetrics();
    RunlineBuilder builder = parsed.applyTo(Runline.builder()).apiKeys(keys).listener(metrics);
    Runline engine = builder.build();
    ServerOptions options = ServerOptions.of(host, port).withWorkerKeys(workers);
    if (tlsCert != null) {
      options = options.withTls(tlsCert, tlsKey);
    }
    RunlineServer server;
    try {
      server = RunlineServer.start(engine, metrics, options
          .withMaxHeaderSize(maxHeaderBytes)
          .withIdleTimeoutSeconds(idleTimeoutSeconds)
          .withBodyTimeoutSeconds(bodyTimeoutSeconds)
          .withMaxConnections(maxConnections)
          .withBodyLimits(runBodyBytes, runSyncBodyBytes)
          .withMaxWaitMillis(maxWaitMillis)
          .withEventLoops(eventLoops)
          .withDashboard(dashboard));
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    String base = (tlsCert != null ? "https://" : "http://") + host + ":" + server.port();
    LOG.info("runline-server listening on {} with endpoints {}", base, engine.inspect().endpoints());
    out.println("Runline is serving " + engine.inspect().endpoints() + " at " + base + "/v2/{endpoint_id}/...");
    if (dashboard) {
      out.println("Dashboard: " + base + Dashboard.PATH + "/ (it asks for an API key)");
    }
    if (generated) {
      // Printed once, to the console only, never to the log.
      out.println("No API key was configured; this run's key is: " + keys.get(0));
      out.println("  curl -X POST " + base + "/v2/echo/runsync -H 'Authorization: Bearer " + keys.get(0)
          + "' -H 'Content-Type: application/json' -d '{\"input\": {\"prompt\": \"hi\"}}'");
    }
    if (generatedWorkerKey) {
      // Printed once, to the console only, never to the log.
      out.println("No worker key was configured; this run's worker key (RUNPOD_AI_API_KEY of the workers) is: "
          + workers.get(0));
    }
    out.flush();
    return new Running(engine, server, List.copyOf(keys));
  }

  /**
   * The worker keys: {@code --worker-key}, then {@code RUNLINE_WORKER_KEYS}, then the file's;
   * one generated when there is none and an endpoint has remote workers. A worker key that is
   * also a client key is refused: a client could take jobs with it.
   */
  private List<String> workerKeys(RunlineConfig parsed, List<String> clientKeys, String fromEnv) {
    List<String> keys = new ArrayList<>(workerKeys);
    if (fromEnv != null) {
      for (String key : fromEnv.split(",")) {
        if (!key.isBlank()) {
          keys.add(key.trim());
        }
      }
    }
    keys.addAll(parsed.workerKeys());
    for (int i = 0; i < keys.size(); i++) {
      if (clientKeys.contains(keys.get(i))) {
        throw new IllegalArgumentException("worker key " + (i + 1) + " (of --worker-key, RUNLINE_WORKER_KEYS and "
            + "workerKeys, in that order) is also a client API key; give workers a key of their own");
      }
    }
    generatedWorkerKey = keys.isEmpty() && parsed.endpoints().values().stream().anyMatch(e -> RemoteBackendProvider.NAME.equals(e.backend()));
    if (generatedWorkerKey) {
      keys.add(generateKey());
    }
    return keys;
  }

  static String generateKey() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return "rl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
