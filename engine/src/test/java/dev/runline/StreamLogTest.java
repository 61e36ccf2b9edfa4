package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One attempt's stream: each chunk drained once, followers told every chunk then the end. */
class StreamLogTest {
  private final StreamLog log = new StreamLog();

  @Test
  void eachChunkIsDrainedOnceAndTheFinalChunkLast() {
    log.add("a");
    log.add("b");

    assertThat(log.drain(null)).extracting(StreamBatch.Chunk::output).containsExactly("a", "b");
    assertThat(log.hasNew(null)).isFalse();
    assertThat(log.hasNew("out")).isTrue();
    assertThat(log.drain("out")).extracting(StreamBatch.Chunk::output).containsExactly("out");
    assertThat(log.drain("out")).isEmpty();
  }

  @Test
  void aWaitingDrainIsSignalledByTheNextChunkOrTheEnd() {
    CompletableFuture<Void> first = log.nextChange();
    assertThat(log.nextChange()).as("one signal shared by waiting drains").isSameAs(first);

    assertThat(log.add("a")).isSameAs(first);
    assertThat(log.add("b")).as("nobody waits any more").isNull();

    CompletableFuture<Void> second = log.nextChange();
    assertThat(log.end(null, JobStatus.brief("j", Status.COMPLETED))).isSameAs(second);
  }

  @Test
  void aFollowerHearsTheReplayEachNewChunkThenTheEndOnce() {
    List<Object> heard = new ArrayList<>();
    StreamListener listener = new StreamListener() {
      @Override
      public void onChunk(Object chunk) {
        heard.add(chunk);
      }

      @Override
      public void onTerminal(JobStatus status) {
        heard.add(status.status());
      }
    };
    log.add("a");
    log.replay(listener, null);
    log.follow(listener);

    log.add("b");
    log.end("last", JobStatus.brief("j", Status.COMPLETED));
    log.end("again", JobStatus.brief("j", Status.COMPLETED));

    assertThat(heard).containsExactly("a", "b", "last", Status.COMPLETED);
  }

  @Test
  void anUnfollowedListenerHearsNothingMore() {
    List<Object> heard = new ArrayList<>();
    StreamListener listener = new StreamListener() {
      @Override
      public void onChunk(Object chunk) {
        heard.add(chunk);
      }

      @Override
      public void onTerminal(JobStatus status) {
        heard.add(status);
      }
    };
    log.follow(listener);
    log.unfollow(listener);

    log.add("a");
    log.end(null, JobStatus.brief("j", Status.CANCELLED));

    assertThat(heard).isEmpty();
    assertThat(log.chunks()).containsExactly("a");
  }
}
