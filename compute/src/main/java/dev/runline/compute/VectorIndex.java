package dev.runline.compute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The vectors a vector-search endpoint searches: {@code N} rows of dimension {@code D},
 * float32, each scaled to unit length so that a dot product is the cosine similarity (a
 * row of zeros stays zeros and scores 0 against every query). Row {@code i} has id
 * {@code i}. A backend builds one when it opens the endpoint and keeps it resident.
 */
public final class VectorIndex {
  private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  // Large enough for any real header; bounds what a malformed file can make us read.
  private static final int MAX_HEADER = 1 << 20;

  private final Matrix vectors;
  private final String source;

  private VectorIndex(Matrix vectors, String source) {
    this.vectors = vectors;
    this.source = source;
  }

  /**
   * An index of the given vectors (a copy, normalized).
   *
   * @throws IllegalArgumentException when it has no rows or no columns, or holds a number
   *     that is not finite
   */
  public static VectorIndex of(Matrix vectors) {
    Objects.requireNonNull(vectors, "vectors");
    checkShape(vectors.rows(), vectors.cols(), "the index");
    float[] data = vectors.data();
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new IllegalArgumentException("the index holds " + data[i] + " at row " + i / vectors.cols()
            + ", column " + i % vectors.cols() + "; every value must be finite");
      }
    }
    return new VectorIndex(vectors.normalizedRows(), "given " + vectors.rows() + " × " + vectors.cols());
  }

  /**
   * {@code n} random vectors of dimension {@code d}, the same for the same seed on every
   * machine: row {@code i}'s values are standard normal (Box–Muller on
   * {@link SplittableRandom}{@code (seed + i × 0x9E3779B97F4A7C15)}), then normalized.
   *
   * @throws IllegalArgumentException when {@code n} or {@code d} is below 1, or
   *     {@code n × d} exceeds {@link Matrix#MAX_ELEMENTS}
   */
  public static VectorIndex generate(int n, int d, long seed) {
    checkShape(n, d, "a generated index");
    float[] data = new float[n * d];
    IntStream.range(0, n).parallel().forEach(i -> {
      SplittableRandom random = new SplittableRandom(seed + i * 0x9E3779B97F4A7C15L);
      int offset = i * d;
      for (int j = 0; j < d; j++) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        data[offset + j] = (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2));
      }
      Matrix.normalizeRow(data, data, offset, d);
    });
    return new VectorIndex(Matrix.of(n, d, data), "generated " + n + " × " + d + ", seed " + seed);
  }

  /**
   * The vectors of a NumPy {@code .npy} file: a 2-D array of little-endian float32
   * ({@code '<f4'}) in C order, as {@code numpy.save(path, array.astype('<f4'))} writes it.
   *
   * @throws IllegalArgumentException when the file is not such an array (the message says
   *     what it holds and how to convert it), or holds a value that is not finite
   * @throws UncheckedIOException when the file cannot be read
   */
  public static VectorIndex load(Path npy) {
    Objects.requireNonNull(npy, "npy");
    try (FileChannel channel = FileChannel.open(npy, StandardOpenOption.READ)) {
      ByteBuffer preamble = read(channel, 10, npy);
      byte[] magic = new byte[NPY_MAGIC.length];
      preamble.get(magic);
      if (!java.util.Arrays.equals(magic, NPY_MAGIC)) {
        throw new IllegalArgumentException(npy + " is not a .npy file (it does not start with \\x93NUMPY); "
            + "write it with numpy.save");
      }
      int major = preamble.get() & 0xff;
      preamble.get();
      long headerLength;
      if (major == 1) {
        headerLength = preamble.order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xffff;
      } else if (major == 2 || major == 3) {
        ByteBuffer wide = read(channel, 2, npy);
        headerLength = (preamble.order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xffffL)
            | (wide.order(ByteOrder.LITTLE_ENDIAN).getShort(0) & 0xffffL) << 16;
      } else {
        throw new IllegalArgumentException(npy + " is a .npy file of format version " + major
            + ", which this reader does not know (it reads 1, 2 and 3)");
      }
      if (headerLength > MAX_HEADER) {
        throw new IllegalArgumentException(npy + " has a .npy header of " + headerLength + " bytes; that is not a real one");
      }
      String header = StandardCharsets.ISO_8859_1.decode(read(channel, (int) headerLength, npy)).toString();
      String descr = group(DESCR, header, npy, "descr");
      if (!descr.equals("<f4")) {
        throw new IllegalArgumentException(npy + " holds dtype '" + descr + "'; the index needs little-endian "
            + "float32 ('<f4'): save it with numpy.save(path, array.astype('<f4'))");
      }
      if (group(FORTRAN, header, npy, "fortran_order").equals("True")) {
        throw new IllegalArgumentException(npy + " is in Fortran (column-major) order; the index needs C order: "
            + "save numpy.ascontiguousarray(array)");
      }
      String[] dims = group(SHAPE, header, npy, "shape").split(",");
      int count = 0;
      long[] shape = new long[2];
      for (String dim : dims) {
        if (dim.isBlank()) {
          continue;
        }
        if (count == 2) {
          count++;
          break;
        }
        try {
          shape[count++] = Long.parseLong(dim.trim().replace("L", ""));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(npy + " has a malformed shape in its header: " + header.trim());
        }
      }
      if (count != 2) {
        throw new IllegalArgumentException(npy + " holds an array of " + count + " dimensions; the index needs 2 "
            + "(rows × dimension), e.g. numpy.save(path, vectors.reshape(n, d))");
      }
      if (shape[0] < 1 || shape[1] < 1 || shape[0] * shape[1] > Matrix.MAX_ELEMENTS) {
        throw new IllegalArgumentException(npy + " holds a " + shape[0] + " × " + shape[1] + " array; the index needs "
            + "at least one row and column and at most " + Matrix.MAX_ELEMENTS + " values");
      }
      int n = (int) shape[0];
      int d = (int) shape[1];
      long bytes = (long) n * d * Float.BYTES;
      long left = channel.size() - channel.position();
      if (left < bytes) {
        throw new IllegalArgumentException(npy + " is truncated: its " + n + " × " + d + " float32 array needs "
            + bytes + " bytes of data, the file has " + left);
      }
      float[] data = new float[n * d];
      int done = 0;
      ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
      while (done < data.length) {
        chunk.clear();
        chunk.limit((int) Math.min(chunk.capacity(), (long) (data.length - done) * Float.BYTES));
        while (chunk.hasRemaining()) {
          if (channel.read(chunk) < 0) {
            throw new IllegalArgumentException(npy + " ended early");
          }
        }
        chunk.flip();
        int floats = chunk.remaining() / Float.BYTES;
        chunk.asFloatBuffer().get(data, done, floats);
        done += floats;
      }
      for (int i = 0; i < data.length; i++) {
        if (!Float.isFinite(data[i])) {
          throw new IllegalArgumentException(npy + " holds " + data[i] + " at row " + i / d + ", column " + i % d
              + "; every value of the index must be finite");
        }
      }
      return new VectorIndex(Matrix.of(n, d, data).normalizedRows(), npy + " (" + n + " × " + d + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the index file " + npy + ": " + e, e);
    }
  }

  private static ByteBuffer read(FileChannel channel, int length, Path npy) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IllegalArgumentException(npy + " is too short to be a .npy file");
      }
    }
    return buffer.flip();
  }

  private static String group(Pattern pattern, String header, Path npy, String key) {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(npy + " has no '" + key + "' in its .npy header: " + header.trim());
    }
    return m.group(1);
  }

  private static void checkShape(long n, long d, String what) {
    if (n < 1 || d < 1) {
      throw new IllegalArgumentException(what + " needs at least one row and one column, was " + n + " × " + d);
    }
    if (n * d > Matrix.MAX_ELEMENTS) {
      throw new IllegalArgumentException(what + " of " + n + " × " + d + " exceeds " + Matrix.MAX_ELEMENTS + " values");
    }
  }

  /** The normalized vectors, row {@code i} being id {@code i}. Do not modify. */
  public Matrix vectors() {
    return vectors;
  }

  /** {@code N}, the number of vectors. */
  public int size() {
    return vectors.rows();
  }

  /** {@code D}, the dimension of every vector. */
  public int dimension() {
    return vectors.cols();
  }

  /** Where the vectors came from, for logs and messages. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "VectorIndex[" + source + "]";
  }
}
