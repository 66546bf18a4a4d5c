package io.llumnix.enginesim.core;

import io.llumnix.kvs.hash.TokenSource;

/**
 * Hears what enters and leaves the engine's prefix cache, as vLLM's KV-cache events report it:
 * a request's consecutive blocks stored when they are allocated full, a cached block removed
 * when its free block is reused. Called on the engine's thread, inside a step's scheduling;
 * an implementation batches what it hears and sends it after the step is planned.
 */
public interface PrefixCacheListener {

  /** Hears nothing. */
  PrefixCacheListener NONE = new PrefixCacheListener() {};

  /**
   * Blocks {@code from} to {@code to} (exclusive) of a request entered the cache.
   *
   * @param hashes the request's block hashes, valid up to {@code to} (the block before
   *     {@code from} is the first one's parent); do not keep the array
   * @param tokens the request's tokens: block {@code b} holds positions
   *     {@code [b * blockSize, (b + 1) * blockSize)}
   */
  default void stored(long[] hashes, int from, int to, int blockSize, TokenSource tokens) {}

  /** The cached block with {@code hash} was evicted. */
  default void removed(long hash) {}

  /** The engine ran a step: what was heard since the last call may be sent now. */
  default void stepPlanned() {}
}
