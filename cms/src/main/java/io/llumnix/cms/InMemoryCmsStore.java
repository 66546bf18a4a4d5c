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
 * {@code redis-server}: the same records and TTLs, held in maps. Records are stored as bytes, so
 * readers get fresh copies exactly as from Redis.
 */
public final class InMemoryCmsStore implements CmsStore {

  private record Entry(byte[] value, long expiresAtMillis) {
    boolean live(long now) {
      return expiresAtMillis <= 0 || now < expiresAtMillis;
    }
  }

  private final ConcurrentHashMap<String, Entry> metadata = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Entry> status = new ConcurrentHashMap<>();
  private final LongSupplier clockMillis;

  public InMemoryCmsStore() {
    this(System::currentTimeMillis);
  }

  /** A store whose TTLs follow {@code clockMillis}. */
  public InMemoryCmsStore(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  private Entry entry(byte[] value, long ttlSeconds) {
    return new Entry(value, ttlSeconds > 0 ? clockMillis.getAsLong() + ttlSeconds * 1000 : 0);
  }

  @Override
  public Future<Void> putMetadata(InstanceMetadata record, long ttlSeconds) {
    metadata.put(record.getInstanceId(), entry(record.toByteArray(), ttlSeconds));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> putStatus(InstanceStatus record, long ttlSeconds) {
    status.put(record.getInstanceId(), entry(record.toByteArray(), ttlSeconds));
    return Future.succeededFuture();
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
    try {
      for (var e : metadata.entrySet()) {
        if (e.getValue().live(now)) {
          all.add(InstanceMetadata.parseFrom(e.getValue().value()));
        } else {
          metadata.remove(e.getKey(), e.getValue());
        }
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return Future.failedFuture(e);
    }
    return Future.succeededFuture(all);
  }

  @Override
  public Future<List<@Nullable InstanceStatus>> statuses(List<String> instanceIds) {
    long now = clockMillis.getAsLong();
    List<@Nullable InstanceStatus> all = new ArrayList<>(instanceIds.size());
    try {
      for (String id : instanceIds) {
        Entry e = status.get(id);
        all.add(e != null && e.live(now) ? InstanceStatus.parseFrom(e.value()) : null);
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return Future.failedFuture(e);
    }
    return Future.succeededFuture(all);
  }

  @Override
  public void close() {
    metadata.clear();
    status.clear();
  }
}
