package dev.runline.cuda;

import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;

/**
 * Registers the {@code cuda} backend: kernel endpoints ({@code vector-search},
 * {@code matmul}) computed on an NVIDIA GPU. Available where {@link CudaNative#isAvailable()}
 * is; otherwise {@link #unavailabilityCause()} says what is missing, and the engine refuses
 * to start an endpoint on it.
 *
 * <p>Settings, beside the kernel's ({@link dev.runline.compute.KernelSettings}):
 * {@code maxBatch} (jobs per launch, default {@value CudaBackend#DEFAULT_MAX_BATCH}),
 * {@code maxQueueDelayMicros} (how long a worker waits for a batch to fill, default
 * {@value CudaBackend#DEFAULT_MAX_QUEUE_DELAY_MICROS}) and {@code device} (default 0).
 */
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

  /**
   * @throws CudaUnavailableException when no GPU can be used here
   * @throws IllegalArgumentException when the endpoint has a Java handler or a bad setting
   */
  @Override
  public Backend open(BackendContext context) {
    CudaNative.ensureAvailability();
    return new CudaBackend(context, GpuKernels::open);
  }
}
