package io.llumnix.cms;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.vertx.core.Future;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where llumlets publish and schedulers read instance records, under the reference's keys
 * ({@code llumnix:instance_metadata:<id>}, {@code llumnix:instance_status:<id>}) and TTL.
 * Implementations are safe to call from any thread; futures complete on the caller's context
 * when it has one.
 */
public interface CmsStore extends AutoCloseable {

  String METADATA_PREFIX = "llumnix:instance_metadata:";
  String STATUS_PREFIX = "llumnix:instance_status:";

  /** Writes {@code metadata}; it expires after {@code ttlSeconds} (never when <= 0). */
  Future<Void> putMetadata(InstanceMetadata metadata, long ttlSeconds);

  /** Writes {@code status}; it expires after {@code ttlSeconds} (never when <= 0). */
  Future<Void> putStatus(InstanceStatus status, long ttlSeconds);

  /**
   * Writes {@code status} like {@link #putStatus}; the future says whether the store still held
   * an earlier status of the instance. False means the store lost the instance's records (a
   * Redis restarted without persistence, a flush) or the status expired — or this is the first
   * write: the writer should write its metadata again.
   */
  Future<Boolean> replaceStatus(InstanceStatus status, long ttlSeconds);

  /** Removes both records of {@code instanceId} (a llumlet's graceful shutdown). */
  Future<Void> delete(String instanceId);

  /** Every instance's metadata (the scheduler's metadata loop: SCAN, then MGET). */
  Future<List<InstanceMetadata>> allMetadata();

  /**
   * The status of each of {@code instanceIds}, in order; null where there is none (the
   * instance has left, or its llumlet has not written yet).
   */
  Future<List<@Nullable InstanceStatus>> statuses(List<String> instanceIds);

  @Override
  void close();
}
