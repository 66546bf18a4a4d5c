package io.llumnix.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.ReportItem;
import io.llumnix.scheduler.api.SchedulerClient;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's calls in process ({@link SchedulerServer#schedule}, {@code release},
 * {@code report}) answer as its HTTP routes do, and refuse once it stopped.
 */
class InProcessSchedulingTest {

  private static final List<LlmInstance> INSTANCES = List.of(
      LlmInstance.ofEndpoint("10.0.0.1", 8000), LlmInstance.ofEndpoint("10.0.0.2", 8000));

  private Vertx vertx;
  private SchedulerServer server;
  private String deployment;
  private WebSocketClient sockets;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ComponentMetrics metrics = ComponentMetrics.create(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    server = new SchedulerServer(SchedulerConfig.builder().host("127.0.0.1").port(0)
        .fullMode(false).policy("load-balance").policyConfig(PolicyConfig.liteDefaults())
        .build(), metrics, null, null);
    deployment = vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    INSTANCES.forEach(server::up);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Lite mode counts a request for the gateway whose keepalive it holds. */
  private static final String GATEWAY = "10.9.0.1:9000";

  private static SchedulingRequest request(String id) {
    return SchedulingRequest.of(id, "m", GATEWAY, SchedulingMode.NEUTRAL,
        SchedulingStage.PREFILL, 100, null);
  }

  private WebSocket keepalive() throws Exception {
    sockets = vertx.createWebSocketClient(); // held: a client no one references is closed
    WebSocket ws = sockets.connect(server.actualPort(), "127.0.0.1",
        Keepalive.PATH).await(10, TimeUnit.SECONDS);
    CompletableFuture<String> accepted = new CompletableFuture<>();
    ws.textMessageHandler(accepted::complete);
    ws.writeTextMessage(Keepalive.hello("10.9.0.1", 9000));
    assertThat(accepted.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    return ws;
  }

  /** Runs {@code call} on the scheduler's loop, as the in-process client does. */
  private <T> T onLoop(Supplier<Future<T>> call) throws Exception {
    Promise<T> result = Promise.promise();
    server.eventLoopContext().runOnContext(v -> call.get().onComplete(result));
    return result.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  void answersAsTheHttpRoutesDoAndCountsWhatItDispatched() throws Exception {
    keepalive();
    SchedulerClient http = SchedulerClient.create(vertx, SchedulerClient.Settings.DEFAULT);
    SchedulerEndpoint endpoint = new SchedulerEndpoint("127.0.0.1", server.actualPort());

    // Lite load-balance: the least loaded instance wins, so a request counted in process moves
    // the next one, asked over HTTP, to the other instance, and the same back again.
    Outcome first = onLoop(() -> server.schedule(request("a"), () -> false));
    Outcome second = http.schedule(endpoint, request("b")).await(10, TimeUnit.SECONDS);
    LlmInstance a = ((Outcome.Scheduled) first).answer().schedulingResult().get(0);
    LlmInstance b = ((Outcome.Scheduled) second).answer().schedulingResult().get(0);
    assertThat(List.of(a, b)).containsExactlyInAnyOrderElementsOf(INSTANCES);
    assertThat(first).isEqualTo(new Outcome.Scheduled(request("a").withResult(List.of(a))));

    // Released in process, instance a is the least loaded again for a call over HTTP.
    assertThat(onLoop(() -> server.release(request("a").withResult(List.of(a)))))
        .isInstanceOf(Outcome.Scheduled.class);
    Outcome third = http.schedule(endpoint, request("c")).await(10, TimeUnit.SECONDS);
    assertThat(((Outcome.Scheduled) third).answer().schedulingResult()).containsExactly(a);

    // A report in process is applied as /report's: the failed instance cools down.
    onLoop(() -> server.report(List.of(new ReportItem(ReportItem.Kind.INSTANCE_FAILED, "c",
        "m", InferType.NEUTRAL, a.canonicalId(), GATEWAY, 0))));
    Outcome fourth = http.schedule(endpoint, request("d")).await(10, TimeUnit.SECONDS);
    assertThat(((Outcome.Scheduled) fourth).answer().schedulingResult()).containsExactly(b);
  }

  @Test
  void aStoppedSchedulerRefusesAsItsClosedPortWould() throws Exception {
    var context = server.eventLoopContext();
    vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    Promise<Outcome> result = Promise.promise();
    context.runOnContext(v -> server.schedule(request("late"), () -> false).onComplete(result));
    Future<Outcome> call = result.future();
    call.otherwiseEmpty().await(10, TimeUnit.SECONDS);
    assertThat(call.cause()).isInstanceOf(ConnectException.class);
  }
}
