package dev.runline.cuda;

import dev.runline.compute.KernelSettings;
import dev.runline.compute.MatmulKernel;
import dev.runline.compute.VectorSearchKernel;

/**
 * The kernels of one endpoint on a device: one set per worker thread, each with its own
 * stream and buffers, over state shared by all (the resident index). {@link CudaBackend}
 * schedules jobs onto them; {@link GpuKernels} computes on a GPU, and tests put CPU loops
 * in its place to check the scheduling where there is no GPU.
 */
interface DeviceKernels extends AutoCloseable {

  /** Opens an endpoint's kernels; fails when the device cannot hold them. */
  @FunctionalInterface
  interface Opener {
    DeviceKernels open(int device, KernelSettings settings, int workers);
  }

  /** The vector-search kernel of worker {@code worker} (0 .. workers-1). */
  VectorSearchKernel vectorSearch(int worker);

  /** The matmul kernel of worker {@code worker} (0 .. workers-1). */
  MatmulKernel matmul(int worker);

  /** Frees the device memory; called once every worker has stopped. */
  @Override
  void close();
}
