package io.llumnix.enginesim.cache;

import io.vertx.core.Future;
import java.util.Collection;

/** Writes which chunk keys a transport endpoint holds into a KV store's metadata. */
interface ChunkWriter {

  Future<Void> put(String endpoint, Collection<String> keys);

  Future<Void> remove(String endpoint, Collection<String> keys);

  /** Forgets every key of {@code endpoint} the store can find (on start and stop). */
  Future<Void> removeEndpoint(String endpoint, Collection<String> known);

  Future<Void> close();
}
