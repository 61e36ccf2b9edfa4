/**
 * The {@code remote} backend: an endpoint's jobs are taken by worker processes elsewhere, which
 * speak the service's worker protocol. The HTTP routes those workers call are the server's; it
 * reaches an endpoint's backend as {@link dev.runline.remote.RemoteWorkers}.
 */
module dev.runline.backend.remote {
  requires transitive dev.runline.engine;
  requires io.github.bucket4j.core;
  requires org.slf4j;

  exports dev.runline.remote;

  provides dev.runline.spi.BackendProvider with dev.runline.remote.RemoteBackendProvider;
}
