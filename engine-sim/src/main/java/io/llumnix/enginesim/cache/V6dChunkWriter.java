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

  /** Commands per connection round. */
  private static final int PIECE = 1000;

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

  private Future<Void> send(List<Request> commands) {
    if (commands.isEmpty()) {
      return Future.succeededFuture();
    }
    // One connection, every command sent before the first answer: pipelined, and valid in a
    // Redis Cluster (each command goes to its key's node), where one batch may not span slots.
    // A send on the client itself would take a pooled connection per key.
    // In pieces, one after another: a connection holds a bounded number of commands in flight,
    // and after an outage a write can carry every key that changed meanwhile.
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < commands.size(); from += PIECE) {
      List<Request> piece = commands.subList(from, Math.min(commands.size(), from + PIECE));
      chain = chain.compose(ignored -> redis.connect().compose(connection -> {
        List<Future<?>> replies = new ArrayList<>(piece.size());
        for (Request request : piece) {
          replies.add(connection.send(request));
        }
        return Future.all(replies).<Void>mapEmpty().eventually(connection::close);
      }));
    }
    return chain;
  }


  @Override
  public Future<Void> close() {
    redis.close();
    return Future.succeededFuture();
  }
}
