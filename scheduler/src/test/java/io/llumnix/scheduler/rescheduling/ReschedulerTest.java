package io.llumnix.scheduler.rescheduling;

import static io.llumnix.core.instance.InferType.DECODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.testing.Exposition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rescheduling loop against llumlets served by real gRPC servers on loopback ports; its
 * rounds run when the test moves the manual clock.
 */
class ReschedulerTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  final TestCluster cluster = new TestCluster();
  final List<AutoCloseable> closing = new ArrayList<>();
  Rescheduler rescheduler;

  @AfterEach
  void close() throws Exception {
    if (rescheduler != null) {
      rescheduler.stop();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  FakeLlumlet llumlet() throws Exception {
    FakeLlumlet llumlet = new FakeLlumlet();
    closing.add(llumlet);
    return llumlet;
  }

  /** Adds decode instance {@code id} at {@code load}, its llumlet on {@code port}. */
  void decode(String id, double load, int port) {
    cluster.add(cluster.metadata(id, DECODE).setIp("127.0.0.1").setLlumletPort(port).build(),
        load);
  }

  Rescheduler start(UnaryOperator<ReschedulingConfig.Builder> settings) {
    rescheduler = new Rescheduler(cluster.view, settings.apply(ReschedulingConfig.builder()
        .mode(ReschedulingConfig.Mode.COLOCATED)).build(), PolicyConfig.defaults(),
        cluster.clock, cluster.metrics);
    rescheduler.start();
    return rescheduler;
  }

  /** One rescheduling interval passes. */
  void round() {
    cluster.clock.advanceMillis(ReschedulingConfig.DEFAULT_INTERVAL_MILLIS);
  }

  double succeeded(String rule, String order) {
    return Exposition.sample(cluster.metrics.scrape(null), "scheduler_rescheduling_total{"
        + "rescheduling_req_select_order=\"" + order + "\",rescheduling_req_select_rule=\""
        + rule + "\"}");
  }

  double failed() {
    return Exposition.sample(cluster.metrics.scrape(null),
        "scheduler_rescheduling_failed_total");
  }

  void awaitIdle() {
    await().atMost(WAIT).until(() -> rescheduler.inFlight() == 0);
  }

  @Test
  void anOverloadedInstancesLlumletIsAskedToMigrateToTheLeastLoaded() throws Exception {
    FakeLlumlet llumlet = llumlet();
    decode("d0", 1.3, llumlet.port());
    decode("d1", 0.1, 1); // never called: only sources are
    start(b -> b);
    // Both label sets the default policies use are exported from the start, at 0.
    assertThat(succeeded("TOKEN", "SR")).isZero();
    assertThat(succeeded("NUM_REQ", "LR")).isZero();
    assertThat(llumlet.received()).isEmpty();

    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 1);
    FakeLlumlet.Received received = llumlet.received().get(0);
    assertThat(received.request()).isEqualTo(MigrateRequest.newBuilder()
        .setSrcEngineId("d0").setDstEngineId("d1")
        .setDstEngineIp(cluster.metadataOf("d1").getIpKvs()).setDstEnginePort(28000)
        .setMigrationType("TOKEN").setMigrationReqPolicy("SR").setNumTokens(1024)
        .setTriggerPolicy("decode_load").build());
    assertThat(received.deadlineMillis()).isBetween(3_000L, 5_000L); // the default 5 s
    assertThat(failed()).isZero();

    // Still overloaded (nothing moved in this test): asked again next round.
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 2);
    assertThat(llumlet.received()).hasSize(2);
  }

  @Test
  void theDeadlineIsTheConfiguredTimeout() throws Exception {
    FakeLlumlet llumlet = llumlet();
    decode("d0", 1.3, llumlet.port());
    decode("d1", 0.1, 1);
    start(b -> b.grpcTimeoutSeconds(2));
    round();
    await().atMost(WAIT).until(() -> llumlet.received().size() == 1);
    assertThat(llumlet.received().get(0).deadlineMillis()).isBetween(1_000L, 2_000L);
  }

  @Test
  void failuresAreCountedAndNeverStopTheLoop() throws Exception {
    FakeLlumlet llumlet = llumlet();
    decode("d0", 1.3, llumlet.port());
    decode("d1", 0.1, 1);
    start(b -> b);
    llumlet.fail(Status.UNAVAILABLE.withDescription("engine gone"));
    round();
    await().atMost(WAIT).until(() -> failed() == 1);
    llumlet.fail(Status.RESOURCE_EXHAUSTED.withDescription("no migrate-out slot"));
    awaitIdle();
    round();
    await().atMost(WAIT).until(() -> failed() == 2);
    llumlet.fail(null);
    llumlet.decline(true); // nothing to move: counted as failed too
    awaitIdle();
    round();
    await().atMost(WAIT).until(() -> failed() == 3);
    llumlet.decline(false);
    awaitIdle();
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 1);
    assertThat(llumlet.received()).hasSize(4);
    assertThat(failed()).isEqualTo(3);
  }

  @Test
  void aRoundWaitsWhileThePreviousOnesMigratesAreUnanswered() throws Exception {
    FakeLlumlet llumlet = llumlet();
    decode("d0", 1.3, llumlet.port());
    decode("d1", 0.1, 1);
    start(b -> b.grpcTimeoutSeconds(1));
    llumlet.hang(true);
    round();
    await().atMost(WAIT).until(() -> llumlet.received().size() == 1);
    round(); // the first is still under way: no second Migrate
    assertThat(rescheduler.inFlight()).isEqualTo(1);
    await().atMost(WAIT).until(() -> failed() == 1); // DEADLINE_EXCEEDED after 1 s
    assertThat(llumlet.received()).hasSize(1);
    llumlet.hang(false);
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 1);
  }

  @Test
  void anUnreachableOrUnpublishedLlumletIsAFailure() throws Exception {
    FakeLlumlet gone = new FakeLlumlet();
    int closedPort = gone.port();
    gone.close();
    decode("d0", 1.3, closedPort);
    decode("d1", 1.2, 0); // publishes no llumlet port
    decode("d2", 0.1, 1);
    decode("d3", 0.2, 1);
    start(b -> b);
    round();
    await().atMost(WAIT).until(() -> failed() == 2);
    awaitIdle();
    round();
    await().atMost(WAIT).until(() -> failed() == 4);
  }

  @Test
  void sourcesAreAskedConcurrentlyEachOnItsOwnChannel() throws Exception {
    FakeLlumlet first = llumlet();
    FakeLlumlet second = llumlet();
    first.hang(true); // answering one does not wait for the other
    decode("d0", 1.5, first.port());
    decode("d1", 1.4, second.port());
    decode("d2", 0.1, 1);
    decode("d3", 0.2, 1);
    start(b -> b.grpcTimeoutSeconds(3));
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 1);
    assertThat(first.received()).extracting(r -> r.request().getDstEngineId())
        .containsExactly("d2");
    assertThat(second.received()).extracting(r -> r.request().getDstEngineId())
        .containsExactly("d3");
    assertThat(rescheduler.channelIds()).containsExactlyInAnyOrder("d0", "d1");
  }

  @Test
  void aCappedPoolEvictsTheLeastRecentlyUsedChannelWithoutFailingItsCall() throws Exception {
    FakeLlumlet first = llumlet();
    FakeLlumlet second = llumlet();
    decode("d0", 1.5, first.port());
    decode("d1", 1.4, second.port());
    decode("d2", 0.1, 1);
    decode("d3", 0.2, 1);
    start(b -> b.connectionPoolSize(1));
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 2);
    assertThat(failed()).isZero();
    assertThat(rescheduler.channelIds()).containsExactly("d1");

    // An instance that left the CMS has its channel closed.
    awaitIdle();
    cluster.remove("d1");
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 3);
    assertThat(rescheduler.channelIds()).containsExactly("d0");
  }

  @Test
  void aLlumletThatMovedIsReachedAtItsNewAddress() throws Exception {
    FakeLlumlet before = llumlet();
    FakeLlumlet after = llumlet();
    decode("d0", 1.3, before.port());
    decode("d1", 0.1, 1);
    start(b -> b);
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 1);
    awaitIdle();
    cluster.replace(cluster.metadataOf("d0").toBuilder().setLlumletPort(after.port()).build());
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 2);
    assertThat(before.received()).hasSize(1);
    assertThat(after.received()).hasSize(1);
  }

  @Test
  void noRoundRunsWhileTheCmsCannotBeReadNorAfterStop() throws Exception {
    FakeLlumlet llumlet = llumlet();
    decode("d0", 1.3, llumlet.port());
    decode("d1", 0.1, 1);
    start(b -> b);
    cluster.view.alive(false);
    round();
    round();
    assertThat(rescheduler.inFlight()).isZero();
    cluster.view.alive(true);
    round();
    await().atMost(WAIT).until(() -> succeeded("TOKEN", "SR") == 1);
    rescheduler.stop();
    assertThat(rescheduler.channelIds()).isEmpty();
    round();
    round();
    assertThat(llumlet.received()).hasSize(1);
    assertThat(cluster.clock.pendingTimers()).isZero();
  }

  @Test
  void failoverAsksTheFailedInstanceToMoveEverything() throws Exception {
    FakeLlumlet llumlet = llumlet();
    decode("d0", 0.5, llumlet.port());
    decode("d1", 0.1, 1);
    cluster.status("d0", false, 0.5);
    start(b -> b);
    round();
    await().atMost(WAIT).until(() -> succeeded("NUM_REQ", "LR") == 1);
    MigrateRequest request = llumlet.received().get(0).request();
    assertThat(request.getTriggerPolicy()).isEqualTo("decode_failover");
    assertThat(request.getNumReqs()).isEqualTo(-1);
    assertThat(request.getDstEngineId()).isEqualTo("d1");
  }
}
