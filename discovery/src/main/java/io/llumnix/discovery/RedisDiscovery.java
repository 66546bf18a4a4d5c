package io.llumnix.discovery;

import com.google.protobuf.InvalidProtocolBufferException;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.InstanceListener;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.discovery.proto.PodDiscoveryInfo;
import io.vertx.core.Future;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisErrors;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads the instances that discovery sidecars register in Redis and tells a
 * listener which appeared and which left.
 *
 * <p>Design notes. Every refresh interval it scans {@code llumnix:discovery:*}, reads the pod
 * records, deletes the ones whose timestamp is older than the TTL (their sidecar stopped
 * writing: the pod is gone, or none of its engines is healthy), and diffs the result against the
 * last view by instance id. Unlike the reference, a Redis error never ends the process: the last
 * view stays in force, is logged once as stale, and the next successful refresh brings it up to
 * date. A Redis that comes back empty (restarted without persistence) has lost the records, not
 * the engines: for one TTL after recovery, instances missing from Redis are kept, as an
 * unexpired record would keep them, while the sidecars write their records again. Refreshes
 * never overlap; each is bounded by a timeout so a hung Redis cannot stall the loop.
 */
public final class RedisDiscovery implements AutoCloseable {

  private static final System.Logger logger = System.getLogger(RedisDiscovery.class.getName());

  /**
   * How to poll.
   *
   * @param refreshMillis {@code --discovery-redis-refresh-interval-ms}
   * @param ttlMillis {@code --discovery-redis-status-ttl-ms}: older records are expired
   * @param inferType only instances of this type, or all when null
   */
  public record Settings(long refreshMillis, long ttlMillis, @Nullable InferType inferType) {}

  private final Vertx vertx;
  private final Redis redis;
  private final RedisAPI api;
  private final RedisConnection connection;
  private final Settings settings;
  private final InstanceListener listener;
  private final LongSupplier clockMillis;
  private final Map<String, LlmInstance> view = new HashMap<>();
  private final long timer;
  private boolean refreshing;
  /** When Redis last answered again after failing; -1 before any outage. */
  private long recoveredAtMillis = -1;
  private volatile boolean stale;
  private volatile int size;

  private RedisDiscovery(Vertx vertx, RedisConnection connection, Settings settings,
      InstanceListener listener, LongSupplier clockMillis) {
    this.vertx = vertx;
    this.connection = connection;
    this.redis = connection.client(vertx);
    this.api = RedisAPI.api(redis);
    this.settings = settings;
    this.listener = listener;
    this.clockMillis = clockMillis;
    this.timer = vertx.setPeriodic(0, settings.refreshMillis(), t -> refresh());
  }

  /** Starts polling Redis at {@code connection}; the first refresh runs at once. */
  public static RedisDiscovery start(Vertx vertx, RedisConnection connection, Settings settings,
      InstanceListener listener) {
    return new RedisDiscovery(vertx, connection, settings, listener, System::currentTimeMillis);
  }

  /** Whether the last refresh failed, so the view may be out of date. */
  public boolean stale() {
    return stale;
  }

  /** How many instances the current view holds. */
  public int size() {
    return size;
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    redis.close();
  }

  private void refresh() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    scan("0", new ArrayList<>())
        .compose(this::read)
        .timeout(Math.max(1000, settings.refreshMillis() * 5), TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          refreshing = false;
          if (ar.succeeded()) {
            if (stale) {
              recoveredAtMillis = clockMillis.getAsLong();
            }
            apply(ar.result());
            if (stale) {
              stale = false;
              logger.log(System.Logger.Level.INFO, "discovery: Redis at " + connection
                  + " is back; the view is fresh again (" + view.size() + " instances)");
            }
          } else if (!stale) {
            stale = true;
            logger.log(System.Logger.Level.WARNING, "discovery: Redis at " + connection
                + " failed (" + RedisErrors.explained(ar.cause()).getMessage()
                + "); keeping the last view of " + view.size()
                + " instances, marked stale, until it answers again");
          }
        });
  }

  private Future<List<String>> scan(String cursor, List<String> keys) {
    return api.scan(List.of(cursor, "MATCH", DiscoveryRecords.KEY_PREFIX + "*", "COUNT", "500"))
        .compose(response -> {
          String next = response.get(0).toString();
          for (Response key : response.get(1)) {
            keys.add(key.toString());
          }
          return next.equals("0") ? Future.succeededFuture(keys) : scan(next, keys);
        });
  }

  private Future<Map<String, LlmInstance>> read(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(new HashMap<>()); // apply() may add kept instances
    }
    return api.mget(keys).compose(values -> {
      Map<String, LlmInstance> next = new HashMap<>();
      List<String> expired = new ArrayList<>();
      long oldest = clockMillis.getAsLong() - settings.ttlMillis();
      for (int i = 0; i < keys.size(); i++) {
        Response value = values.get(i);
        if (value == null) {
          continue; // deleted between SCAN and MGET
        }
        try {
          PodDiscoveryInfo pod = PodDiscoveryInfo.parseFrom(value.toBytes());
          if (pod.getTimestampMs() < oldest) {
            expired.add(keys.get(i));
            continue;
          }
          for (LlmInstance instance : DiscoveryRecords.instances(pod)) {
            if (settings.inferType() == null || instance.inferType() == settings.inferType()) {
              next.put(instance.canonicalId(), instance);
            }
          }
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
          logger.log(System.Logger.Level.WARNING,
              "discovery: ignoring unreadable record " + keys.get(i) + ": " + e.getMessage());
        }
      }
      if (expired.isEmpty()) {
        return Future.succeededFuture(next);
      }
      return api.del(expired).map(ignored -> next);
    });
  }

  private void apply(Map<String, LlmInstance> next) {
    for (Map.Entry<String, LlmInstance> entry : next.entrySet()) {
      if (!entry.getValue().equals(view.get(entry.getKey()))) {
        listener.up(entry.getValue());
      }
    }
    boolean graceAfterOutage = recoveredAtMillis >= 0
        && clockMillis.getAsLong() - recoveredAtMillis < settings.ttlMillis();
    for (String id : List.copyOf(view.keySet())) {
      if (!next.containsKey(id)) {
        if (graceAfterOutage) {
          next.put(id, view.get(id));
        } else {
          listener.down(id);
        }
      }
    }
    view.clear();
    view.putAll(next);
    size = view.size();
  }
}
