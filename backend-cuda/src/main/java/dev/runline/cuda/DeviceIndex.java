package dev.runline.cuda;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A vector index resident in one GPU's memory: {@code rows x dimension} float32 values,
 * uploaded once by a {@link CudaWorker} and searched by every worker of the same device.
 * Rows are searched by dot product, so for cosine similarity they are normalized before
 * upload.
 *
 * <p>Searches hold a read lock and {@link #close()} the write lock, so closing waits for
 * the searches in flight and a search after close fails cleanly instead of reading freed
 * device memory.
 */
public final class DeviceIndex implements AutoCloseable {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final int device;
  private final int rows;
  private final int dimension;
  private long handle;

  DeviceIndex(long handle, int device, int rows, int dimension) {
    this.handle = handle;
    this.device = device;
    this.rows = rows;
    this.dimension = dimension;
  }

  /** The device that holds the index. */
  public int device() {
    return device;
  }

  /** The number of rows; a row's id is its position, from 0. */
  public int rows() {
    return rows;
  }

  /** The length of each row. */
  public int dimension() {
    return dimension;
  }

  /** The results a search for {@code k} returns per query: {@code min(k, rows())}. */
  public int resultsPerQuery(int k) {
    return Math.min(k, rows);
  }

  /** The native handle, with the read lock held by the caller. */
  long acquire() {
    lock.readLock().lock();
    if (handle == 0) {
      lock.readLock().unlock();
      throw new IllegalStateException("the index (" + rows + " x " + dimension + " on device "
          + device + ") is closed");
    }
    return handle;
  }

  void release() {
    lock.readLock().unlock();
  }

  /** Frees the device memory, after the searches in flight; later calls do nothing. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      CudaNative.freeIndex(handle);
      handle = 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "DeviceIndex[" + rows + " x " + dimension + " on device " + device + "]";
  }
}
