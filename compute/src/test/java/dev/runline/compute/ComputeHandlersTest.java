package dev.runline.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.Handler;
import dev.runline.spi.Attempt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shared handlers around a backend's kernel: parse, compute, shape; the kernel sees
 * only valid work, and a kernel's wrong answer fails the job instead of being returned.
 */
class ComputeHandlersTest {
  static final KernelSettings SEARCH = KernelSettings.parse(Kernel.VECTOR_SEARCH,
      Map.of("index", Map.of("n", 5, "d", 2)), List.of());
  static final KernelSettings MATMUL = KernelSettings.parse(Kernel.MATMUL, Map.of(), List.of());

  /** Answers ids 0, 1, 2, ... with descending scores, and records each call. */
  static class FakeSearch implements VectorSearchKernel {
    final List<int[]> calls = new ArrayList<>();
    int size = 5;

    @Override
    public int size() {
      return size;
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public TopK search(Matrix queries, int k) {
      calls.add(new int[] {queries.rows(), k});
      int[][] ids = new int[queries.rows()][k];
      float[][] scores = new float[queries.rows()][k];
      for (int q = 0; q < queries.rows(); q++) {
        for (int i = 0; i < k; i++) {
          ids[q][i] = (q + i) % size;
          scores[q][i] = queries.get(q, 0) - i;
        }
      }
      return new TopK(ids, scores);
    }
  }

  static Object run(Handler handler, Object input) throws Exception {
    return handler.handle(new FakeAttempt(input));
  }

  @Test
  void aKAboveTheIndexSizeAsksTheKernelForEveryRow() throws Exception {
    FakeSearch kernel = new FakeSearch();

    Object output = run(ComputeHandlers.vectorSearch(kernel, SEARCH), Map.of("query", List.of(1, 0), "k", 50));

    assertThat(kernel.calls).singleElement().satisfies(call -> assertThat(call).containsExactly(1, 5));
    assertThat(output).isEqualTo(Map.of("ids", List.of(0, 1, 2, 3, 4), "scores", List.of(1f, 0f, -1f, -2f, -3f)));
  }

  @Test
  void anEmptyBatchNeverReachesTheKernel() throws Exception {
    FakeSearch kernel = new FakeSearch();

    assertThat(run(ComputeHandlers.vectorSearch(kernel, SEARCH), Map.of("queries", List.of()))).isEqualTo(List.of());
    assertThat(kernel.calls).isEmpty();
  }

  @Test
  void aMalformedInputNeverReachesTheKernel() {
    FakeSearch kernel = new FakeSearch();

    assertThatThrownBy(() -> run(ComputeHandlers.vectorSearch(kernel, SEARCH), Map.of("query", List.of(1, 2, 3))))
        .isInstanceOf(KernelInputException.class)
        .hasMessage("input.query has 3 numbers; the index has dimension 2");
    assertThat(kernel.calls).isEmpty();
  }

  @Test
  void aKernelAnswerOfTheWrongShapeOrOrderIsABackendBug() {
    VectorSearchKernel tooFew = new FakeSearch() {
      @Override
      public TopK search(Matrix queries, int k) {
        return super.search(queries, k - 1);
      }
    };
    VectorSearchKernel unordered = new FakeSearch() {
      @Override
      public TopK search(Matrix queries, int k) {
        return new TopK(new int[][] {{1, 0}}, new float[][] {{0.5f, 0.5f}});
      }
    };
    VectorSearchKernel outOfRange = new FakeSearch() {
      @Override
      public TopK search(Matrix queries, int k) {
        return new TopK(new int[][] {{5, 0}}, new float[][] {{0.5f, 0.4f}});
      }
    };
    Map<String, Object> input = Map.of("query", List.of(1, 0), "k", 2);

    assertThatThrownBy(() -> run(ComputeHandlers.vectorSearch(tooFew, SEARCH), input))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("returned 1 results for query 0; expected 2");
    assertThatThrownBy(() -> run(ComputeHandlers.vectorSearch(unordered, SEARCH), input))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("out of order");
    assertThatThrownBy(() -> run(ComputeHandlers.vectorSearch(outOfRange, SEARCH), input))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("returned id 5");
  }

