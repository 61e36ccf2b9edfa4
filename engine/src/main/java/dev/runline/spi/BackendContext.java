package dev.runline.spi;

import dev.runline.Endpoint;
import java.util.concurrent.ThreadFactory;

/** What a backend is given for one endpoint. */
public interface BackendContext {
  /** The endpoint's definition: its workers, settings and handler. */
  Endpoint endpoint();

  /** Makes named daemon threads for this endpoint's workers. */
  ThreadFactory threadFactory(String role);
}
