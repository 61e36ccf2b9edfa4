package dev.runline.cpu;

import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;

/** Registers the {@code cpu} backend: Java worker threads running each endpoint's handler. */
public final class CpuBackendProvider implements BackendProvider {
  public static final String NAME = "cpu";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Backend open(BackendContext context) {
    return new CpuBackend(context);
  }
}
