package dev.runline.compute;

import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * A matmul job's input, validated: {@code {"a": m×k, "b": k×n}}, each a list of rows of
 * numbers or {@code {"shape": [rows, cols], "f32le": "..."}}, with {@code "output": "f32le"}
 * to have {@code c} as f32le. Every dimension is from 1 to the endpoint's {@code maxDim}.
 */
public final class MatmulRequest {
  static final List<String> FIELDS = List.of("a", "b", "output");
  private static final String EXAMPLE = "{\"a\": [[1, 2], [3, 4]], \"b\": [[5], [6]]}";

  private final Matrix a;
  private final Matrix b;
  private final boolean f32leOutput;

  private MatmulRequest(Matrix a, Matrix b, boolean f32leOutput) {
    this.a = a;
    this.b = b;
    this.f32leOutput = f32leOutput;
  }

  /**
   * Reads a job's input.
   *
   * @throws KernelInputException naming the field at fault
   */
  public static MatmulRequest parse(Object input, KernelSettings settings) {
    Map<?, ?> fields = Inputs.object(input, "matmul", FIELDS, EXAMPLE);
    boolean f32le = Inputs.f32leOutput(fields);
    int maxDim = settings.maxDim();
    String limit = "backendSettings.maxDim";
    Object aValue = fields.get("a");
    Object bValue = fields.get("b");
    if (aValue == null || bValue == null) {
      String missing = aValue == null ? "a" : "b";
      throw new KernelInputException("input." + missing, "input." + missing + " is missing; matmul needs a (m × k) and "
          + "b (k × n), like " + EXAMPLE);
    }
    Matrix a = Inputs.matrix(aValue, new Inputs.Shape("input.a", "rows").rows(1, maxDim, limit).maxCols(maxDim, limit));
    Matrix b = Inputs.matrix(bValue, new Inputs.Shape("input.b", "rows").rows(1, maxDim, limit).maxCols(maxDim, limit));
    if (b.rows() != a.cols()) {
      throw new KernelInputException("input.b", "input.b has " + b.rows() + " rows; it needs as many as input.a has "
          + "columns (" + a.cols() + ")");
    }
    return new MatmulRequest(a, b, f32le);
  }

  /** {@code m × k}. */
  public Matrix a() {
    return a;
  }

  /** {@code k × n}. */
  public Matrix b() {
    return b;
  }

  /** Whether {@code c} is to be returned as f32le. */
  public boolean f32leOutput() {
    return f32leOutput;
  }

  /** The job's output: {@code {"c": [[...], ...]}} or {@code {"c": {"shape": [m, n], "f32le": "..."}}}. */
  public Object output(Matrix c) {
    return Map.of("c", f32leOutput ? F32le.encode(c) : rows(c));
  }

  private static List<List<Float>> rows(Matrix c) {
    return new Rows(c);
  }

  private static final class Rows extends AbstractList<List<Float>> implements RandomAccess {
    private final Matrix c;

    Rows(Matrix c) {
      this.c = c;
    }

    @Override
    public List<Float> get(int index) {
      return new FloatList(c.data(), java.util.Objects.checkIndex(index, c.rows()) * c.cols(), c.cols());
    }

    @Override
    public int size() {
      return c.rows();
    }
  }

  @Override
  public String toString() {
    return "MatmulRequest[" + a.rows() + " × " + a.cols() + " by " + b.rows() + " × " + b.cols() + "]";
  }
}
