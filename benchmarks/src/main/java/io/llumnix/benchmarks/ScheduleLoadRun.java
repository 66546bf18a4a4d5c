package io.llumnix.benchmarks;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.Outcome;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /schedule} plus {@code /release} over HTTP in one JVM on this machine: {@code
 * concurrency} closed-loop clients against a lite-mode scheduler with {@code instances} static
 * instances, for {@code seconds} after a warm-up. Reports schedules per second and the
 * {@code /schedule} latency percentiles.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.llumnix.benchmarks.ScheduleLoadRun 64 16 20
 * </pre>
 */
public final class ScheduleLoadRun {

  private ScheduleLoadRun() {}

  public static void main(String[] args) throws Exception {
    int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int instanceCount = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Vertx vertx = VertxFactory.create();
    ComponentMetrics metrics = ComponentMetrics.create(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    SchedulerServer server = new SchedulerServer(SchedulerConfig.builder().host("127.0.0.1")
        .port(0).fullMode(false).policyConfig(PolicyConfig.liteDefaults()).build(), metrics,
        null, null);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    for (int i = 0; i < instanceCount; i++) {
      server.up(LlmInstance.ofEndpoint("10.0.0." + i, 8000));
    }
    int port = server.actualPort();
    WebSocket keepalive = vertx.createWebSocketClient().connect(port, "127.0.0.1", Keepalive.PATH)
        .await(10, TimeUnit.SECONDS);
    keepalive.writeTextMessage(Keepalive.hello("10.9.9.9", 1));

    long[] sorted = measure(vertx, port, concurrency, seconds);
    System.out.printf("concurrency=%d instances=%d window=%ds: %.0f schedules/s (each with a "
            + "release)%n", concurrency, instanceCount, seconds, sorted.length / (double) seconds);
    printLatencies(sorted);
    System.exit(0); // the keepalive and pooled connections need no orderly close here
  }

  /**
   * Runs {@code concurrency} closed-loop clients against the scheduler on {@code port}: 5 s of
   * warm-up, then {@code seconds} measured. Returns the measured {@code /schedule} latencies
   * (nanoseconds), sorted.
   */
  static long[] measure(Vertx vertx, int port, int concurrency, int seconds)
      throws Exception {
    SchedulerClient client = SchedulerClient.create(vertx,
        new SchedulerClient.Settings(2000, "", concurrency));
    SchedulerEndpoint endpoint = new SchedulerEndpoint("127.0.0.1", port);
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
    long[] latencies = new long[5_000_000];
    AtomicLong recorded = new AtomicLong();
    AtomicLong ids = new AtomicLong();
    List<Future<Void>> clients = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      Promise<Void> done = Promise.promise();
      loop(client, endpoint, end, warmupEnd, latencies, recorded, ids, done);
      clients.add(done.future());
    }
    Future.all(clients).await(seconds + 60L, TimeUnit.SECONDS);
    int n = (int) Math.min(recorded.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    return sorted;
  }

  /** Prints the percentiles of sorted latencies in nanoseconds. */
  static void printLatencies(long[] sorted) {
    int n = sorted.length;
    System.out.printf("/schedule latency: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        sorted[n / 2] / 1e6, sorted[(int) (n * 0.9)] / 1e6, sorted[(int) (n * 0.99)] / 1e6,
        sorted[n - 1] / 1e6);
  }

  /**
   * One client: {@code /schedule} then {@code /release}, one after another until {@code end},
   * then completes {@code done}; latencies after {@code warmupEnd} go to {@code latencies}.
   */
  private static void loop(SchedulerClient client, SchedulerEndpoint endpoint, long end,
      long warmupEnd, long[] latencies, AtomicLong recorded, AtomicLong ids,
      Promise<Void> done) {
    if (System.nanoTime() > end) {
      done.complete();
      return;
    }
    SchedulingRequest request = SchedulingRequest.of("load-" + ids.incrementAndGet(), "m",
        "10.9.9.9:1", SchedulingMode.NEUTRAL, SchedulingStage.PREFILL, 512, null);
    long start = System.nanoTime();
    client.schedule(endpoint, request)
        .compose(outcome -> {
          long now = System.nanoTime();
          if (now > warmupEnd && now <= end) {
            long i = recorded.getAndIncrement();
            if (i < latencies.length) {
              latencies[(int) i] = now - start;
            }
          }
          return outcome instanceof Outcome.Scheduled scheduled
              ? client.release(endpoint, scheduled.answer()) : Future.succeededFuture(outcome);
        })
        .onComplete(ignored -> loop(client, endpoint, end, warmupEnd, latencies, recorded, ids,
            done));
  }
}
