package io.llumnix.scheduler.cache;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.core.time.Clock;
import io.llumnix.kvs.events.BlockRemoved;
import io.llumnix.kvs.events.BlockStored;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A prefix index kept in the scheduler and fed the instances' KV-cache events directly: what
 * {@link KvEventsPrefixIndex} fills from ZMQ, and what a simulation fills from its engines.
 * Lookups are answered at once. Owned by the scheduler's event loop.
 */
public final class LocalPrefixIndex implements PrefixIndex {

  private final BlockIndex index = new BlockIndex();
  private final Clock clock;

  public LocalPrefixIndex(Clock clock) {
    this.clock = clock;
  }

  /** Instance {@code instanceId} cached the blocks {@code event} lists. */
  public void stored(String instanceId, BlockStored event) {
    index.stored(instanceId, event);
  }

  /** Instance {@code instanceId} evicted the blocks {@code event} lists. */
  public void removed(String instanceId, BlockRemoved event) {
    index.removed(instanceId, event);
  }

  /** Forgets everything {@code instanceId} held (its cache was cleared, or it restarted). */
  public void drop(String instanceId) {
    index.drop(instanceId);
  }

  /** Blocks held for {@code instanceId}. */
  public int blocks(String instanceId) {
    return index.size(instanceId);
  }

  @Override
  public Future<PrefixHits> lookup(int[] tokens, int length, Timings timings) {
    long start = clock.nanoTime();
    PrefixHits hits = index.hits(tokens, length);
    timings.calculated(clock.millisSince(start));
    timings.queried(0); // nothing to query: the index is here
    return Future.succeededFuture(hits);
  }

  /** Instances the CMS no longer lists leave the index. */
  @Override
  public void instancesChanged(List<InstanceMetadata> listed) {
    Set<String> gone = new HashSet<>(index.instances());
    for (InstanceMetadata metadata : listed) {
      gone.remove(metadata.getInstanceId());
    }
    gone.forEach(this::drop);
  }
}
