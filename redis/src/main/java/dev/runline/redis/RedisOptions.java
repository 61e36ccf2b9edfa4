package dev.runline.redis;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the nodes' shared Redis is and how this node takes part, immutable: start from
 * {@link #of} and change what differs with the {@code with...} methods, each of which checks
 * its value.
 *
 * <pre>{@code
 * RedisOptions options = RedisOptions.of("redis://127.0.0.1:6379/0").withNode("node-a");
 * Runline engine = Runline.builder().jobStore(RedisJobs.store(options)).rateLimits(RedisJobs.rateLimits(options))...
 * }</pre>
 */
public final class RedisOptions {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final URI uri;
  private String node;
  private String namespace = "runline";
  private Duration leaseTimeout = Duration.ofSeconds(30);
  private int maxRedeliveries = 2;
  private Duration commandTimeout = Duration.ofSeconds(2);

  private RedisOptions(URI uri) {
    this.uri = uri;
    this.node = defaultNode();
  }

  private RedisOptions copy() {
    RedisOptions copy = new RedisOptions(uri);
    copy.node = node;
    copy.namespace = namespace;
    copy.leaseTimeout = leaseTimeout;
    copy.maxRedeliveries = maxRedeliveries;
    copy.commandTimeout = commandTimeout;
    return copy;
  }

  /**
   * The defaults for the Redis at {@code uri} ({@code redis://[password@]host:port[/database]},
   * or {@code rediss://} for TLS): this host's name as the node's, namespace {@code runline},
   * a 30-second lease, 2 redeliveries, 2-second commands.
   */
  public static RedisOptions of(String uri) {
    Objects.requireNonNull(uri, "redis");
    URI parsed;
    try {
      parsed = URI.create(uri.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("redis must be a URI such as redis://127.0.0.1:6379/0, was '" + uri + "'");
    }
    if (!"redis".equals(parsed.getScheme()) && !"rediss".equals(parsed.getScheme()) || parsed.getHost() == null) {
      throw new IllegalArgumentException("redis must be a URI such as redis://127.0.0.1:6379/0 (or rediss:// for TLS),"
          + " was '" + uri + "'");
    }
    return new RedisOptions(parsed);
  }

  private static String defaultNode() {
    try {
      String host = InetAddress.getLocalHost().getHostName();
      String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "-");
      return cleaned.isEmpty() ? "node" : cleaned.substring(0, Math.min(64, cleaned.length()));
    } catch (UnknownHostException e) {
      return "node";
    }
  }

  public URI uri() {
    return uri;
  }

  /** This node's name, unique among the nodes sharing the Redis (default: the host's name). */
  public String node() {
    return node;
  }

  public RedisOptions withNode(String name) {
    RedisOptions copy = copy();
    copy.node = name("node", name);
    return copy;
  }

  /** The prefix of every key and channel, so several services may share one Redis. */
  public String namespace() {
    return namespace;
  }

  public RedisOptions withNamespace(String prefix) {
    RedisOptions copy = copy();
    copy.namespace = name("namespace", prefix);
    return copy;
  }

  /**
   * How long a node may go without renewing its lease before the others take back the jobs it
   * took: it renews three times per lease.
   */
  public Duration leaseTimeout() {
    return leaseTimeout;
  }

  public RedisOptions withLeaseTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "leaseTimeout");
    if (timeout.toMillis() < 300) {
      throw new IllegalArgumentException("leaseTimeout must be at least 300 ms, was " + timeout.toMillis() + " ms");
    }
    RedisOptions copy = copy();
    copy.leaseTimeout = timeout;
    return copy;
  }

  /** How many times a job that was running on a lost node is queued again before it ends FAILED. */
  public int maxRedeliveries() {
    return maxRedeliveries;
  }

  public RedisOptions withMaxRedeliveries(int times) {
    if (times < 0) {
      throw new IllegalArgumentException("maxRedeliveries must be 0 or more, was " + times);
    }
    RedisOptions copy = copy();
    copy.maxRedeliveries = times;
    return copy;
  }

  /** How long one Redis command may take before the call it serves is answered 503. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  public RedisOptions withCommandTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "commandTimeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("commandTimeout must be positive, was " + timeout.toMillis() + " ms");
    }
    RedisOptions copy = copy();
    copy.commandTimeout = timeout;
    return copy;
  }

  private static String name(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be 1 to 64 letters, digits, '.', '_' or '-', was '" + value
          + "'");
    }
    return value;
  }

  /** The Redis's address without its password, for messages and logs. */
  String where() {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
        + (uri.getPath() == null || uri.getPath().isEmpty() ? "" : uri.getPath());
  }
}
