package io.llumnix.enginesim.cache;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Chunk keys in Vineyard's metadata Redis: one sorted set per key, the endpoint a member scored
 * by when it was written ({@code ZADD}/{@code ZREM}, as the reference's writer does). Redis
 * cannot list an endpoint's keys, so dropping an endpoint removes the keys this engine knows.
 */
record V6dChunkWriter(Redis redis) implements ChunkWriter {

  @Override
  public Future<Void> put(String endpoint, Collection<String> keys) {
    List<Request> batch = new ArrayList<>(keys.size());
    double now = System.currentTimeMillis() / 1000.0;
    for (String key : keys) {
      batch.add(Request.cmd(Command.ZADD).arg(key).arg(Double.toString(now)).arg(endpoint));
    }
    return send(batch);
  }

  @Override
  public Future<Void> remove(String endpoint, Collection<String> keys) {
    List<Request> batch = new ArrayList<>(keys.size());
    for (String key : keys) {
      batch.add(Request.cmd(Command.ZREM).arg(key).arg(endpoint));
    }
    return send(batch);
  }

  @Override
  public Future<Void> removeEndpoint(String endpoint, Collection<String> known) {
    return known.isEmpty() ? Future.succeededFuture() : remove(endpoint, known);
  }

  private Future<Void> send(List<Request> batch) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    // One command per key, all sent before the first answer: pipelined on the connection, and
    // valid in a Redis Cluster, where one batch may not span slots.
    List<Future<?>> replies = new ArrayList<>(batch.size());
    for (Request request : batch) {
      replies.add(redis.send(request));
    }
    return Future.all(replies).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    redis.close();
    return Future.succeededFuture();
  }
}
