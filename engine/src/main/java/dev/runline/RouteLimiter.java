package dev.runline;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rate and concurrency limits of one endpoint, kept per API key and route: a Bucket4j
 * token bucket per (key, route) and a count of calls in flight.
 */
final class RouteLimiter {
  private static final Route[] ROUTES = Route.values();

  private final Endpoint endpoint;
  private final TimeMeter time;
  private final ConcurrentHashMap<String, KeyLimits> byKey = new ConcurrentHashMap<>();

  RouteLimiter(Endpoint endpoint, TimeSource time) {
    this.endpoint = endpoint;
    this.time = new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return time.nanoTime();
      }

      @Override
      public boolean isWallClockBased() {
        return false;
      }
    };
  }

  /**
   * Takes a token of {@code route} for {@code owner} and, when the route limits concurrency,
   * a place in flight, which the caller must give back with {@link Permit#release()}.
   *
   * @throws RateLimitedException when either limit is reached
   */
  Permit acquire(String owner, Route route) {
    KeyLimits limits = byKey.get(owner);
    if (limits == null) {
      limits = byKey.computeIfAbsent(owner, k -> new KeyLimits());
    }
    RouteLimit limit = endpoint.limit(route);
    // Concurrency first, so a call refused for it does not use up a rate token.
    AtomicInteger inFlight = limits.inFlight[route.ordinal()];
    if (inFlight != null && inFlight.incrementAndGet() > limit.concurrent()) {
      inFlight.decrementAndGet();
      throw new RateLimitedException("at most " + limit.concurrent() + " concurrent /" + route.path()
          + " calls on endpoint '" + endpoint.name() + "' per API key; retry when one has finished",
          Duration.ofSeconds(1));
    }
    Bucket bucket = limits.buckets[route.ordinal()];
    if (bucket != null) {
      ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        if (inFlight != null) {
          inFlight.decrementAndGet();
        }
        Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
        throw new RateLimitedException("rate limit of " + limit.requests() + " requests per "
            + limit.period().toMillis() + " ms on /" + route.path() + " of endpoint '" + endpoint.name()
            + "' reached for this API key; retry in " + Math.max(1, wait.toMillis()) + " ms", wait);
      }
    }
    return inFlight == null ? Permit.NONE : new Permit(inFlight);
  }

  /** A place among a route's concurrent calls. */
  static final class Permit {
    static final Permit NONE = new Permit(null);
    private final AtomicInteger inFlight;

    private Permit(AtomicInteger inFlight) {
      this.inFlight = inFlight;
    }

    void release() {
      if (inFlight != null) {
        inFlight.decrementAndGet();
      }
    }
  }

  private final class KeyLimits {
    final Bucket[] buckets = new Bucket[ROUTES.length];
    final AtomicInteger[] inFlight = new AtomicInteger[ROUTES.length];

    KeyLimits() {
      for (Route route : ROUTES) {
        RouteLimit limit = endpoint.limit(route);
        if (limit.requests() != Long.MAX_VALUE) {
          buckets[route.ordinal()] = Bucket.builder()
              .addLimit(l -> l.capacity(limit.requests()).refillGreedy(limit.requests(), limit.period()))
              .withCustomTimePrecision(time)
              .build();
        }
        if (limit.concurrent() > 0) {
          inFlight[route.ordinal()] = new AtomicInteger();
        }
      }
    }
  }
}
