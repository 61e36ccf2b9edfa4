package dev.runline;

import dev.runline.spi.RateBuckets;
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
  /** Where the buckets are, when not in this process ({@code null}: here, with Bucket4j). */
  private final RateBuckets shared;
  private final ConcurrentHashMap<String, KeyLimits> byKey = new ConcurrentHashMap<>();

  RouteLimiter(Endpoint endpoint, TimeSource time, RateBuckets shared) {
    this.endpoint = endpoint;
    this.shared = shared;
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
      limits = byKey.computeIfAbsent(owner, KeyLimits::new);
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
    RateBuckets.Bucket bucket = limits.buckets[route.ordinal()];
    if (bucket != null) {
      long nanosToWait;
      try {
        nanosToWait = bucket.tryTake();
      } catch (RuntimeException | Error e) {
        if (inFlight != null) {
          inFlight.decrementAndGet();
        }
        throw e;
      }
      if (nanosToWait != 0) {
        if (inFlight != null) {
          inFlight.decrementAndGet();
        }
        Duration wait = Duration.ofNanos(nanosToWait);
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

  /** A bucket in this process. */
  private RateBuckets.Bucket local(RouteLimit limit) {
    Bucket bucket = Bucket.builder()
        .addLimit(l -> l.capacity(limit.requests()).refillGreedy(limit.requests(), limit.period()))
        .withCustomTimePrecision(time)
        .build();
    return () -> {
      ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
      return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
    };
  }

  private final class KeyLimits {
    final RateBuckets.Bucket[] buckets = new RateBuckets.Bucket[ROUTES.length];
    final AtomicInteger[] inFlight = new AtomicInteger[ROUTES.length];

    KeyLimits(String owner) {
      for (Route route : ROUTES) {
        RouteLimit limit = endpoint.limit(route);
        if (limit.requests() != Long.MAX_VALUE) {
          buckets[route.ordinal()] = shared == null ? local(limit)
              : shared.bucket(endpoint.name() + ":" + route.path() + ":" + owner, limit.requests(), limit.period());
        }
        if (limit.concurrent() > 0) {
          inFlight[route.ordinal()] = new AtomicInteger();
        }
      }
    }
  }
}
