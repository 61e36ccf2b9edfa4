package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static dev.runline.testing.Engines.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.spi.Attempt;
import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.SteppingBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /requests}: the caller's recent jobs on an endpoint, newest first, as status bodies,
 * paged by an opaque cursor, from a bounded window of recent ids; its own rate limit; and
 * the same listing followed as it changes.
 */
class RequestsRouteTest {
  private final FakeTime time = new FakeTime();
  private final SteppingBackend backend = new SteppingBackend("stepped");
  private final Runline engine = Engines.builder(time).backend(backend.provider()).shutdownMode(ShutdownMode.CANCEL)
      .endpoint(Endpoint.builder("e").handler(job -> null).backend("stepped").build())
      .endpoint(Endpoint.builder("small").handler(job -> null).backend("stepped").recentJobs(3).unlimited().build())
      .endpoint(Endpoint.builder("unlisted").handler(job -> null).backend("stepped").recentJobs(0).build())
      .endpoint(Endpoint.builder("other").handler(job -> null).backend("stepped").build())
      .build();
  private final EndpointClient e = engine.as(KEY).endpoint("e");

  @AfterEach
  void close() {
    engine.close();
  }

  private List<String> submit(EndpointClient endpoint, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(endpoint.run(JobRequest.of(i)).id());
    }
    return ids;
  }

  private static List<String> ids(RequestsPage page) {
    return page.jobs().stream().map(JobStatus::id).toList();
  }

  @Test
  void listsTheCallersJobsNewestFirstAsStatusBodies() {
    List<String> ids = submit(e, 3);
    Attempt first = backend.startNext("worker-1");
    first.complete("done");

    RequestsPage page = e.requests(RequestsQuery.newest());

    assertThat(ids(page)).containsExactly(ids.get(2), ids.get(1), ids.get(0));
    assertThat(page.jobs().get(2)).isEqualTo(e.status(ids.get(0)));
    assertThat(page.jobs().get(2).output()).isEqualTo("done");
    assertThat(page.jobs().get(0).status()).isEqualTo(Status.IN_QUEUE);
    assertThat(page.nextCursor()).isNull();
  }

  @Test
  void pagesFollowOneAnotherWithoutRepeatingOrSkippingEvenWhenNewJobsArrive() {
    List<String> ids = submit(e, 5);

    RequestsPage first = e.requests(RequestsQuery.newest().withLimit(2));
    submit(e, 2);
    RequestsPage second = e.requests(RequestsQuery.newest().withLimit(2).after(first.nextCursor()));
    RequestsPage third = e.requests(RequestsQuery.newest().withLimit(2).after(second.nextCursor()));

    assertThat(ids(first)).containsExactly(ids.get(4), ids.get(3));
    assertThat(ids(second)).containsExactly(ids.get(2), ids.get(1));
    assertThat(ids(third)).containsExactly(ids.get(0));
    assertThat(third.nextCursor()).as("the last page has no next").isNull();
  }

  @Test
  void aStatusFilterListsOnlyJobsInThoseStatuses() {
    List<String> ids = submit(e, 3);
    backend.startNext("worker-1").complete("ok");
    backend.startNext("worker-1").fail(new IllegalStateException("broken"));

    assertThat(ids(e.requests(RequestsQuery.newest().withStatuses(Set.of(Status.FAILED)))))
        .containsExactly(ids.get(1));
    assertThat(ids(e.requests(RequestsQuery.newest().withStatuses(Set.of(Status.COMPLETED, Status.IN_QUEUE)))))
        .containsExactly(ids.get(2), ids.get(0));
  }

  @Test
  void anotherKeysJobsAndAnotherEndpointsJobsNeverAppear() {
    List<String> mine = submit(e, 2);
    submit(engine.as(OTHER_KEY).endpoint("e"), 3);
    submit(engine.as(KEY).endpoint("other"), 3);

    assertThat(ids(e.requests(RequestsQuery.newest()))).containsExactly(mine.get(1), mine.get(0));
    assertThat(engine.as(OTHER_KEY).endpoint("e").requests(RequestsQuery.newest()).jobs()).hasSize(3)
        .extracting(JobStatus::id).doesNotContainAnyElementsOf(mine);
  }

  @Test
  void aJobWhoseRetentionPassedDropsOut() {
    List<String> ids = submit(e, 2);
    backend.startNext("worker-1").complete("ok");

    time.advance(Duration.ofMinutes(31));
    engine.inspect().runPendingExpiry();

    assertThat(ids(e.requests(RequestsQuery.newest()))).containsExactly(ids.get(1));
  }

  @Test
  void theWindowKeepsOnlyTheEndpointsMostRecentJobs() {
    List<String> ids = submit(engine.as(KEY).endpoint("small"), 5);

    RequestsPage page = engine.as(KEY).endpoint("small").requests(RequestsQuery.newest());

    assertThat(ids(page)).containsExactly(ids.get(4), ids.get(3), ids.get(2));
    assertThat(engine.as(KEY).endpoint("small").status(ids.get(0)).status())
        .as("a job out of the window is still kept; it is only not listed").isEqualTo(Status.IN_QUEUE);
  }

  @Test
  void aCursorThisEngineDidNotGiveOutIsRefusedSayingWhatToPass() {
    assertThatThrownBy(() -> e.requests(RequestsQuery.newest().after("not-a-cursor")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("cursor")
        .hasMessageContaining("nextCursor");
  }

  @Test
  void aLimitOutOfRangeIsRefusedNamingTheRange() {
    assertThatThrownBy(() -> RequestsQuery.newest().withLimit(0))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("limit must be a whole number from 1 to 500");
    assertThatThrownBy(() -> RequestsQuery.newest().withLimit(501)).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void anEndpointWithoutAWindowRefusesTheListingSayingWhichSettingTurnsItOn() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("unlisted").requests(RequestsQuery.newest()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("recentJobs");
  }

  @Test
  void theListingIsLimitedToTenCallsPerTenSecondsPerKey() {
    for (int i = 0; i < 10; i++) {
      e.requests(RequestsQuery.newest());
    }
    assertThatThrownBy(() -> e.requests(RequestsQuery.newest()))
        .isInstanceOf(RateLimitedException.class)
        .hasMessageContaining("/requests");
    assertThat(engine.as(OTHER_KEY).endpoint("e").requests(RequestsQuery.newest()).jobs())
        .as("another key has its own bucket").isEmpty();

    time.advance(Duration.ofSeconds(1));
    assertThat(e.requests(RequestsQuery.newest()).jobs()).isEmpty();
  }

  @Test
  void aFollowedListingIsToldTheFirstPageThenEachChangeUntilClosed() throws Exception {
    List<RequestsPage> pages = new CopyOnWriteArrayList<>();
    String first = e.run(JobRequest.of(1)).id();

    AutoCloseable following = e.followRequests(RequestsQuery.newest(), pages::add);
    assertThat(pages).hasSize(1);
    assertThat(ids(pages.get(0))).containsExactly(first);

    time.advance(Duration.ofSeconds(1));
    assertThat(pages).as("nothing changed, nothing told").hasSize(1);

    String second = e.run(JobRequest.of(2)).id();
    time.advance(Duration.ofSeconds(1));
    assertThat(pages).hasSize(2);
    assertThat(ids(pages.get(1))).containsExactly(second, first);

    Attempt running = backend.startNext("worker-1");
    time.advance(Duration.ofSeconds(1));
    assertThat(pages).hasSize(3);
    assertThat(pages.get(2).jobs().get(1).status()).isEqualTo(Status.IN_PROGRESS);

    following.close();
    e.run(JobRequest.of(3));
    time.advance(Duration.ofSeconds(5));
    assertThat(pages).hasSize(3);
    running.complete("done");
  }
}
