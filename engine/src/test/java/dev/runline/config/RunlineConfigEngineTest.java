package dev.runline.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Health;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;
import dev.runline.spi.QueuedJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/** The example file, built into a running engine on a stand-in backend. */
class RunlineConfigEngineTest {
  private static final String KEY = "key-one-xxxxxxxx";

  /**
   * Stands in for the {@code cpu} backend, which the engine module cannot depend on: it runs
   * each job on the intake thread as it arrives.
   */
  private static final class InlineBackendProvider implements BackendProvider {
    @Override
    public String name() {
      return "cpu";
    }

    @Override
    public Backend open(BackendContext context) {
      return new Backend() {
        @Override
        public void dispatch(List<QueuedJob> batch) {
          for (QueuedJob job : batch) {
            job.run("inline-0");
          }
        }

        @Override
        public Health.Workers workers() {
          return new Health.Workers(0, 0, 1, 0, 0, 0);
        }

        @Override
        public void close() {}
      };
    }
  }

  @Test
  void theExampleFileRunsJobs() throws Exception {
    try (Runline engine = RunlineConfig.load(RunlineConfigTest.example(), RunlineConfigTest.HANDLERS)
        .backend(new InlineBackendProvider())
        .build()) {
      assertThat(engine.endpoints()).containsExactlyInAnyOrder("echo", "tokens");

      JobStatus echoed = engine.runSync(KEY, "echo", JobRequest.of(Map.of("word", "hi")), Duration.ofSeconds(10))
          .get();
      assertThat(echoed.status()).isEqualTo(Status.COMPLETED);
      assertThat(echoed.output()).isEqualTo(Map.of("word", "hi"));

      JobStatus streamed = engine.runSync(KEY, "tokens", JobRequest.of("go"), Duration.ofSeconds(10)).get();
      assertThat(streamed.status()).isEqualTo(Status.COMPLETED);
      assertThat(streamed.output()).asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(2);
    }
  }
}
