package dev.runline.compute;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A built-in compute kernel an endpoint can run instead of a handler: its input parsing,
 * validation and output shaping are written once (in this package) and only the
 * computation differs per backend.
 */
public enum Kernel {
  /** Top-k cosine similarity against an index of vectors held by the backend. */
  VECTOR_SEARCH("vector-search"),
  /** A matrix product {@code c = a × b}. */
  MATMUL("matmul");

  private final String id;

  Kernel(String id) {
    this.id = id;
  }

  /** The name configurations use, e.g. {@code vector-search}. */
  public String id() {
    return id;
  }

  /**
   * The kernel named {@code name} (as {@link #id()}; case is ignored).
   *
   * @throws IllegalArgumentException naming the allowed kernels when there is none such
   */
  public static Kernel of(String name) {
    if (name != null) {
      String wanted = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
      for (Kernel kernel : values()) {
        if (kernel.id.equals(wanted)) {
          return kernel;
        }
      }
    }
    throw new IllegalArgumentException("kernel must be one of " + names() + ", was "
        + (name == null ? "null" : "'" + name + "'"));
  }

  /** The kernels' names, comma-separated, for messages. */
  public static String names() {
    return Arrays.stream(values()).map(Kernel::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
