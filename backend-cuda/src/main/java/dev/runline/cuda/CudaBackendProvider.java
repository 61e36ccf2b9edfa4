package dev.runline.cuda;

import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;

/** Registers the {@code cuda} backend: kernel endpoints computed on a GPU. */
public final class CudaBackendProvider implements BackendProvider {
  public static final String NAME = "cuda";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean isAvailable() {
    return CudaNative.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return CudaNative.unavailabilityCause();
  }

  @Override
  public Backend open(BackendContext context) {
    CudaNative.ensureAvailability();
    throw new UnsupportedOperationException("backend 'cuda' is not wired to kernel endpoints yet");
  }
}
