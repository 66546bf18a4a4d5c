package io.llumnix.kvs.events;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The events of one engine step, in the order they happened: the payload of one message.
 *
 * @param timestampSeconds when the step ended, seconds since the epoch (Python's
 *     {@code time.time()})
 * @param events the step's events
 * @param dataParallelRank the publishing engine's data-parallel rank, or null when the publisher
 *     predates the field
 */
public record KvEventBatch(
    double timestampSeconds, List<KvEvent> events, @Nullable Integer dataParallelRank) {

  /** Copies the list. */
  public KvEventBatch {
    events = List.copyOf(events);
  }
}
