package dev.runline.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.testing.ThreadsBackend;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/** The example file, built into a running engine on a stand-in backend. */
class RunlineConfigEngineTest {
  private static final String KEY = "key-one-xxxxxxxx";

  @Test
  void theExampleFileRunsJobs() throws Exception {
    try (Runline engine = RunlineConfig.load(RunlineConfigTest.example(), RunlineConfigTest.HANDLERS)
        .backend(ThreadsBackend.provider())
        .build()) {
      assertThat(engine.inspect().endpoints()).containsExactlyInAnyOrder("echo", "tokens");

      JobStatus echoed = engine.as(KEY).endpoint("echo").runSync(JobRequest.of(Map.of("word", "hi")), Duration.ofSeconds(10))
          .get();
      assertThat(echoed.status()).isEqualTo(Status.COMPLETED);
      assertThat(echoed.output()).isEqualTo(Map.of("word", "hi"));

      JobStatus streamed = engine.as(KEY).endpoint("tokens").runSync(JobRequest.of("go"), Duration.ofSeconds(10)).get();
      assertThat(streamed.status()).isEqualTo(Status.COMPLETED);
      assertThat(streamed.output()).asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(2);
    }
  }
}
