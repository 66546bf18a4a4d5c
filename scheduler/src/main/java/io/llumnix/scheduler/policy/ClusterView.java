package io.llumnix.scheduler.policy;

import io.llumnix.core.instance.InferType;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.cache.PrefixHits;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The cluster as one scheduling mode sees it, and the bookkeeping a dispatch changes: lite
 * mode's own counts (the LRS) or full mode's CMS with its local account. The dispatcher asks
 * it for candidates and tells it what was chosen.
 *
 * @param <I> the view of one instance that its policies read
 */
public interface ClusterView<I extends InstanceView> {

  /** Whether the view can be scheduled from; full mode: the last CMS read succeeded. */
  boolean available();

  /** The instances of {@code type}, ordered by id. */
  List<I> instances(InferType type);

  /**
   * {@code request} is about to be dispatched; {@code hits} (null when it was not looked up)
   * are its prefix-cache hits, which cache-aware metrics read. Views without them ignore it.
   */
  default void prepare(SchedulingRequest request, @Nullable PrefixHits hits) {}

  /** {@code instance} was chosen for {@code request} as its {@code role}. */
  void dispatched(I instance, SchedulingRequest request, InferType role);

  /** A pd_batch request got its prefill instance but no decode instance. */
  void prefillWithoutDecode(I prefill, SchedulingRequest request);

  /** {@code /release}: {@code request} (with one instance in its result) ended. */
  void release(SchedulingRequest request);
}
