package dev.runline;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An endpoint's definition: its name, what it runs ({@link Work}: a handler, a streaming
 * handler, or a compute kernel of its backend), its backend and limits. Built with
 * {@link #builder(String)}, whose setters check each value at once.
 */
public final class Endpoint {
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  static final int DEFAULT_RECENT_JOBS = 10_000;
  static final int MAX_RECENT_JOBS = 1_000_000;

  private final String name;
  private final Work work;
  private final String backend;
  private final Map<String, Object> backendSettings;
  private final int workers;
  private final int queueCapacity;
  private final Map<Route, RouteLimit> limits;
  private final Duration runRetention;
  private final Duration runSyncRetention;
  private final Policy defaultPolicy;
  private final boolean returnAggregateStream;
  private final long maxOutputBytes;
  private final int recentJobs;

  private Endpoint(Builder b) {
    this.name = b.name;
    this.work = b.work;
    this.backend = b.backend;
    this.backendSettings = Collections.unmodifiableMap(new LinkedHashMap<>(b.backendSettings));
    this.workers = b.workers;
    this.queueCapacity = b.queueCapacity;
    this.limits = Collections.unmodifiableMap(new EnumMap<>(b.limits));
    this.runRetention = b.runRetention;
    this.runSyncRetention = b.runSyncRetention;
    this.defaultPolicy = b.defaultPolicy;
    this.returnAggregateStream = b.returnAggregateStream;
    this.maxOutputBytes = b.maxOutputBytes;
    this.recentJobs = b.recentJobs;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** A builder holding every setting of this endpoint, to derive another from it (e.g. on another backend). */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.work = work;
    b.backend = backend;
    b.backendSettings.putAll(backendSettings);
    b.workers = workers;
    b.queueCapacity = queueCapacity;
    b.limits.putAll(limits);
    b.runRetention = runRetention;
    b.runSyncRetention = runSyncRetention;
    b.defaultPolicy = defaultPolicy;
    b.returnAggregateStream = returnAggregateStream;
    b.maxOutputBytes = maxOutputBytes;
    b.recentJobs = recentJobs;
    return b;
  }

  /** What the endpoint runs. */
  public Work work() {
    return work;
  }

  public String backend() {
    return backend;
  }

  public Map<String, Object> backendSettings() {
    return backendSettings;
  }

  public int workers() {
    return workers;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  /** The limit of {@code route}: the configured one, or the route's default. */
  public RouteLimit limit(Route route) {
    return limits.getOrDefault(route, route.defaultLimit());
  }

  public Duration runRetention() {
    return runRetention;
  }

  public Duration runSyncRetention() {
    return runSyncRetention;
  }

  public Policy defaultPolicy() {
    return defaultPolicy;
  }

  public boolean returnAggregateStream() {
    return returnAggregateStream;
  }

  /** The largest output (and stream chunk, and progress value) a job may produce, as JSON bytes. */
  public long maxOutputBytes() {
    return maxOutputBytes;
  }

  /** How many of the endpoint's most recent jobs {@code /requests} lists from (0: the listing is off). */
  public int recentJobs() {
    return recentJobs;
  }

  @Override
  public String toString() {
    return "Endpoint[" + name + (work instanceof Work.Kernel kernel ? ", kernel=" + kernel : "") + ", backend=" + backend + ", workers=" + workers
        + ", queueCapacity=" + queueCapacity + "]";
  }

  /** Builds an {@link Endpoint}; each setter throws {@link IllegalArgumentException} on a bad value. */
  public static final class Builder {
    private final String name;
    private Work work;
    private String backend = "cpu";
    private final Map<String, Object> backendSettings = new LinkedHashMap<>();
    private int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int queueCapacity = 16_384;
    private final Map<Route, RouteLimit> limits = new EnumMap<>(Route.class);
    private Duration runRetention = Duration.ofMinutes(30);
    private Duration runSyncRetention = Duration.ofMinutes(1);
    private Policy defaultPolicy = Policy.DEFAULT;
    private boolean returnAggregateStream;
    private long maxOutputBytes = 64L * 1024 * 1024;
    private int recentJobs = DEFAULT_RECENT_JOBS;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("endpoint name must be 1 to 128 letters, digits, '_', '-' or '.', "
            + "starting with a letter or digit, was '" + name + "'");
      }
      this.name = name;
    }

    /** A plain handler (replaces a streaming handler or a kernel). */
    public Builder handler(Handler handler) {
      return work(new Work.Plain(handler));
    }

    /** A generator handler (replaces a plain handler or a kernel). */
    public Builder streamingHandler(StreamingHandler handler) {
      return work(new Work.Streaming(handler));
    }

    /**
     * A compute kernel of the backend, by name ({@code vector-search}, {@code matmul}),
     * instead of a handler (replaces one). Its settings go in {@link #backendSetting}; the
     * backend checks the name and the settings when the engine starts.
     */
    public Builder kernel(String kernel) {
      return work(new Work.Kernel(kernel));
    }

    /**
     * No handler or kernel: the endpoint's jobs are run by worker processes outside the engine,
     * which its backend serves (set {@link #backend} to one that does, e.g. {@code remote}).
     * Replaces a handler or kernel set before.
     */
    public Builder external() {
      return work(new Work.External());
    }

    /** What the endpoint runs (replaces what was set before). */
    public Builder work(Work work) {
      this.work = Objects.requireNonNull(work, "work");
      return this;
    }

    /** The backend's name, as its {@link dev.runline.spi.BackendProvider} registers it (default {@code cpu}). */
    public Builder backend(String backend) {
      Objects.requireNonNull(backend, "backend");
      if (backend.isBlank()) {
        throw new IllegalArgumentException("backend must name a backend, e.g. 'cpu', was blank");
      }
      this.backend = backend;
      return this;
    }

    /** A setting passed to the backend as is. */
    public Builder backendSetting(String key, Object value) {
      backendSettings.put(Objects.requireNonNull(key, "key"), value);
      return this;
    }

    /** How many jobs run at once (default: the number of processors). */
    public Builder workers(int workers) {
      if (workers < 1 || workers > 4096) {
        throw new IllegalArgumentException("workers must be between 1 and 4096, was " + workers);
      }
      this.workers = workers;
      return this;
    }

    /** How many jobs may wait IN_QUEUE before {@code run} answers "queue full" (default 16384). */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity < 1 || queueCapacity > (1 << 30)) {
        throw new IllegalArgumentException("queueCapacity must be between 1 and 2^30, was " + queueCapacity);
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** Overrides one route's limit ({@link RouteLimit#UNLIMITED} switches it off). */
    public Builder limit(Route route, RouteLimit limit) {
      limits.put(Objects.requireNonNull(route, "route"), Objects.requireNonNull(limit, "limit"));
      return this;
    }

    /** Switches every rate and concurrency limit off. */
    public Builder unlimited() {
      for (Route route : Route.values()) {
        limits.put(route, RouteLimit.UNLIMITED);
      }
      return this;
    }

    /** How long results are kept after a terminal state: jobs from {@code run} (default 30 min) and {@code runSync} (1 min). */
    public Builder retention(Duration run, Duration runSync) {
      this.runRetention = positive("retention.run", run);
      this.runSyncRetention = positive("retention.runSync", runSync);
      return this;
    }

    /** The policy of jobs that set none; the request's values override it field by field. */
    public Builder defaultPolicy(Policy policy) {
      Objects.requireNonNull(policy, "policy");
      if (policy.executionTimeout() == null || policy.ttl() == null) {
        throw new IllegalArgumentException("a default policy needs both executionTimeout and ttl, was " + policy);
      }
      try {
        policy.validate();
      } catch (InvalidRequestException e) {
        throw new IllegalArgumentException("default " + e.getMessage(), e);
      }
      this.defaultPolicy = policy;
      return this;
    }

    /** Whether a streaming job's final output is the list of its chunks (else an empty list). */
    public Builder returnAggregateStream(boolean returnAggregateStream) {
      this.returnAggregateStream = returnAggregateStream;
      return this;
    }

    /**
     * The largest output, stream chunk or progress value of a job, counted as JSON bytes
     * (default 64 MB); a larger output fails the job with a message saying so.
     */
    public Builder maxOutputBytes(long maxOutputBytes) {
      if (maxOutputBytes < 1) {
        throw new IllegalArgumentException("maxOutputBytes must be positive, was " + maxOutputBytes);
      }
      this.maxOutputBytes = maxOutputBytes;
      return this;
    }

    /**
     * How many of the endpoint's most recently admitted jobs {@code /requests} lists from
     * (default 10,000; 0 switches the listing off). Only their ids are kept for it, in the
     * job store's window ({@link dev.runline.spi.JobStore#recentJobs}); a store may keep that
     * many per API key (the Redis store does), so that one busy key cannot push another's
     * jobs out of its listing.
     */
    public Builder recentJobs(int recentJobs) {
      if (recentJobs < 0 || recentJobs > MAX_RECENT_JOBS) {
        throw new IllegalArgumentException("recentJobs must be between 0 (listing off) and " + MAX_RECENT_JOBS
            + ", was " + recentJobs);
      }
      this.recentJobs = recentJobs;
      return this;
    }

    public Endpoint build() {
      if (work == null) {
        throw new IllegalStateException("endpoint '" + name + "' needs a handler, a streamingHandler or a kernel "
            + "(e.g. vector-search, matmul), or external() for worker processes its backend serves (backend remote)");
      }
      return new Endpoint(this);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
      return d;
    }
  }
}
