package dev.runline.cuda;

/**
 * Why the CUDA backend cannot run in this process. The message starts with what is missing
 * ({@code "not built: "}, {@code "unsupported platform: "}, {@code "load error: "} or
 * {@code "no CUDA device: "}) and says what to do about it; {@link #reason()} gives the
 * same as a value.
 */
public final class CudaUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What is missing, from the build to the hardware. */
  public enum Reason {
    /** The jar carries no native library: nvcc was not found when it was built. */
    NOT_BUILT,
    /** The library is built for linux/x86_64 only. */
    UNSUPPORTED_PLATFORM,
    /** The library is there but the JVM could not load it (often: a missing shared library). */
    LOAD_ERROR,
    /** The library loaded but found no driver, no device, or no device it can run on. */
    NO_DEVICE
  }

  private final Reason reason;

  CudaUnavailableException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** What is missing. */
  public Reason reason() {
    return reason;
  }
}
