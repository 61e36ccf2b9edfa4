package dev.runline.compute;

import dev.runline.Handler;
import dev.runline.spi.Attempt;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a backend's kernel into what the engine runs: parse the job's input, compute,
 * shape the output. A backend builds these once per endpoint, then runs each job's attempt
 * with {@link Attempt#run(Handler)}, or a batch of vector-search attempts through
 * {@link #runVectorSearch}.
 *
 * <p>A malformed input throws {@link KernelInputException} before the kernel is called, so
 * the job ends FAILED with a message naming the field and the worker goes on. A kernel's
 * result of the wrong shape or order throws {@link IllegalStateException}: it is a bug of
 * the backend, and the job fails rather than answer wrongly.
 */
public final class ComputeHandlers {
  private ComputeHandlers() {}

  /** The handler of a vector-search endpoint whose backend computes with {@code kernel}. */
  public static Handler vectorSearch(VectorSearchKernel kernel, KernelSettings settings) {
    Objects.requireNonNull(kernel, "kernel");
    requireKernel(settings, Kernel.VECTOR_SEARCH);
    return job -> {
      VectorSearchRequest request = VectorSearchRequest.parse(job.input(), kernel.dimension(), settings);
      return request.output(search(kernel, request.queries(), request.k()));
    };
  }

  /** The handler of a matmul endpoint whose backend computes with {@code kernel}. */
  public static Handler matmul(MatmulKernel kernel, KernelSettings settings) {
    Objects.requireNonNull(kernel, "kernel");
    requireKernel(settings, Kernel.MATMUL);
    return job -> {
      MatmulRequest request = MatmulRequest.parse(job.input(), settings);
      Matrix c = kernel.multiply(request.a(), request.b());
      if (c == null || c.rows() != request.a().rows() || c.cols() != request.b().cols()) {
        throw new IllegalStateException("the backend's matmul kernel returned " + c + " for " + request
            + "; expected " + request.a().rows() + " × " + request.b().cols());
      }
      return request.output(c);
    };
  }

  /**
   * Runs started vector-search attempts as one batch, on the calling thread: fails at once
   * those whose input is malformed, then searches the queries of the rest with as few
   * kernel calls as {@code maxBatchQueries} allows (each job's queries stay in one call) and
   * completes each attempt with its own results. Since a query's top {@code k} is the first
   * {@code k} of its top {@code k'} for any {@code k' >= k}, one call with the batch's
   * largest {@code k} serves every job, and the answers are exactly those of one call per job.
   *
   * @param maxBatchQueries the most queries per kernel call (a job with more is searched alone)
   */
  public static void runVectorSearch(List<Attempt> attempts, VectorSearchKernel kernel, KernelSettings settings,
      int maxBatchQueries) {
    requireKernel(settings, Kernel.VECTOR_SEARCH);
    List<Attempt> group = new ArrayList<>();
    List<VectorSearchRequest> requests = new ArrayList<>();
    int groupQueries = 0;
    for (Attempt attempt : attempts) {
      VectorSearchRequest request;
      try {
        request = VectorSearchRequest.parse(attempt.input(), kernel.dimension(), settings);
      } catch (RuntimeException e) {
        attempt.fail(e);
        continue;
      }
      int queries = request.queries().rows();
      if (!group.isEmpty() && groupQueries + queries > maxBatchQueries) {
        searchGroup(group, requests, kernel);
        group.clear();
        requests.clear();
        groupQueries = 0;
      }
      group.add(attempt);
      requests.add(request);
      groupQueries += queries;
    }
    if (!group.isEmpty()) {
      searchGroup(group, requests, kernel);
    }
  }

  private static void searchGroup(List<Attempt> jobs, List<VectorSearchRequest> requests, VectorSearchKernel kernel) {
    int total = 0;
    int k = 1;
    for (VectorSearchRequest request : requests) {
      int rows = request.queries().rows();
      total += rows;
      if (rows > 0) {
        k = Math.max(k, request.k());
      }
    }
    TopK all;
    try {
      if (requests.size() == 1) {
        all = search(kernel, requests.get(0).queries(), k);
      } else {
        int d = kernel.dimension();
        float[] data = new float[total * d];
        int offset = 0;
        for (VectorSearchRequest request : requests) {
          float[] part = request.queries().data();
          System.arraycopy(part, 0, data, offset, part.length);
          offset += part.length;
        }
        all = search(kernel, Matrix.of(total, d, data), k);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failAll(jobs, e);
      return;
    } catch (RuntimeException | Error e) {
      failAll(jobs, e);
      return;
    }
    int first = 0;
    for (int j = 0; j < jobs.size(); j++) {
      VectorSearchRequest request = requests.get(j);
      int queries = request.queries().rows();
      int keep = Math.min(request.k(), kernel.size());
      int[][] ids = new int[queries][];
      float[][] scores = new float[queries][];
      for (int q = 0; q < queries; q++) {
        ids[q] = java.util.Arrays.copyOf(all.ids(first + q), keep);
        scores[q] = java.util.Arrays.copyOf(all.scores(first + q), keep);
      }
      first += queries;
      jobs.get(j).complete(request.output(new TopK(ids, scores)));
    }
  }

  private static void failAll(List<Attempt> jobs, Throwable error) {
    for (Attempt job : jobs) {
      job.fail(error);
    }
  }

  /**
   * Calls the kernel with {@code k} capped at the index's size, skipping an empty batch,
   * and checks the result's shape and order.
   */
  static TopK search(VectorSearchKernel kernel, Matrix queries, int k) throws InterruptedException {
    int q = queries.rows();
    int keep = Math.min(k, kernel.size());
    if (q == 0) {
      return new TopK(new int[0][], new float[0][]);
    }
    TopK result = kernel.search(queries, keep);
    check(result, q, keep, kernel.size());
    return result;
  }

  private static void check(TopK result, int queries, int k, int n) {
    if (result == null || result.queries() != queries) {
      throw new IllegalStateException("the backend's vector-search kernel returned " + result + " for " + queries
          + " queries");
    }
    for (int q = 0; q < queries; q++) {
      int[] ids = result.ids(q);
      float[] scores = result.scores(q);
      if (ids.length != k) {
        throw new IllegalStateException("the backend's vector-search kernel returned " + ids.length
            + " results for query " + q + "; expected " + k);
      }
      for (int i = 0; i < k; i++) {
        if (ids[i] < 0 || ids[i] >= n) {
          throw new IllegalStateException("the backend's vector-search kernel returned id " + ids[i] + " for query "
              + q + "; the index has ids 0 to " + (n - 1));
        }
        if (i > 0 && !(scores[i] < scores[i - 1] || scores[i] == scores[i - 1] && ids[i] > ids[i - 1])) {
          throw new IllegalStateException("the backend's vector-search kernel returned query " + q + "'s results out "
              + "of order at " + i + ": (" + ids[i - 1] + ", " + scores[i - 1] + ") then (" + ids[i] + ", " + scores[i]
              + "); expected scores descending, ties by smaller id");
        }
      }
    }
  }

  private static void requireKernel(KernelSettings settings, Kernel kernel) {
    Objects.requireNonNull(settings, "settings");
    if (settings.kernel() != kernel) {
      throw new IllegalArgumentException("settings of a " + settings.kernel() + " endpoint given to the " + kernel
          + " handler");
    }
  }
}
