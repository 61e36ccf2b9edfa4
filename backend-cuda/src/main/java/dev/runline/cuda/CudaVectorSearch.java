package dev.runline.cuda;

import dev.runline.compute.KernelSettings;
import dev.runline.compute.Matrix;
import dev.runline.compute.TopK;
import dev.runline.compute.VectorSearchKernel;

/**
 * The vector-search kernel on a GPU by itself, outside any engine: one worker and the index
 * of {@code settings} resident on the device, searched host to host. For measuring the
 * kernel alone against other implementations of the same search.
 */
public final class CudaVectorSearch implements VectorSearchKernel, AutoCloseable {
  private final GpuKernels kernels;
  private final VectorSearchKernel search;

  private CudaVectorSearch(GpuKernels kernels) {
    this.kernels = kernels;
    this.search = kernels.vectorSearch(0);
  }

  /**
   * Uploads the index of {@code settings} (a vector-search kernel's) to {@code device}.
   *
   * @throws CudaUnavailableException when no GPU can be used here
   */
  public static CudaVectorSearch open(int device, KernelSettings settings) {
    CudaNative.ensureAvailability();
    return new CudaVectorSearch(GpuKernels.open(device, settings, 1));
  }

  @Override
  public int size() {
    return search.size();
  }

  @Override
  public int dimension() {
    return search.dimension();
  }

  @Override
  public TopK search(Matrix queries, int k) throws InterruptedException {
    return search.search(queries, k);
  }

  @Override
  public void close() {
    kernels.close();
  }
}
