package io.llumnix.cms;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The CMS inside one process, for {@code llumnix local} on a machine without
 * {@code redis-server} and for the simulator: the same records and TTLs, held in maps. Readers
 * get the very records written: protobuf messages are immutable, so sharing them is as safe as
 * Redis's copies, without encoding and decoding every status (a large part of a simulation's
 * time when it did).
 */
public final class InMemoryCmsStore implements CmsStore {

  private record Entry<T>(T value, long expiresAtMillis) {
    boolean live(long now) {
      return expiresAtMillis <= 0 || now < expiresAtMillis;
    }
  }

  private final ConcurrentHashMap<String, Entry<InstanceMetadata>> metadata =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Entry<InstanceStatus>> status =
      new ConcurrentHashMap<>();
  private final LongSupplier clockMillis;

  public InMemoryCmsStore() {
    this(System::currentTimeMillis);
  }

  /** A store whose TTLs follow {@code clockMillis}. */
  public InMemoryCmsStore(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  private <T> Entry<T> entry(T value, long ttlSeconds) {
    return new Entry<>(value, ttlSeconds > 0 ? clockMillis.getAsLong() + ttlSeconds * 1000 : 0);
  }

  @Override
  public Future<Void> putMetadata(InstanceMetadata record, long ttlSeconds) {
    metadata.put(record.getInstanceId(), entry(record, ttlSeconds));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> putStatus(InstanceStatus record, long ttlSeconds) {
    status.put(record.getInstanceId(), entry(record, ttlSeconds));
    return Future.succeededFuture();
  }

  @Override
  public Future<Boolean> replaceStatus(InstanceStatus record, long ttlSeconds) {
    Entry<InstanceStatus> old = status.put(record.getInstanceId(), entry(record, ttlSeconds));
    return Future.succeededFuture(old != null && old.live(clockMillis.getAsLong()));
  }

  @Override
  public Future<Void> delete(String instanceId) {
    metadata.remove(instanceId);
    status.remove(instanceId);
    return Future.succeededFuture();
  }

  @Override
  public Future<List<InstanceMetadata>> allMetadata() {
    long now = clockMillis.getAsLong();
    List<InstanceMetadata> all = new ArrayList<>();
    for (var e : metadata.entrySet()) {
      if (e.getValue().live(now)) {
        all.add(e.getValue().value());
      } else {
        metadata.remove(e.getKey(), e.getValue());
      }
    }
    return Future.succeededFuture(all);
  }

  @Override
  public Future<List<@Nullable InstanceStatus>> statuses(List<String> instanceIds) {
    long now = clockMillis.getAsLong();
    List<@Nullable InstanceStatus> all = new ArrayList<>(instanceIds.size());
    for (String id : instanceIds) {
      Entry<InstanceStatus> e = status.get(id);
      all.add(e != null && e.live(now) ? e.value() : null);
    }
    return Future.succeededFuture(all);
  }

  @Override
  public void close() {
    metadata.clear();
    status.clear();
  }
}
