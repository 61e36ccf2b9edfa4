package dev.runline.cuda;

import java.util.Objects;

/**
 * One worker's hold on a GPU: a CUDA stream of its own, pinned host staging buffers and
 * device buffers, all allocated at the first batch and grown only when a bigger one comes,
 * so a steady flow of batches allocates nothing. Each call is one synchronous round trip:
 * inputs to the device, one launch path, results back.
 *
 * <p>Methods are synchronized: a worker serves one batch at a time, and {@link #close()}
 * waits for the batch in flight. Give each thread its own worker to use a GPU from
 * several threads at once; their streams then overlap.
 */
public final class CudaWorker implements AutoCloseable {
  private final int device;
  private long handle;

  private CudaWorker(int device, long handle) {
    this.device = device;
    this.handle = handle;
  }

  /**
   * Opens a worker on {@code device}.
   *
   * @throws CudaUnavailableException when no CUDA device can run the kernels here
   * @throws IllegalArgumentException when {@code device} does not exist
   * @throws IllegalStateException when the device cannot be used (too old, out of memory)
   */
  public static CudaWorker open(int device) {
    CudaNative.ensureAvailability();
    return new CudaWorker(device, CudaNative.openWorker(device));
  }

  /** The device this worker runs on. */
  public int device() {
    return device;
  }

  /** Uploads a {@code rows x dimension} row-major index; row ids are positions from 0. */
  public DeviceIndex uploadIndex(float[] data, int rows, int dimension) {
    Objects.requireNonNull(data, "data");
    DeviceIndex index = createIndex(rows, dimension);
    try {
      writeRows(index, 0, data, rows);
      return index;
    } catch (RuntimeException e) {
      index.close();
      throw e;
    }
  }

  /**
   * A zeroed index on this worker's device, to fill with {@link #writeRows} in parts: the
   * way to hold more than a single Java array (2^31 floats) can.
   */
  public synchronized DeviceIndex createIndex(int rows, int dimension) {
    long index = CudaNative.allocateIndex(handle(), rows, dimension);
    return new DeviceIndex(index, device, rows, dimension);
  }

  /** Copies {@code count} rows ({@code count x dimension}, row-major) into the index from {@code firstRow}. */
  public synchronized void writeRows(DeviceIndex index, int firstRow, float[] data, int count) {
    long target = index.acquire();
    try {
      CudaNative.writeIndexRows(handle(), target, firstRow, data, count);
    } finally {
      index.release();
    }
  }

  /**
   * Searches a batch of {@code q} queries ({@code q x index.dimension()}, row-major) in one
   * launch: every query against every row by dot product. Writes each query's best
   * {@code index.resultsPerQuery(k)} rows, best first (higher score; on equal scores the
   * smaller id), row-major into {@code ids} and {@code scores}.
   *
   * @throws IllegalArgumentException when {@code k} exceeds {@link CudaNative#MAX_K} rows
   *     of results, or an array is shorter than the sizes say
   */
  public synchronized void search(DeviceIndex index, float[] queries, int q, int k, int[] ids,
      float[] scores) {
    long target = index.acquire();
    try {
      CudaNative.search(handle(), target, queries, q, index.dimension(), k, ids, scores);
    } finally {
      index.release();
    }
  }

  /** {@code c (m x n) = a (m x k) * b (k x n)}, all row-major, float accumulation. */
  public synchronized void matmul(float[] a, int m, int k, float[] b, int n, float[] c) {
    CudaNative.matmul(handle(), a, m, k, b, n, c);
  }

  private long handle() {
    if (handle == 0) {
      throw new IllegalStateException("the CUDA worker on device " + device + " is closed");
    }
    return handle;
  }

  /** Frees the stream and buffers, after the call in flight; later calls do nothing. */
  @Override
  public synchronized void close() {
    CudaNative.closeWorker(handle);
    handle = 0;
  }

  @Override
  public String toString() {
    return "CudaWorker[device " + device + (handle == 0 ? ", closed]" : "]");
  }
}