  @Test
  void matmulShapesTheKernelsProduct() throws Exception {
    MatmulKernel kernel = (a, b) -> Matrix.of(a.rows(), b.cols(), new float[] {7, 8});

    Object output = run(ComputeHandlers.matmul(kernel, MATMUL), Map.of("a", List.of(List.of(1)), "b", List.of(List.of(1, 2))));

    assertThat(output).isEqualTo(Map.of("c", List.of(List.of(7f, 8f))));
    assertThatThrownBy(() -> run(ComputeHandlers.matmul((a, b) -> Matrix.zeros(1, 1), MATMUL),
        Map.of("a", List.of(List.of(1)), "b", List.of(List.of(1, 2)))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected 1 × 2");
  }

  @Test
  void aHandlerIsBuiltOnlyWithItsKernelsSettings() {
    assertThatThrownBy(() -> ComputeHandlers.matmul((a, b) -> a, SEARCH))
        .hasMessage("settings of a vector-search endpoint given to the matmul handler");
  }

  /** A started attempt that records how it ended. */
  static final class FakeAttempt implements Attempt {
    final Object input;
    Object output;
    Throwable error;

    FakeAttempt(Object input) {
      this.input = input;
    }

    @Override
    public String id() {
      return "job-" + System.identityHashCode(this);
    }

    @Override
    public String endpoint() {
      return "search";
    }

    @Override
    public Object input() {
      return input;
    }

    @Override
    public Object s3Config() {
      return null;
    }

    @Override
    public int retries() {
      return 0;
    }

    @Override
    public String workerId() {
      return "w";
    }

    @Override
    public void progress(Object update) {}

    @Override
    public boolean isCancelled() {
      return output != null || error != null;
    }

    @Override
    public boolean emit(Object chunk) {
      return false;
    }

    @Override
    public void run(Handler handler) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void complete(Object output) {
      this.output = output;
    }

    @Override
    public void fail(Throwable error) {
      this.error = error;
    }

    @Override
    public void fail(String error, Object output) {
      this.error = new IllegalStateException(error);
      this.output = output;
    }

    @Override
    public boolean onStop(Runnable stop) {
      return !isCancelled();
    }

    @Override
    public boolean redeliver() {
      return false;
    }

    @Override
    public int redeliveries() {
      return 0;
    }
  }

  @Test
  void aBatchIsSearchedInOneCallAndEachJobGetsItsOwnAnswer() {
    FakeSearch kernel = new FakeSearch();
    FakeAttempt one = new FakeAttempt(Map.of("query", List.of(3, 0), "k", 1));
    FakeAttempt batch = new FakeAttempt(Map.of("queries", List.of(List.of(2, 0), List.of(1, 0)), "k", 3));
    FakeAttempt empty = new FakeAttempt(Map.of("queries", List.of()));

    ComputeHandlers.runVectorSearch(List.of(one, batch, empty), kernel, SEARCH, 100);

    assertThat(kernel.calls).singleElement().satisfies(call -> assertThat(call).containsExactly(3, 3));
    assertThat(one.output).isEqualTo(Map.of("ids", List.of(0), "scores", List.of(1f)));
    assertThat(batch.output).isEqualTo(List.of(
        Map.of("ids", List.of(1, 2, 3), "scores", List.of(1f, 0f, -1f)),
        Map.of("ids", List.of(2, 3, 4), "scores", List.of(1f, 0f, -1f))));
    assertThat(empty.output).isEqualTo(List.of());
  }

  @Test
  void aMalformedJobInABatchFailsAlone() {
    FakeSearch kernel = new FakeSearch();
    FakeAttempt good = new FakeAttempt(Map.of("query", List.of(1, 0)));
    FakeAttempt bad = new FakeAttempt(Map.of("query", List.of(1, 0, 0)));

    ComputeHandlers.runVectorSearch(List.of(good, bad), kernel, SEARCH, 100);

    assertThat(good.output).isNotNull();
    assertThat(bad.error).isInstanceOf(KernelInputException.class).hasMessage("input.query has 3 numbers; the index has dimension 2");
    assertThat(kernel.calls).hasSize(1);
  }

  @Test
  void aBatchIsSplitSoThatNoCallExceedsTheQueryLimit() {
    FakeSearch kernel = new FakeSearch();
    List<FakeAttempt> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(new FakeAttempt(Map.of("queries", List.of(List.of(1, 0), List.of(0, 1)))));
    }

    ComputeHandlers.runVectorSearch(List.copyOf(jobs), kernel, SEARCH, 4);

    assertThat(kernel.calls).extracting(call -> call[0]).containsExactly(4, 4, 2);
    assertThat(jobs).allSatisfy(job -> assertThat(job.output).asList().hasSize(2));
  }

  @Test
  void aKernelFailureFailsEveryJobOfItsCall() {
    VectorSearchKernel broken = new FakeSearch() {
      @Override
      public TopK search(Matrix queries, int k) {
        throw new IllegalStateException("device lost");
      }
    };
    FakeAttempt one = new FakeAttempt(Map.of("query", List.of(1, 0)));
    FakeAttempt two = new FakeAttempt(Map.of("query", List.of(0, 1)));

    ComputeHandlers.runVectorSearch(List.of(one, two), broken, SEARCH, 100);

    assertThat(one.error).hasMessage("device lost");
    assertThat(two.error).hasMessage("device lost");
  }
}
