package dev.runline.remote;

import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;

/**
 * Registers the {@code remote} backend: an endpoint's jobs are run by worker processes
 * elsewhere, unmodified serverless workers that take them over HTTP with the service's worker
 * protocol. Such an endpoint names no handler or kernel. Its {@code backendSettings}:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code leaseTimeout}</td><td>a taken job whose worker sends no heartbeat naming it
 *       and no result for this long is taken back</td><td>30s</td></tr>
 *   <tr><td>{@code maxRedeliveries}</td><td>how many times over its life a job taken back is
 *       offered again; then it ends FAILED naming the lost worker</td><td>2</td></tr>
 *   <tr><td>{@code takeWait}</td><td>how long a take or stop request is held when there is
 *       nothing to hand out (at most 80s: the worker library gives up at 90 s)</td><td>20s</td></tr>
 *   <tr><td>{@code maxBatch}</td><td>the largest {@code batch_size} honoured</td><td>16</td></tr>
 *   <tr><td>{@code maxTakeRate}</td><td>take requests a second per worker; beyond, the worker is
 *       throttled</td><td>200</td></tr>
 * </table>
 */
public final class RemoteBackendProvider implements BackendProvider {
  public static final String NAME = "remote";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Backend open(BackendContext context) {
    return new RemoteBackend(context, RemoteSettings.of(context.endpoint()));
  }
}
