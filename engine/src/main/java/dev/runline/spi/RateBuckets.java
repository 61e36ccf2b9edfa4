package dev.runline.spi;

import java.time.Duration;

/**
 * Where the token buckets of the route limits live: in this process by default, or shared by
 * several nodes (a key's limit then holds across all of them).
 */
public interface RateBuckets {

  /**
   * The bucket named {@code name} (one per endpoint, route and API key; the name holds no
   * key, only the engine's owner identity), holding at most {@code capacity} tokens and
   * refilled with {@code capacity} every {@code period}, greedily; made on first use.
   */
  Bucket bucket(String name, long capacity, Duration period);

  /** One token bucket. */
  interface Bucket {
    /** Takes a token: 0 when taken, else how many nanoseconds until one is there. */
    long tryTake();
  }
}
