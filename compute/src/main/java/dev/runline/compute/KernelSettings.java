package dev.runline.compute;

import dev.runline.Endpoint;
import dev.runline.Work;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A kernel endpoint's settings, read from its {@code backendSettings}: the same keys on
 * every backend, beside which a backend may allow keys of its own.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>kernel</th><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>vector-search</td><td>{@code index}</td><td>{@code {n, d, seed}}: {@code n} random
 *       vectors of dimension {@code d} ({@link VectorIndex#generate}); or {@code {npy: path}}:
 *       a float32 {@code .npy} file ({@link VectorIndex#load}; a relative path is resolved
 *       against the working directory)</td><td>required</td></tr>
 *   <tr><td>vector-search</td><td>{@code maxK}</td><td>the largest {@code k} a job may ask</td>
 *       <td>{@value #DEFAULT_MAX_K}</td></tr>
 *   <tr><td>vector-search</td><td>{@code maxQueries}</td><td>the most queries in one job</td>
 *       <td>{@value #DEFAULT_MAX_QUERIES}</td></tr>
 *   <tr><td>matmul</td><td>{@code maxDim}</td><td>the largest {@code m}, {@code k} and
 *       {@code n} of a job's {@code a} (m × k) and {@code b} (k × n)</td>
 *       <td>{@value #DEFAULT_MAX_DIM}</td></tr>
 * </table>
 *
 * <p>Every fault is an {@link IllegalArgumentException} whose message names the key
 * ({@code backendSettings.maxK}) and, for an unknown key, the keys allowed.
 */
public final class KernelSettings {
  public static final int DEFAULT_MAX_K = 1000;
  public static final int DEFAULT_MAX_QUERIES = 1024;
  public static final int DEFAULT_MAX_DIM = 4096;
  /** The largest value any of the limits may be set to. */
  public static final int LIMIT_CEILING = 1 << 24;

  private static final List<String> VECTOR_SEARCH_KEYS = List.of("index", "maxK", "maxQueries");
  private static final List<String> MATMUL_KEYS = List.of("maxDim");
  private static final List<String> INDEX_KEYS = List.of("n", "d", "seed", "npy");

  private final Kernel kernel;
  private final int maxK;
  private final int maxQueries;
  private final int maxDim;
  private final int indexSize;
  private final int indexDimension;
  private final long indexSeed;
  private final Path indexFile;

  private KernelSettings(Kernel kernel, Map<String, ?> settings) {
    this.kernel = kernel;
    if (kernel == Kernel.VECTOR_SEARCH) {
      maxK = limit(settings, "maxK", DEFAULT_MAX_K);
      maxQueries = limit(settings, "maxQueries", DEFAULT_MAX_QUERIES);
      maxDim = DEFAULT_MAX_DIM;
      Object index = settings.get("index");
      if (!(index instanceof Map<?, ?> spec)) {
        throw new IllegalArgumentException("backendSettings.index " + (index == null ? "is missing" : "must be a mapping, was "
            + Inputs.describe(index)) + "; a vector-search endpoint needs {n: 100000, d: 64, seed: 42} (random vectors) "
            + "or {npy: path/to/vectors.npy}");
      }
      for (Object key : spec.keySet()) {
        if (!INDEX_KEYS.contains(String.valueOf(key))) {
          throw new IllegalArgumentException("backendSettings.index." + key + " is not a key of the index; the keys "
              + "allowed are " + String.join(", ", INDEX_KEYS) + " (n, d and seed, or npy alone)");
        }
      }
      if (spec.containsKey("npy")) {
        if (spec.size() != 1) {
          throw new IllegalArgumentException("backendSettings.index has npy and " + new ArrayList<>(spec.keySet())
              + "; set either npy (a file) or n, d and seed (random vectors)");
        }
        Object file = spec.get("npy");
        if (!(file instanceof String path) || path.isBlank()) {
          throw new IllegalArgumentException("backendSettings.index.npy must be the path of a .npy file, was "
              + Inputs.describe(file));
        }
        try {
          indexFile = Path.of(path);
        } catch (InvalidPathException e) {
          throw new IllegalArgumentException("backendSettings.index.npy is not a valid path: " + e.getMessage(), e);
        }
        indexSize = 0;
        indexDimension = 0;
        indexSeed = 0;
      } else {
        indexFile = null;
        indexSize = required(spec, "n");
        indexDimension = required(spec, "d");
        if ((long) indexSize * indexDimension > Matrix.MAX_ELEMENTS) {
          throw new IllegalArgumentException("backendSettings.index of " + indexSize + " × " + indexDimension
              + " exceeds " + Matrix.MAX_ELEMENTS + " values");
        }
        indexSeed = seed(spec.get("seed"));
      }
    } else {
      maxK = DEFAULT_MAX_K;
      maxQueries = DEFAULT_MAX_QUERIES;
      maxDim = limit(settings, "maxDim", DEFAULT_MAX_DIM);
      indexSize = 0;
      indexDimension = 0;
      indexSeed = 0;
      indexFile = null;
    }
  }

  /**
   * The settings of a kernel endpoint.
   *
   * @param backendKeys keys the backend itself takes, allowed beside the kernel's
   * @throws IllegalArgumentException when the endpoint runs no kernel, or a setting is bad;
   *     the message names the endpoint and the key
   */
  public static KernelSettings of(Endpoint endpoint, Collection<String> backendKeys) {
    Objects.requireNonNull(endpoint, "endpoint");
    Kernel kernel = kernelOf(endpoint);
    try {
      return parse(kernel, endpoint.backendSettings(), backendKeys);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("endpoint '" + endpoint.name() + "' (" + kernel + " on backend '"
          + endpoint.backend() + "'): " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code settings} for {@code kernel}.
   *
   * @param backendKeys keys the backend itself takes, allowed beside the kernel's and ignored here
   * @throws IllegalArgumentException naming the key at fault
   */
  public static KernelSettings parse(Kernel kernel, Map<String, ?> settings, Collection<String> backendKeys) {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(backendKeys, "backendKeys");
    List<String> allowed = new ArrayList<>(keys(kernel));
    allowed.addAll(backendKeys);
    for (String key : settings.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException("backendSettings." + key + " is not a setting of a " + kernel
            + " endpoint on this backend; the settings allowed are " + String.join(", ", allowed));
      }
    }
    return new KernelSettings(kernel, settings);
  }

  /** The {@code backendSettings} keys of {@code kernel}, common to every backend. */
  public static List<String> keys(Kernel kernel) {
    return kernel == Kernel.VECTOR_SEARCH ? VECTOR_SEARCH_KEYS : MATMUL_KEYS;
  }

  public Kernel kernel() {
    return kernel;
  }

  /** The largest {@code k} of a vector-search job. */
  public int maxK() {
    return maxK;
  }

  /** The most queries in one vector-search job. */
  public int maxQueries() {
    return maxQueries;
  }

  /** The largest dimension of a matmul job's matrices. */
  public int maxDim() {
    return maxDim;
  }

  /**
   * Builds the index the settings describe: generates it, or reads its file.
   *
   * @throws IllegalStateException when the kernel is not vector-search
   * @throws IllegalArgumentException when the file is not a float32 2-D {@code .npy} array
   * @throws java.io.UncheckedIOException when the file cannot be read
   */
  public VectorIndex loadIndex() {
    if (kernel != Kernel.VECTOR_SEARCH) {
      throw new IllegalStateException("a " + kernel + " endpoint has no index");
    }
    if (indexFile != null) {
      try {
        return VectorIndex.load(indexFile);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("backendSettings.index.npy: " + e.getMessage(), e);
      }
    }
    return VectorIndex.generate(indexSize, indexDimension, indexSeed);
  }

  private static int limit(Map<String, ?> settings, String key, int fallback) {
    Object value = settings.get(key);
    return value == null ? fallback : whole(value, "backendSettings." + key, LIMIT_CEILING);
  }

  private static int required(Map<?, ?> spec, String key) {
    Object value = spec.get(key);
    if (value == null) {
      throw new IllegalArgumentException("backendSettings.index." + key + " is missing; random vectors need n "
          + "(how many), d (their dimension) and optionally seed, e.g. {n: 100000, d: 64, seed: 42}");
    }
    return whole(value, "backendSettings.index." + key, Matrix.MAX_ELEMENTS);
  }

  private static int whole(Object value, String key, int max) {
    try {
      return Inputs.whole(value, key, 1, max, null);
    } catch (KernelInputException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static long seed(Object value) {
    if (value == null) {
      return 0;
    }
    try {
      return Inputs.wholeLong(value, "backendSettings.index.seed", Long.MIN_VALUE, Long.MAX_VALUE, "a 64-bit seed");
    } catch (KernelInputException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * A whole-number setting of the backend itself in {@code endpoint}'s
   * {@code backendSettings}, or {@code fallback} when absent.
   *
   * @throws IllegalArgumentException naming the endpoint, the key and the range
   */
  public static int backendSetting(Endpoint endpoint, String key, int fallback, int min, int max) {
    Object value = endpoint.backendSettings().get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Inputs.whole(value, "backendSettings." + key, min, max, null);
    } catch (KernelInputException e) {
      throw new IllegalArgumentException("endpoint '" + endpoint.name() + "': " + e.getMessage(), e);
    }
  }

  /**
   * The kernel {@code endpoint} runs.
   *
   * @throws IllegalArgumentException when it runs a handler, or a kernel of no known name
   */
  public static Kernel kernelOf(Endpoint endpoint) {
    if (!(endpoint.work() instanceof Work.Kernel named)) {
      throw new IllegalArgumentException("endpoint '" + endpoint.name() + "' runs a handler, not a kernel");
    }
    try {
      return Kernel.of(named.name());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("endpoint '" + endpoint.name() + "': " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return switch (kernel) {
      case VECTOR_SEARCH -> "KernelSettings[vector-search, index=" + (indexFile != null ? indexFile
          : indexSize + " × " + indexDimension + " seed " + indexSeed) + ", maxK=" + maxK + ", maxQueries=" + maxQueries + "]";
      case MATMUL -> "KernelSettings[matmul, maxDim=" + maxDim + "]";
    };
  }
}
