package io.llumnix.discovery;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisErrors;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The discovery sidecar beside an engine pod (the reference's {@code discovery.discovery}):
 * every interval it health-checks the pod's engines ({@code GET /health}, 3 s, one try) and
 * writes the healthy ones to {@code llumnix:discovery:<pod>} with a fresh timestamp. When none
 * is healthy it removes the record (the reference writes nothing, so its record keeps naming
 * the dead engines until the consumers' TTL, a minute by default, and they keep being chosen),
 * as it already leaves out one unhealthy engine of several. A Redis error is logged and retried
 * at the next interval; it never ends the sidecar.
 */
public final class DiscoverySidecar implements AutoCloseable {

  private static final System.Logger logger = System.getLogger(DiscoverySidecar.class.getName());

  /**
   * The reference sidecar's options. Data-parallel rank {@code i} of {@code dpSizeLocal} serves
   * on {@code entrypointPort + i} with KV transfer on {@code kvTransferPort + i}.
   */
  public record Settings(InferType instanceType, String podName, String entrypointIp,
      int entrypointPort, String kvTransferIp, int kvTransferPort, int dpSizeLocal,
      String model, long intervalMillis) {

    public Settings {
      if (podName.isEmpty()) {
        throw new IllegalArgumentException("pod name: empty (expected: the pod's name)");
      }
      if (dpSizeLocal < 1) {
        throw new IllegalArgumentException("dp size local: " + dpSizeLocal + " (expected: >= 1)");
      }
      if (intervalMillis < 1) {
        throw new IllegalArgumentException("interval: " + intervalMillis + " ms (expected: > 0)");
      }
    }

    /** The instances this pod may serve, healthy or not. */
    public List<LlmInstance> instances() {
      List<LlmInstance> instances = new ArrayList<>(dpSizeLocal);
      for (int i = 0; i < dpSizeLocal; i++) {
        instances.add(new LlmInstance(1, podName + "_dp" + i, model, instanceType, entrypointIp,
            entrypointPort + i, kvTransferIp, kvTransferPort + i, i, dpSizeLocal));
      }
      return instances;
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  private final Redis redis;
  private final WebClient web;
  private final long timer;
  private final AtomicInteger lastHealthy = new AtomicInteger(-1);
  private boolean redisFailing;
  private volatile boolean stopped;
  /** The round under way, or the last one. */
  private Future<?> round = Future.succeededFuture();

  private DiscoverySidecar(Vertx vertx, RedisConnection connection, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.redis = connection.client(vertx);
    this.web = WebClient.create(vertx);
    this.timer = vertx.setPeriodic(0, settings.intervalMillis(), t -> round());
  }

  /** Starts registering; the first round runs at once. */
  public static DiscoverySidecar start(Vertx vertx, RedisConnection connection,
      Settings settings) {
    return new DiscoverySidecar(vertx, connection, settings);
  }

  /** How many instances were healthy in the last round; -1 before the first. */
  public int lastHealthy() {
    return lastHealthy.get();
  }

  /**
   * Stops registering and removes the pod's record, so gateways and schedulers stop choosing
   * its engines at once instead of after the record's TTL: what a pod that is being stopped
   * does first.
   */
  public Future<Void> deregister() {
    vertx.cancelTimer(timer);
    stopped = true;
    // After the round under way, whose write would otherwise bring the record back.
    return round.transform(ignored -> redis.send(
            Request.cmd(Command.DEL).arg(DiscoveryRecords.key(settings.podName())))
        .<Void>mapEmpty()
        .onFailure(e -> logger.log(System.Logger.Level.WARNING, "discovery sidecar: cannot "
            + "remove " + settings.podName() + " from Redis (" + e.getMessage()
            + "); it ages out after the TTL")));
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    redis.close();
    web.close();
  }

  private void round() {
    if (stopped) {
      return;
    }
    Promise<Void> done = Promise.promise();
    round = done.future();
    List<LlmInstance> all = settings.instances();
    List<Future<Boolean>> checks = new ArrayList<>(all.size());
    for (LlmInstance instance : all) {
      checks.add(web.get(instance.port(), instance.host(), "/health").timeout(3000).send()
          .map(response -> response.statusCode() == 200)
          .otherwise(false));
    }
    Future.join(checks).onComplete(ignored -> {
      List<LlmInstance> healthy = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        if (Boolean.TRUE.equals(checks.get(i).result())) {
          healthy.add(all.get(i));
        }
      }
      int before = lastHealthy.getAndSet(healthy.size());
      if (stopped) {
        done.complete();
        return;
      }
      Request write;
      if (healthy.isEmpty()) {
        if (before != 0) {
          logger.log(System.Logger.Level.WARNING, "discovery sidecar: no engine of "
              + settings.podName() + " is healthy; removing its record");
        }
        write = Request.cmd(Command.DEL).arg(DiscoveryRecords.key(settings.podName()));
      } else {
        byte[] record = DiscoveryRecords.pod(settings.podName(), System.currentTimeMillis(),
            healthy).toByteArray();
        write = Request.cmd(Command.SET).arg(DiscoveryRecords.key(settings.podName()))
            .arg(Buffer.buffer(record));
      }
      redis.send(write)
          .onComplete(written -> done.complete())
          .onSuccess(ok -> {
            if (redisFailing) {
              redisFailing = false;
              logger.log(System.Logger.Level.INFO, "discovery sidecar: Redis is back");
            }
          })
          .onFailure(e -> {
            if (!redisFailing) {
              redisFailing = true;
              logger.log(System.Logger.Level.WARNING, "discovery sidecar: cannot write to "
                  + "Redis (" + RedisErrors.explained(e).getMessage()
                  + "); retrying every interval");
            }
          });
    });
  }
}
