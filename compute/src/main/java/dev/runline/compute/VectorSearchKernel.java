package dev.runline.compute;

/**
 * The computation of a vector-search endpoint on one backend, over an index it holds
 * resident (built from {@link KernelSettings#loadIndex()}). Parsing, validation and output
 * shaping are done around it by {@link ComputeHandlers}; a backend implements only this.
 *
 * <p>The semantics every implementation must give: the score of query {@code q} and index
 * row {@code i} is the dot product of the two vectors (both of unit length, so it is their
 * cosine similarity), as float32; the result of a query is the {@code k} rows of highest
 * score, in descending order of score, equal scores ordered by the smaller id.
 */
public interface VectorSearchKernel {
  /** {@code N}: how many vectors the index holds; ids are {@code 0 .. N-1}. */
  int size();

  /** {@code D}: the dimension of the index's vectors. */
  int dimension();

  /**
   * The top {@code k} index rows of each query.
   *
   * @param queries one query per row, at least one row, {@link #dimension()} columns, each
   *     row of unit length
   * @param k from 1 to {@link #size()}
   * @return exactly {@code k} ids and scores for each query, best first
   * @throws InterruptedException when the calling thread is interrupted (the job was
   *     cancelled or timed out); the result is then not needed
   */
  TopK search(Matrix queries, int k) throws InterruptedException;
}
