package dev.runline.compute;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vector-search job's input, validated: {@code {"query": [D numbers], "k": 10}} or
 * {@code {"queries": [[D numbers], ...], "k": 10}}, with {@code "output": "f32le"} to have
 * the scores as f32le. A query may also be {@code {"shape": [D], "f32le": "..."}} and the
 * queries {@code {"shape": [Q, D], "f32le": "..."}}. {@code k} defaults to 10; a
 * {@code k} above the index's size returns every row.
 */
public final class VectorSearchRequest {
  /** {@code k} when the input sets none. */
  public static final int DEFAULT_K = 10;
  static final List<String> FIELDS = List.of("query", "queries", "k", "output");
  private static final String EXAMPLE = "{\"query\": [0.1, 0.2, ...], \"k\": 10}";

  private final Matrix queries;
  private final int k;
  private final boolean single;
  private final boolean f32leOutput;

  private VectorSearchRequest(Matrix queries, int k, boolean single, boolean f32leOutput) {
    this.queries = queries;
    this.k = k;
    this.single = single;
    this.f32leOutput = f32leOutput;
  }

  /**
   * Reads a job's input.
   *
   * @param dimension the index's dimension, which every query must have
   * @throws KernelInputException naming the field at fault
   */
  public static VectorSearchRequest parse(Object input, int dimension, KernelSettings settings) {
    Map<?, ?> fields = Inputs.object(input, "vector-search", FIELDS, EXAMPLE);
    boolean f32le = Inputs.f32leOutput(fields);
    Object kValue = fields.get("k");
    int k = kValue == null ? DEFAULT_K : Inputs.whole(kValue, "input.k", 1, settings.maxK(), "backendSettings.maxK");
    Object query = fields.get("query");
    Object queries = fields.get("queries");
    if (query != null && queries != null) {
      throw new KernelInputException("input", "input has both query and queries; send one vector as query, "
          + "or a list of them as queries");
    }
    String reason = "the index has dimension " + dimension;
    Matrix matrix;
    if (query != null) {
      matrix = Inputs.vector(query, new Inputs.Shape("input.query", "vectors").cols(dimension, reason));
      Inputs.nonZeroRows(matrix, "input.query", true);
    } else if (queries != null) {
      matrix = Inputs.matrix(queries, new Inputs.Shape("input.queries", "queries")
          .rows(0, settings.maxQueries(), "backendSettings.maxQueries").cols(dimension, reason));
      Inputs.nonZeroRows(matrix, "input.queries", false);
    } else {
      throw new KernelInputException("input.query", "input needs query (one vector of " + dimension
          + " numbers) or queries (a list of them), like " + EXAMPLE);
    }
    return new VectorSearchRequest(matrix.normalizedRows(), k, query != null, f32le);
  }

  /** The queries, one per row, each normalized to unit length; no rows for an empty batch. */
  public Matrix queries() {
    return queries;
  }

  /** How many results a query asked for (before capping at the index's size). */
  public int k() {
    return k;
  }

  /** Whether the input had one {@code query} (the output is one result, not a list). */
  public boolean single() {
    return single;
  }

  /** Whether the scores are to be returned as f32le. */
  public boolean f32leOutput() {
    return f32leOutput;
  }

  /**
   * The job's output: {@code {"ids": [...], "scores": [...]}} for a single query, else a
   * list of those, one per query (empty for an empty batch). With f32le output,
   * {@code scores} is {@code {"shape": [k], "f32le": "..."}}.
   */
  public Object output(TopK result) {
    if (single) {
      return one(result, 0);
    }
    List<Object> out = new ArrayList<>(result.queries());
    for (int q = 0; q < result.queries(); q++) {
      out.add(one(result, q));
    }
    return out;
  }

  private Map<String, Object> one(TopK result, int q) {
    int[] ids = result.ids(q);
    float[] scores = result.scores(q);
    Map<String, Object> out = new LinkedHashMap<>(4);
    out.put("ids", new IntList(ids, ids.length));
    out.put("scores", f32leOutput ? F32le.encode(scores) : new FloatList(scores, 0, scores.length));
    return out;
  }

  @Override
  public String toString() {
    return "VectorSearchRequest[" + queries.rows() + " queries of " + queries.cols() + ", k=" + k + "]";
  }
}
