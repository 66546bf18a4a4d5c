package io.llumnix.enginesim.cache;

import io.llumnix.enginesim.core.PrefixCacheListener;
import io.llumnix.kvs.events.BlockRemoved;
import io.llumnix.kvs.events.BlockStored;
import io.llumnix.kvs.events.KvEvent;
import io.llumnix.kvs.events.KvEventPublisher;
import io.llumnix.kvs.hash.TokenSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Publishes the engine's prefix cache as vLLM's KV-cache events: one {@code BlockStored} per
 * run of a request's newly cached blocks, one {@code BlockRemoved} per run of evictions between
 * them (so the events keep the order they happened in), at most one batch per step, sent after
 * the step is planned. Runs on the engine's event loop; the
 * ZMQ publisher sends from its own thread.
 */
final class EventPublisher implements PrefixCacheListener {

  private final KvEventPublisher publisher;
  private final List<KvEvent> events = new ArrayList<>();
  private long[] removed = new long[16];
  private int numRemoved;

  EventPublisher(KvEventPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public void stored(long[] hashes, int from, int to, int blockSize, TokenSource tokens) {
    flushRemoved(); // keep the step's events in the order they happened
    events.add(BlockStored.ofRun(hashes, from, to, blockSize, tokens));
  }

  @Override
  public void removed(long hash) {
    if (numRemoved == removed.length) {
      removed = Arrays.copyOf(removed, removed.length * 2);
    }
    removed[numRemoved++] = hash;
  }

  private void flushRemoved() {
    if (numRemoved > 0) {
      events.add(new BlockRemoved(Arrays.copyOf(removed, numRemoved)));
      numRemoved = 0;
    }
  }

  @Override
  public void stepPlanned() {
    flushRemoved();
    if (!events.isEmpty()) {
      publisher.publish(List.copyOf(events));
      events.clear();
    }
  }

  KvEventPublisher publisher() {
    return publisher;
  }
}
