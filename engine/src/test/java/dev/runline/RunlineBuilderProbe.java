package dev.runline;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Reads what a {@link RunlineBuilder} holds, for tests outside this package. */
public final class RunlineBuilderProbe {
  private RunlineBuilderProbe() {}

  public static List<String> apiKeys(RunlineBuilder builder) {
    return List.copyOf(builder.apiKeys);
  }

  public static Map<String, Endpoint> endpoints(RunlineBuilder builder) {
    return Map.copyOf(builder.endpoints);
  }

  public static ShutdownMode shutdownMode(RunlineBuilder builder) {
    return builder.shutdownMode;
  }

  public static Duration shutdownTimeout(RunlineBuilder builder) {
    return builder.shutdownTimeout;
  }

  public static int webhookAttempts(RunlineBuilder builder) {
    return builder.webhookAttempts;
  }

  public static Duration webhookRetryInterval(RunlineBuilder builder) {
    return builder.webhookRetryInterval;
  }

  public static Duration webhookTimeout(RunlineBuilder builder) {
    return builder.webhookTimeout;
  }

  public static IntakeWaitStrategy intakeWaitStrategy(RunlineBuilder builder) {
    return builder.waitStrategy;
  }
}
