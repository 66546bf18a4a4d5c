package io.llumnix.scheduler.cache;

import io.llumnix.cms.proto.InstanceMetadata;
import io.vertx.core.Future;
import java.util.List;

/**
 * Knows which instances hold which prefixes: a KV store's metadata service queried per request,
 * or an index the scheduler keeps from the instances' KV-cache events. One per scheduler, used
 * on its event loop.
 */
public interface PrefixIndex extends AutoCloseable {

  /**
   * How much of the first {@code length} of {@code tokens} each holder has cached. Fails when
   * the index cannot answer (its service is down).
   */
  Future<PrefixHits> lookup(int[] tokens, int length, Timings timings);

  /**
   * The CMS lists these instances now (after each metadata read): an index fed by the
   * instances themselves follows them; a KV store's needs nothing.
   */
  default void instancesChanged(List<InstanceMetadata> instances) {}

  @Override
  default void close() {}

  /** Where a lookup's time went: hashing and walking the answer, and the query itself. */
  interface Timings {
    void calculated(double millis);

    void queried(double millis);
  }
}
