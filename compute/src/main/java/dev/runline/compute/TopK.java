package dev.runline.compute;

import java.util.Objects;

/**
 * The result of a vector search: for each query, the ids of its nearest index rows and
 * their scores, best first. Equal scores are ordered by the smaller id. The arrays are
 * held, not copied.
 */
public final class TopK {
  private final int[][] ids;
  private final float[][] scores;

  /**
   * @param ids per query, the index rows' ids, best first
   * @param scores per query, the matching scores, in descending order
   * @throws IllegalArgumentException when the two do not have the same shape
   */
  public TopK(int[][] ids, float[][] scores) {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(scores, "scores");
    if (ids.length != scores.length) {
      throw new IllegalArgumentException("ids has " + ids.length + " queries, scores " + scores.length);
    }
    for (int q = 0; q < ids.length; q++) {
      if (ids[q] == null || scores[q] == null || ids[q].length != scores[q].length) {
        throw new IllegalArgumentException("query " + q + ": ids and scores must be non-null and of the same length");
      }
    }
    this.ids = ids;
    this.scores = scores;
  }

  /** How many queries this answers. */
  public int queries() {
    return ids.length;
  }

  /** The ids of query {@code q}, best first (the held array). */
  public int[] ids(int q) {
    return ids[q];
  }

  /** The scores of query {@code q}, descending (the held array). */
  public float[] scores(int q) {
    return scores[q];
  }

  @Override
  public String toString() {
    return "TopK[" + ids.length + " queries]";
  }
}
