package dev.runline.spi;

import dev.runline.Endpoint;
import dev.runline.Handler;
import java.util.concurrent.ThreadFactory;

/** What a backend is given for one endpoint. */
public interface BackendContext {
  /** The endpoint's definition: what it runs, its workers and settings. */
  Endpoint endpoint();

  /**
   * The endpoint's handler as one {@link Handler} to pass to {@link Attempt#run}: its plain
   * handler, or its streaming handler (whose chunks go to the attempt and whose output is
   * their aggregate or an empty list, as the endpoint is configured).
   *
   * @throws UnsupportedOperationException when the endpoint runs a kernel, which the
   *     backend computes itself
   */
  Handler handler();

  /** Makes named daemon threads for this endpoint's {@code role} (e.g. its workers). */
  ThreadFactory threadFactory(String role);
}
