package dev.runline.cuda;

import dev.runline.compute.Kernel;
import dev.runline.compute.KernelSettings;
import dev.runline.compute.MatmulKernel;
import dev.runline.compute.Matrix;
import dev.runline.compute.TopK;
import dev.runline.compute.VectorSearchKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An endpoint's kernels on a GPU: a {@link CudaWorker} per worker thread and, for
 * vector-search, the index uploaded once and shared by them all. The Java copy of the
 * index is dropped after the upload: the device's is the one searched.
 */
final class GpuKernels implements DeviceKernels {
  private final List<CudaWorker> workers;
  private final DeviceIndex index;

  private GpuKernels(List<CudaWorker> workers, DeviceIndex index) {
    this.workers = workers;
    this.index = index;
  }

  /** Opens {@code workers} workers on {@code device} and uploads the index, if any. */
  static GpuKernels open(int device, KernelSettings settings, int workers) {
    List<CudaWorker> opened = new ArrayList<>();
    try {
      for (int i = 0; i < workers; i++) {
        opened.add(CudaWorker.open(device));
      }
      DeviceIndex index = null;
      if (settings.kernel() == Kernel.VECTOR_SEARCH) {
        Matrix vectors = settings.loadIndex().vectors();
        // A worker of its own, closed after: the upload grows its staging buffer, which
        // the serving workers then need not keep.
        try (CudaWorker loader = CudaWorker.open(device)) {
          index = loader.uploadIndex(vectors.data(), vectors.rows(), vectors.cols());
        }
      }
      return new GpuKernels(List.copyOf(opened), index);
    } catch (RuntimeException | Error e) {
      opened.forEach(CudaWorker::close);
      throw e;
    }
  }

  @Override
  public VectorSearchKernel vectorSearch(int worker) {
    if (index == null) {
      throw new IllegalStateException("a matmul endpoint has no index to search");
    }
    return new Search(workers.get(worker), index);
  }

  @Override
  public MatmulKernel matmul(int worker) {
    CudaWorker on = workers.get(worker);
    return (a, b) -> {
      // The launch itself cannot be interrupted; a cancelled job does not start one.
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      float[] c = new float[a.rows() * b.cols()];
      on.matmul(a.data(), a.rows(), a.cols(), b.data(), b.cols(), c);
      return Matrix.of(a.rows(), b.cols(), c);
    };
  }

  @Override
  public void close() {
    workers.forEach(CudaWorker::close);
    if (index != null) {
      index.close();
    }
  }

  /** One worker's searches of the shared index: a whole batch of queries per launch. */
  private static final class Search implements VectorSearchKernel {
    private final CudaWorker worker;
    private final DeviceIndex index;

    Search(CudaWorker worker, DeviceIndex index) {
      this.worker = worker;
      this.index = index;
    }

    @Override
    public int size() {
      return index.rows();
    }

    @Override
    public int dimension() {
      return index.dimension();
    }

    @Override
    public TopK search(Matrix queries, int k) throws InterruptedException {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      int q = queries.rows();
      int keep = index.resultsPerQuery(k);
      int[] ids = new int[q * keep];
      float[] scores = new float[q * keep];
      worker.search(index, queries.data(), q, k, ids, scores);
      int[][] idRows = new int[q][];
      float[][] scoreRows = new float[q][];
      for (int i = 0; i < q; i++) {
        idRows[i] = Arrays.copyOfRange(ids, i * keep, (i + 1) * keep);
        scoreRows[i] = Arrays.copyOfRange(scores, i * keep, (i + 1) * keep);
      }
      return new TopK(idRows, scoreRows);
    }

    @Override
    public String toString() {
      return index.toString();
    }
  }

  @Override
  public String toString() {
    return "GpuKernels[" + workers.size() + " workers" + (index != null ? ", " + index : "") + "]";
  }
}
