package io.llumnix.kvs.events;

/**
 * One change to an engine's prefix cache, as vLLM reports it: blocks became full and cached
 * ({@link BlockStored}), were evicted ({@link BlockRemoved}), or the whole cache was reset
 * ({@link AllBlocksCleared}).
 */
public sealed interface KvEvent permits BlockStored, BlockRemoved, AllBlocksCleared {

  /** vLLM's name for this kind of event: the {@code "type"} tag on the wire. */
  String type();
}
