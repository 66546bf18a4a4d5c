package io.llumnix.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.ManualClock;
import io.llumnix.openai.OpenAiError;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.ReportItem;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.SchedulingJson;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.testing.TestClocks;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a scheduler hears of prefill/decode requests, over real HTTP against a scheduler that
 * records every call: the stage of each {@code /schedule}, which instance each
 * {@code /release} and {@code /report} names, in lite and full mode; and round-robin per type.
 */
class PdLeaseTest {

  static final LlmInstance P = instance("p", InferType.PREFILL, 9001);
  static final LlmInstance P2 = instance("p2", InferType.PREFILL, 9002);
  static final LlmInstance D = instance("d", InferType.DECODE, 9003);
  static final LlmInstance D2 = instance("d2", InferType.DECODE, 9004);

  static LlmInstance instance(String id, InferType type, int port) {
    return new LlmInstance(0, id, "", type, "127.0.0.1", port, "127.0.0.1", port + 20000, 0, 0);
  }

  Vertx vertx;
  ManualClock clock;
  HttpServer scheduler;
  final List<SchedulingRequest> scheduled = new CopyOnWriteArrayList<>();
  final List<SchedulingRequest> released = new CopyOnWriteArrayList<>();
  final List<ReportItem> reports = new CopyOnWriteArrayList<>();
  /** What {@code /schedule} answers; an empty list is a 429. */
  volatile Function<SchedulingRequest, List<LlmInstance>> answer = r -> List.of();

  @BeforeEach
  void startScheduler() throws Exception {
    vertx = Vertx.vertx();
    clock = TestClocks.onEventLoops(0);
    scheduler = vertx.createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(hello ->
            ws.writeTextMessage(Keepalive.ACCEPTED)))
        .requestHandler(request -> request.body().onSuccess(body -> {
          switch (request.path()) {
            case "/schedule" -> {
              SchedulingRequest asked = SchedulingJson.decode(body);
              scheduled.add(asked);
              List<LlmInstance> chosen = answer.apply(asked);
              if (chosen.isEmpty()) {
                request.response().setStatusCode(429).end("no available endpoint");
              } else {
                request.response().end(SchedulingJson.encode(asked.withResult(chosen)));
              }
            }
            case "/release" -> {
              released.add(SchedulingJson.decode(body));
              request.response().end(body);
            }
            case "/report" -> {
              reports.addAll(SchedulingJson.decodeReport(body));
              request.response().end();
            }
            default -> request.response().setStatusCode(404).end();
          }
        }))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  RemoteSchedulerBalancer balancer(boolean fullMode) {
    RemoteSchedulerBalancer balancer = new RemoteSchedulerBalancer(vertx, clock,
        SchedulerSettings.builder(List.of(new SchedulerEndpoint("127.0.0.1",
            scheduler.actualPort()))).fullMode(fullMode).reportIntervalMillis(100)
            .waitSchedulingRetryMillis(200).waitSchedulingTimeoutMillis(1000).build(),
        new RoundRobinBalancer(InstanceDirectory.of(List.of(P, P2, D, D2))));
    await().atMost(Duration.ofSeconds(5)).until(balancer::ready);
    return balancer;
  }

  static LeaseRequest request(String id, SchedulingMode mode) {
    return new LeaseRequest(id, "m", mode, 100, new int[] {1, 2, 3}, Set.of());
  }

  static List<String> ids(List<SchedulingRequest> calls) {
    return calls.stream().map(r -> r.schedulingResult().get(0).id()).toList();
  }

  @Test
  void liteModeReleasesThePrefillInstanceAtTheFirstTokenAndReportsTheDecodeOne()
      throws Exception {
    answer = r -> List.of(P, D);
    RemoteSchedulerBalancer balancer = balancer(false);
    Lease lease = balancer.lease(request("r1", SchedulingMode.PD_BATCH))
        .await(5, TimeUnit.SECONDS);
    assertThat(lease.instances()).containsExactly(P, D);
    assertThat(scheduled.get(0).mode()).isEqualTo(SchedulingMode.PD_BATCH);
    assertThat(scheduled.get(0).stage()).isEqualTo(SchedulingStage.PREFILL);

    lease.prefillDone();
    lease.tokens(101);
    await().atMost(Duration.ofSeconds(5)).until(() -> ids(released).equals(List.of("p")));
    clock.advanceMillis(100);
    await().atMost(Duration.ofSeconds(5)).until(() -> reports.size() == 2);
    assertThat(reports).allSatisfy(item -> {
      assertThat(item.instanceId()).isEqualTo("d");
      assertThat(item.inferType()).isEqualTo(InferType.DECODE);
    });
    assertThat(reports).extracting(ReportItem::kind)
        .containsExactlyInAnyOrder(ReportItem.Kind.STATE_UPDATE, ReportItem.Kind.PREFILL_DONE);

    lease.finished();
    await().atMost(Duration.ofSeconds(5)).until(() -> ids(released).equals(List.of("p", "d")));
    balancer.close();
  }

