package dev.runline.spi;

/**
 * A backend by name, found through {@link java.util.ServiceLoader}: register an
 * implementation in {@code META-INF/services/dev.runline.spi.BackendProvider}. An endpoint
 * names the backend it runs on, so moving it to another is a configuration change.
 */
public interface BackendProvider {
  /** The name endpoints use, e.g. {@code cpu}. */
  String name();

  /**
   * Whether this backend can run here; when not, {@link #unavailabilityCause()} says why.
   * The engine refuses to start an endpoint on an unavailable backend.
   */
  default boolean isAvailable() {
    return true;
  }

  /** Why the backend cannot run here, or {@code null} when it can. */
  default Throwable unavailabilityCause() {
    return null;
  }

  /** Starts the backend of one endpoint. */
  Backend open(BackendContext context);
}
