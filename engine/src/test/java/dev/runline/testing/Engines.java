package dev.runline.testing;

import dev.runline.Endpoint;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import java.time.Duration;

/**
 * Engines for tests: manual time, timers and callbacks run on the calling thread, and
 * handlers run on {@link ThreadsBackend}.
 */
public final class Engines {
  public static final String KEY = "test-key-0001";
  public static final String OTHER_KEY = "test-key-0002";

  private Engines() {}

  /** A builder on {@code time}, with the two test keys. */
  public static RunlineBuilder builder(FakeTime time) {
    return Runline.builder()
        .apiKeys(KEY, OTHER_KEY)
        .time(time)
        .timers(time)
        .backend(ThreadsBackend.provider())
        .executor(Runnable::run)
        .shutdownTimeout(Duration.ofSeconds(5));
  }

  /** An engine on {@code time} with the given endpoints. */
  public static Runline start(FakeTime time, Endpoint... endpoints) {
    RunlineBuilder builder = builder(time);
    for (Endpoint endpoint : endpoints) {
      builder.endpoint(endpoint);
    }
    return builder.build();
  }
}
