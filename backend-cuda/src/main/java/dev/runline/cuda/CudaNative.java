package dev.runline.cuda;

import dev.runline.cuda.CudaUnavailableException.Reason;
import java.nio.file.Path;

/**
 * The native library: whether it can run here, and its JNI entry points.
 *
 * <p>The library is loaded and probed once, when this class initializes: it must be on
 * linux/x86_64, the jar must carry it (it is built only where nvcc is found) unless
 * {@value #LIBRARY_PROPERTY} names another file, the JVM must load it, and it must find a
 * driver and a GPU of compute capability 8.0 or newer that runs its kernels.
 * {@link #isAvailable()} and {@link #unavailabilityCause()} report the outcome and never
 * throw.
 *
 * <p>The native methods take raw handles and are package-private: {@link CudaWorker} and
 * {@link DeviceIndex} own the handles and make a closed or shared one impossible to misuse.
 * Every native method checks its arguments itself (sizes against array lengths, handles
 * against zero) before touching memory, and reports CUDA failures as
 * {@link IllegalStateException} carrying CUDA's error name and text.
 */
public final class CudaNative {
  /** The most results a query may ask for (the top-k kernel's block size). */
  public static final int MAX_K = 1024;

  /**
   * A system property naming a library file to load instead of the one in the jar, e.g.
   * one built with build-native.sh for another GPU architecture.
   */
  public static final String LIBRARY_PROPERTY = "runline.cuda.library";

  private static final boolean LOADED;
  private static final CudaUnavailableException UNAVAILABILITY_CAUSE;

  static {
    String file = System.getProperty(LIBRARY_PROPERTY, "");
    ClassLoader loader = CudaNative.class.getClassLoader();
    CudaUnavailableException cause = !file.isEmpty()
        ? CudaNativeLibrary.loadFile(Path.of(file))
        : CudaNativeLibrary.load(loader != null ? loader : ClassLoader.getSystemClassLoader(),
            CudaNativeLibrary.RESOURCE, System.getProperty("os.name"), System.getProperty("os.arch"),
            Path.of(System.getProperty("java.io.tmpdir")));
    boolean loaded = cause == null;
    if (loaded) {
      cause = probeDevices();
      if (cause != null && cause.reason() == Reason.LOAD_ERROR) {
        loaded = false;
      }
    }
    LOADED = loaded;
    UNAVAILABILITY_CAUSE = cause;
  }

  private CudaNative() {}

  private static CudaUnavailableException probeDevices() {
    try {
      if (maxK() != MAX_K) {
        return new CudaUnavailableException(Reason.LOAD_ERROR, "load error: the native library allows k up to "
            + maxK() + " but its Java class expects " + MAX_K + "; the jar mixes two builds", null);
      }
      String reason = probe();
      return reason == null ? null
          : new CudaUnavailableException(Reason.NO_DEVICE, "no CUDA device: " + reason, null);
    } catch (UnsatisfiedLinkError e) {
      return new CudaUnavailableException(Reason.LOAD_ERROR,
          "load error: the native library lacks " + e.getMessage() + "; the jar mixes two builds", e);
    }
  }

  /** Whether a CUDA device can run the backend's kernels in this process. */
  public static boolean isAvailable() {
    return UNAVAILABILITY_CAUSE == null;
  }

  /**
   * Why {@link #isAvailable()} is false (a {@link CudaUnavailableException} naming what is
   * missing), or {@code null} when it is true.
   */
  public static Throwable unavailabilityCause() {
    return UNAVAILABILITY_CAUSE;
  }

  /** Throws a {@link CudaUnavailableException} saying why, unless {@link #isAvailable()}. */
  public static void ensureAvailability() {
    CudaUnavailableException cause = UNAVAILABILITY_CAUSE;
    if (cause != null) {
      // A fresh exception, so its stack shows the caller; the original is its cause.
      throw new CudaUnavailableException(cause.reason(), cause.getMessage(), cause);
    }
  }

  /** The number of CUDA devices visible to this process (0 when none can be used). */
  public static int deviceCount() {
    return isAvailable() ? countDevices() : 0;
  }

  /** Name, compute capability, multiprocessors and memory of {@code device}. */
  public static String describe(int device) {
    ensureAvailability();
    return describeDevice(device);
  }

  /** Whether the library is loaded, even if no device can run it (its methods then link). */
  static boolean isLibraryLoaded() {
    return LOADED;
  }

  /** Null when some device runs the kernels; else why none does (no driver, too old, ...). */
  static native String probe();

  /** The native value of {@link #MAX_K}. */
  static native int maxK();

  /** How many devices CUDA sees (0 when it cannot tell). */
  static native int countDevices();

  static native String describeDevice(int device);

  /** A worker handle on {@code device}: its own stream, staging and device buffers. */
  static native long openWorker(int device);

  /** Waits for the worker's stream and frees everything it holds; 0 is ignored. */
  static native void closeWorker(long worker);

  /** A zeroed {@code rows x dim} index on the worker's device. */
  static native long allocateIndex(long worker, int rows, int dim);

  /** Copies {@code count} rows (row-major, {@code count x dim}) to index rows from {@code firstRow}. */
  static native void writeIndexRows(long worker, long index, int firstRow, float[] rows, int count);

  /** Frees an index; 0 is ignored. No search may be using it. */
  static native void freeIndex(long index);

  /**
   * Scores the {@code q x d} queries against every index row by dot product and writes the
   * best {@code min(k, rows)} of each query, best first (higher score, then smaller row id),
   * row-major into {@code outIds} and {@code outScores}.
   */
  static native void search(long worker, long index, float[] queries, int q, int d, int k,
      int[] outIds, float[] outScores);

  /** {@code c (m x n) = a (m x k) * b (k x n)}, all row-major. */
  static native void matmul(long worker, float[] a, int m, int k, float[] b, int n, float[] c);
}