  @Test
  void fullModeReleasesEveryInstanceOfAFailedRequestAndNothingOfAFinishedOne() throws Exception {
    answer = r -> List.of(P, D);
    RemoteSchedulerBalancer balancer = balancer(true);
    Lease finished = balancer.lease(request("ok", SchedulingMode.PD_BATCH))
        .await(5, TimeUnit.SECONDS);
    finished.prefillDone();
    finished.finished();
    Lease failed = balancer.lease(request("failed", SchedulingMode.PD_BATCH))
        .await(5, TimeUnit.SECONDS);
    failed.release();
    await().atMost(Duration.ofSeconds(5)).until(() -> released.size() == 2);
    assertThat(released).allSatisfy(r -> assertThat(r.id()).isEqualTo("failed"));
    assertThat(ids(released)).containsExactlyInAnyOrder("p", "d");
    balancer.close();
  }

  @Test
  void aStagedRequestSchedulesItsDecodeStageAfterThePrefill() throws Exception {
    answer = r -> r.stage() == SchedulingStage.PREFILL ? List.of(P) : List.of(D2);
    RemoteSchedulerBalancer balancer = balancer(false);
    Lease lease = balancer.lease(request("s1", SchedulingMode.PD_STAGED))
        .await(5, TimeUnit.SECONDS);
    assertThat(lease.instances()).containsExactly(P);
    assertThat(lease.scheduleDecode().await(5, TimeUnit.SECONDS)).isEqualTo(D2);
    assertThat(lease.instances()).containsExactly(P, D2);
    assertThat(lease.generating()).isEqualTo(D2);
    assertThat(scheduled).extracting(SchedulingRequest::stage)
        .containsExactly(SchedulingStage.PREFILL, SchedulingStage.DECODE);
    assertThat(scheduled).allSatisfy(r -> assertThat(r.mode())
        .isEqualTo(SchedulingMode.PD_STAGED));
    lease.release();
    await().atMost(Duration.ofSeconds(5)).until(() -> released.size() == 2);
    balancer.close();
  }

  @Test
  void aBatchAnswerWithoutItsDecodeSideIsAskedAgainThenFailsWith503() throws Exception {
    answer = r -> List.of(P); // no decode instance can take it
    RemoteSchedulerBalancer balancer = balancer(false);
    var pending = balancer.lease(request("half", SchedulingMode.PD_BATCH));
    await().atMost(Duration.ofSeconds(5)).until(() -> scheduled.size() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> released.size() == 1); // lite counted P
    for (int i = 0; i < 5 && !pending.isComplete(); i++) {
      int asked = scheduled.size();
      clock.advanceMillis(200);
      await().atMost(Duration.ofSeconds(5)).until(() -> scheduled.size() > asked
          || pending.isComplete());
    }
    await().atMost(Duration.ofSeconds(5)).until(pending::isComplete);
    assertThat(scheduled.size()).isGreaterThan(1);
    assertThatThrownBy(() -> pending.await(1, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(OpenAiError.class, e -> assertThat(e.status()).isEqualTo(503));
    balancer.close();
  }

  @Test
  void roundRobinChoosesPerTypeAndTheStagedDecodeAfterwards() throws Exception {
    RoundRobinBalancer rr = new RoundRobinBalancer(InstanceDirectory.of(List.of(P, P2, D, D2)));
    Lease first = rr.lease(request("a", SchedulingMode.PD_BATCH)).await(5, TimeUnit.SECONDS);
    Lease second = rr.lease(request("b", SchedulingMode.PD_BATCH)).await(5, TimeUnit.SECONDS);
    assertThat(first.instances()).extracting(LlmInstance::inferType)
        .containsExactly(InferType.PREFILL, InferType.DECODE);
    assertThat(List.of(first.instance(), second.instance())).containsExactlyInAnyOrder(P, P2);
    assertThat(List.of(first.generating(), second.generating()))
        .containsExactlyInAnyOrder(D, D2);

    Lease staged = rr.lease(new LeaseRequest("c", "m", SchedulingMode.PD_STAGED, 10, null,
        Set.of(D.endpoint()))).await(5, TimeUnit.SECONDS);
    assertThat(staged.instances()).hasSize(1);
    assertThat(staged.scheduleDecode().await(5, TimeUnit.SECONDS)).isEqualTo(D2);

    assertThatThrownBy(() -> rr.lease(request("n", SchedulingMode.NEUTRAL))
        .await(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(OpenAiError.class,
            e -> assertThat(e.status()).isEqualTo(503));
  }
}
