package io.llumnix.benchmarks;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.RedisCmsStore;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.VertxClock;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.SchedulerServer;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulerClient;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.scheduler.cms.CmsView;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Full mode at scale, against a real Redis on {@code redisPort}: {@code instances} instances'
 * records in the CMS, rewritten every 50 ms as llumlets would (one pipelined batch a round,
 * from a Vert.x instance of their own, as the gateways' clients have theirs). Reports (1) the
 * status refresh (MGET of every status, decode, and acceptance into the view: the status
 * loop's work), p50/p99 over 200 refreshes after 5 s of warm-up, and (2) {@code /schedule}
 * latency from {@code concurrency} closed-loop clients against a full-mode scheduler reading
 * that CMS every 50 ms.
 *
 * <pre>
 * redis-server --port 16379 --save '' &amp;
 * java -cp benchmarks/target/benchmarks.jar io.llumnix.benchmarks.FullModeLoadRun 16379 1000 64 20
 * </pre>
 */
public final class FullModeLoadRun {

  private FullModeLoadRun() {}

  public static void main(String[] args) throws Exception {
    int redisPort = Integer.parseInt(args[0]);
    int instanceCount = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    Vertx vertx = VertxFactory.create();
    // The llumlets and the gateways are other processes: here they get Vert.x instances of
    // their own, so no reply of theirs queues on the scheduler's event loop.
    Vertx llumlets = VertxFactory.create();
    Vertx gateways = VertxFactory.create();
    RedisConnection redis = RedisConnection.of("127.0.0.1", redisPort);
    RedisCmsStore writer = RedisCmsStore.create(llumlets, redis, 5000);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < instanceCount; i++) {
      String id = "10.0." + (i / 250) + "." + (i % 250) + ":8000";
      ids.add(id);
      writer.putMetadata(InstanceMetadata.newBuilder().setInstanceId(id)
          .setInstanceType("neutral").setIp("10.0." + (i / 250) + "." + (i % 250))
          .setApiServerPort(8000).setNodeId("node-" + i / 8).setUnitId(id)
          .setDataParallelSize(1).setBlockSize(16).setMaxNumBatchedTokens(8192).build(), 0)
          .await(10, TimeUnit.SECONDS);
    }
    // One pipelined batch per round: a thousand llumlets write over a thousand connections, and
    // one pooled client sending a thousand SETs at once would overflow its wait queue.
    Redis batchWriter = redis.client(llumlets);
    AtomicLong update = new AtomicLong();
    Runnable writeAll = () -> {
      int u = (int) update.incrementAndGet();
      long now = System.currentTimeMillis();
      List<Request> sets = new ArrayList<>(ids.size());
      for (int i = 0; i < ids.size(); i++) {
        byte[] status = InstanceStatus.newBuilder().setInstanceId(ids.get(i))
            .setSchedulable(true).setTimestampMs(now).setUpdateId(u).setStepId(u)
            .setNumTotalGpuTokens(467_280).setNumUsedGpuTokens(1000 + (i * 37 + u) % 5000)
            .setNumRunningRequests(i % 7).setNumWaitingRequests(i % 3)
            .setNumUncomputedTokensAllWaitingPrefills((i * 13 + u) % 4000)
            .addWaitingRequests("cmpl-x" + i + "-0").addRecentWaitingRequests("cmpl-x" + i + "-0")
            .setProfilingId(-1).build().toByteArray();
        sets.add(Request.cmd(Command.SET).arg(CmsStore.STATUS_PREFIX + ids.get(i))
            .arg(Buffer.buffer(status)));
      }
      batchWriter.batch(sets).toCompletionStage().toCompletableFuture().join();
    };
    writeAll.run();
    Thread.ofPlatform().daemon().start(() -> {
      while (true) {
        long next = System.nanoTime() + 50_000_000L;
        writeAll.run();
        LockSupport.parkNanos(next - System.nanoTime());
      }
    });

    // (1) the status loop's work, measured one refresh after another
    ComponentMetrics refreshMetrics = ComponentMetrics.createWithoutRuntime(100_000);
    refreshMetrics.registerAll(LlumnixMetrics.scheduler());
    CmsView view = new CmsView(refreshMetrics, true, 10, false, VertxClock.of(vertx));
    RedisCmsStore reader = RedisCmsStore.create(vertx, redis, 5000);
    view.applyMetadata(reader.allMetadata().await(30, TimeUnit.SECONDS));
    long[] refresh = new long[200];
    // 5 s of warm-up, as for /schedule below: the first seconds are the JIT's, not the loop's.
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int measured = 0;
    while (measured < refresh.length) {
      long start = System.nanoTime();
      List<InstanceStatus> statuses = reader.statuses(ids).await(10, TimeUnit.SECONDS);
      for (InstanceStatus status : statuses) {
        if (status != null) {
          view.acceptStatus(status);
        }
      }
      if (start > warmupEnd) {
        refresh[measured++] = System.nanoTime() - start;
      }
    }
    Arrays.sort(refresh);
    System.out.printf("status refresh of %d instances: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        instanceCount, refresh[100] / 1e6, refresh[198] / 1e6, refresh[199] / 1e6);

    // (2) /schedule against a full-mode scheduler over the same CMS
    ComponentMetrics metrics = ComponentMetrics.create(100_000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    SchedulerServer server = new SchedulerServer(SchedulerConfig.builder().host("127.0.0.1")
        .port(0).build(), metrics, v -> RedisCmsStore.create(v, redis, 1000), null);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    int port = server.actualPort();
    // Wait until the scheduler has read the CMS.
    SchedulerClient probe = SchedulerClient.create(gateways, SchedulerClient.Settings.DEFAULT);
    SchedulingRequest request = SchedulingRequest.of("probe", "", "", SchedulingMode.NEUTRAL,
        SchedulingStage.PREFILL, 0, null);
    while (!(probe.schedule(new SchedulerEndpoint("127.0.0.1", port), request)
        .await(10, TimeUnit.SECONDS) instanceof Outcome.Scheduled)) {
      Thread.sleep(100);
    }
    long[] sorted = ScheduleLoadRun.measure(gateways, port, concurrency, seconds);
    System.out.printf("full mode, %d instances, concurrency %d, %ds: %.0f schedules/s (each "
        + "with a release)%n", instanceCount, concurrency, seconds,
        sorted.length / (double) seconds);
    ScheduleLoadRun.printLatencies(sorted);
    System.exit(0);
  }
}
