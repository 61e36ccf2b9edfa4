package dev.runline.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Endpoint;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.RequestsPage;
import dev.runline.RequestsQuery;
import dev.runline.RunlineBuilder;
import dev.runline.Status;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code /requests} on nodes sharing one Redis: one window of recent jobs for the cluster, so
 * either node lists the jobs admitted on both, newest first, only the caller's, bounded, and
 * without the jobs whose retention passed.
 */
class RecentJobsOnRedisTest extends TwoNodesOnOneRedis {
  @Override
  RunlineBuilder endpoints(RunlineBuilder builder) {
    return builder
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).workers(2).build())
        .endpoint(Endpoint.builder("held").handler(job -> {
          release.await();
          return Map.of("released", true);
        }).workers(1).build())
        .endpoint(Endpoint.builder("small").handler(job -> job.input()).workers(1).recentJobs(3).build())
        .endpoint(Endpoint.builder("brief").handler(job -> job.input()).workers(1)
            .retention(Duration.ofSeconds(1), Duration.ofSeconds(1)).build());
  }

  private static List<String> ids(RequestsPage page) {
    return page.jobs().stream().map(JobStatus::id).toList();
  }

  private void awaitCompleted(String endpoint, List<String> ids) {
    Awaitility.await().atMost(BOUND).until(() -> ids.stream()
        .allMatch(id -> on(a, endpoint).status(id).status() == Status.COMPLETED));
  }

  /** The ids an owner's windows of {@code endpoint} hold in Redis, read directly. */
  private long idsKeptInRedis(String endpoint) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      long kept = 0;
      for (String window : connection.sync().keys(namespace + ":recent:" + endpoint + ":*")) {
        kept += connection.sync().zcard(window);
      }
      return kept;
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aJobRunThroughOneNodeIsListedThroughTheOtherWithItsStatusBody() {
    String id = on(a, "echo").run(JobRequest.of(Map.of("word", "hello"))).id();
    awaitCompleted("echo", List.of(id));

    RequestsPage page = on(b, "echo").requests(RequestsQuery.newest());

    assertThat(ids(page)).containsExactly(id);
    JobStatus listed = page.jobs().get(0);
    assertThat(listed.status()).isEqualTo(Status.COMPLETED);
    assertThat(listed.output()).isEqualTo(Map.of("word", "hello"));
    assertThat(page.nextCursor()).isNull();
  }

  @Test
  void jobsAdmittedOnBothNodesAreListedNewestFirstFromEither() {
    List<String> submitted = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      submitted.add(on(i % 2 == 0 ? a : b, "echo").run(JobRequest.of(i)).id());
    }
    awaitCompleted("echo", submitted);
    List<String> newestFirst = new ArrayList<>(submitted);
    java.util.Collections.reverse(newestFirst);

    assertThat(ids(on(a, "echo").requests(RequestsQuery.newest()))).containsExactlyElementsOf(newestFirst);
    assertThat(ids(on(b, "echo").requests(RequestsQuery.newest()))).containsExactlyElementsOf(newestFirst);
  }

  @Test
  void aCursorFromOneNodePagesOnOnTheOther() {
    List<String> submitted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      submitted.add(on(i % 2 == 0 ? b : a, "echo").run(JobRequest.of(i)).id());
    }
    awaitCompleted("echo", submitted);

    RequestsPage first = on(a, "echo").requests(RequestsQuery.newest().withLimit(2));
    RequestsPage second = on(b, "echo").requests(RequestsQuery.newest().withLimit(2).after(first.nextCursor()));
    RequestsPage third = on(a, "echo").requests(RequestsQuery.newest().withLimit(2).after(second.nextCursor()));

    assertThat(ids(first)).containsExactly(submitted.get(4), submitted.get(3));
    assertThat(ids(second)).containsExactly(submitted.get(2), submitted.get(1));
    assertThat(ids(third)).containsExactly(submitted.get(0));
    assertThat(third.nextCursor()).isNull();
  }

  @Test
  void aStatusFilterListsOnlyTheJobsInThatStatus() {
    String running = on(a, "held").run(JobRequest.of("first")).id();
    Awaitility.await().atMost(BOUND).until(() -> on(b, "held").status(running).status() == Status.IN_PROGRESS);
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      queued.add(on(b, "held").run(JobRequest.of(i)).id());
    }

    RequestsPage inProgress = on(b, "held").requests(RequestsQuery.newest().withStatuses(Set.of(Status.IN_PROGRESS)));

    assertThat(ids(inProgress)).contains(running).doesNotContainAnyElementsOf(
        queued.stream().filter(id -> on(a, "held").status(id).status() != Status.IN_PROGRESS).toList());
    assertThat(inProgress.jobs()).extracting(JobStatus::status).containsOnly(Status.IN_PROGRESS);
  }

  @Test
  void anotherKeysJobsNeverAppearOnEitherNode() {
    String mine = on(a, "echo").run(JobRequest.of("mine")).id();
    String theirs = b.as(OTHER_KEY).endpoint("echo").run(JobRequest.of("theirs")).id();
    awaitCompleted("echo", List.of(mine));

    assertThat(ids(on(b, "echo").requests(RequestsQuery.newest()))).containsExactly(mine);
    assertThat(ids(a.as(OTHER_KEY).endpoint("echo").requests(RequestsQuery.newest()))).containsExactly(theirs);
  }

  @Test
  void theWindowKeepsOnlyTheLastCapacityJobsOfACaller() {
    List<String> submitted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      submitted.add(on(i % 2 == 0 ? a : b, "small").run(JobRequest.of(i)).id());
    }
    awaitCompleted("small", submitted);

    assertThat(ids(on(b, "small").requests(RequestsQuery.newest())))
        .containsExactly(submitted.get(4), submitted.get(3), submitted.get(2));
    assertThat(idsKeptInRedis("small")).isEqualTo(3);
  }

  @Test
  void aJobWhoseRetentionPassedLeavesTheListingAndTheWindow() {
    on(a, "brief").run(JobRequest.of("soon gone"));
    assertThat(idsKeptInRedis("brief")).as("the id in the window, until a walk meets it gone").isEqualTo(1);

    Awaitility.await().atMost(BOUND).until(() -> on(b, "brief").requests(RequestsQuery.newest()).jobs().isEmpty());

    assertThat(idsKeptInRedis("brief")).as("the id dropped from Redis once a walk met it gone").isZero();
  }
}
