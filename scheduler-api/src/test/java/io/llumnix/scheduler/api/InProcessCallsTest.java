package io.llumnix.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.LlmInstance;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SchedulerClient} with a scheduler in its own process: calls to that scheduler's
 * endpoint reach it without HTTP, on its loop, and answer on the caller's loop; calls to any
 * other endpoint still go over HTTP.
 */
class InProcessCallsTest {

  private static final SchedulingRequest REQUEST = SchedulingRequest.of("r1", "m", "g",
      SchedulingMode.NEUTRAL, SchedulingStage.PREFILL, 3, new int[] {1, 2, 3});
  private static final LlmInstance CHOSEN = LlmInstance.ofEndpoint("10.0.0.1", 8000);

  private Vertx vertx;
  private Context schedulerLoop;
  private Context callerLoop;
  private final FakeScheduler scheduler = new FakeScheduler();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    schedulerLoop = loopOfANewVerticle();
    callerLoop = loopOfANewVerticle();
    assertThat(threadOf(schedulerLoop)).isNotSameAs(threadOf(callerLoop));
  }

  /** Each verticle gets the next event loop. */
  private Context loopOfANewVerticle() throws Exception {
    CompletableFuture<Context> loop = new CompletableFuture<>();
    vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        loop.complete(context);
        return Future.succeededFuture();
      }
    }).await(10, TimeUnit.SECONDS);
    return loop.get();
  }

  private static Thread threadOf(Context context) throws Exception {
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    context.runOnContext(v -> thread.complete(Thread.currentThread()));
    return thread.get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void callsToTheLocalEndpointRunOnTheSchedulersLoopAndAnswerOnTheCallers() throws Exception {
    SchedulerClient client = SchedulerClient.create(vertx, SchedulerClient.Settings.DEFAULT,
        scheduler);
    CompletableFuture<String> answeredOn = new CompletableFuture<>();
    CompletableFuture<Thread> callerThread = new CompletableFuture<>();
    callerLoop.runOnContext(v -> {
      callerThread.complete(Thread.currentThread());
      client.schedule(scheduler.endpoint(), REQUEST).onComplete(ar -> answeredOn.complete(
          (Thread.currentThread() == callerThread.join() ? "caller " : "other ")
              + (ar.succeeded() ? ar.result() : ar.cause())));
    });
    assertThat(answeredOn.get(10, TimeUnit.SECONDS))
        .isEqualTo("caller " + new Outcome.Scheduled(REQUEST.withResult(List.of(CHOSEN))));
    assertThat(scheduler.calls).containsExactly("schedule r1 on the scheduler's loop");

    CompletableFuture<Boolean> releasedAndReported = new CompletableFuture<>();
    callerLoop.runOnContext(v -> client.release(scheduler.endpoint(), REQUEST)
        .compose(ignored -> client.report(scheduler.endpoint(), List.of(new ReportItem(
            ReportItem.Kind.INSTANCE_FAILED, "r1", "m", CHOSEN.inferType(), "i1", "g", 0))))
        .onComplete(ar -> releasedAndReported.complete(ar.succeeded())));
    assertThat(releasedAndReported.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(scheduler.calls).containsExactly("schedule r1 on the scheduler's loop",
        "release r1 on the scheduler's loop", "report 1 on the scheduler's loop");
  }

  @Test
  void aSchedulerThatIsDownFailsTheCallAsARefusedConnectionWould() throws Exception {
    scheduler.down = true;
    SchedulerClient client = SchedulerClient.create(vertx, SchedulerClient.Settings.DEFAULT,
        scheduler);
    Future<Outcome> call = client.schedule(scheduler.endpoint(), REQUEST);
    assertThat(call.otherwiseEmpty().await(10, TimeUnit.SECONDS)).isNull();
    assertThat(call.cause()).isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void aSchedulerThatNeverAnswersTimesOutAndIsToldTheCallerLeft() throws Exception {
    scheduler.silent = true;
    SchedulerClient client = SchedulerClient.create(vertx,
        new SchedulerClient.Settings(200, "", 4), scheduler);
    Future<Outcome> call = client.schedule(scheduler.endpoint(), REQUEST);
    call.otherwiseEmpty().await(10, TimeUnit.SECONDS);
    assertThat(call.cause()).isInstanceOf(TimeoutException.class);
    assertThat(scheduler.abandoned.getAsBoolean()).isTrue();
  }

  @Test
  void callsToAnotherEndpointGoOverHttp() throws Exception {
    List<String> paths = new CopyOnWriteArrayList<>();
    HttpServer http = vertx.createHttpServer().requestHandler(req -> {
      paths.add(req.path());
      req.response().setStatusCode(503).end("busy");
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    SchedulerClient client = SchedulerClient.create(vertx, SchedulerClient.Settings.DEFAULT,
        scheduler);
    Outcome outcome = client.schedule(new SchedulerEndpoint("127.0.0.1", http.actualPort()),
        REQUEST).await(10, TimeUnit.SECONDS);
    assertThat(outcome).isEqualTo(new Outcome.Failed(503, "busy"));
    assertThat(paths).containsExactly("/schedule");
    assertThat(scheduler.calls).isEmpty();
  }

  /** Answers as a scheduler would, noting on which loop each call ran. */
  private final class FakeScheduler implements InProcessScheduler {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean down;
    volatile boolean silent;
    volatile BooleanSupplier abandoned = () -> false;

    @Override
    public SchedulerEndpoint endpoint() {
      return new SchedulerEndpoint("127.0.0.1", 1);
    }

    @Override
    public Context context() {
      return schedulerLoop;
    }

    private <T> Future<T> call(String what, T answer) {
      calls.add(what + (Vertx.currentContext() == schedulerLoop
          ? " on the scheduler's loop" : " elsewhere"));
      if (down) {
        return Future.failedFuture(new java.net.ConnectException("down"));
      }
      return silent ? Promise.<T>promise().future() : Future.succeededFuture(answer);
    }

    @Override
    public Future<Outcome> schedule(SchedulingRequest request, BooleanSupplier abandoned) {
      this.abandoned = abandoned;
      return call("schedule " + request.id(),
          new Outcome.Scheduled(request.withResult(List.of(CHOSEN))));
    }

    @Override
    public Future<Outcome> release(SchedulingRequest request) {
      return call("release " + request.id(), new Outcome.Scheduled(request));
    }

    @Override
    public Future<Void> report(List<ReportItem> items) {
      return call("report " + items.size(), null);
    }
  }
}
