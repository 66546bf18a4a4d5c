package io.llumnix.enginesim.cache;

import io.llumnix.kvs.mooncake.MooncakeClient;
import io.vertx.core.Future;
import java.util.Collection;

/** Chunk keys in a Mooncake-compatible metadata service (`llumnix kvs`'s write endpoints). */
record MooncakeChunkWriter(MooncakeClient client) implements ChunkWriter {

  @Override
  public Future<Void> put(String endpoint, Collection<String> keys) {
    return client.put(endpoint, keys);
  }

  @Override
  public Future<Void> remove(String endpoint, Collection<String> keys) {
    return client.remove(endpoint, keys);
  }

  @Override
  public Future<Void> removeEndpoint(String endpoint, Collection<String> known) {
    return client.removeEndpoint(endpoint);
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
