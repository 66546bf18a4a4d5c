package io.llumnix.discovery;

import io.vertx.redis.client.RedisOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a Redis server is, as the reference's {@code *-redis-host/-port/-username/-password}
 * flags give it.
 */
public record RedisConnection(String host, int port, String username, String password) {

  /** Redis on {@code host:port} without authentication. */
  public static RedisConnection of(String host, int port) {
    return new RedisConnection(host, port, "", "");
  }

  /** Vert.x client options: a small pool, and no waiting forever for a connection. */
  public RedisOptions options() {
    StringBuilder url = new StringBuilder("redis://");
    if (!password.isEmpty()) {
      url.append(encode(username)).append(':').append(encode(password)).append('@');
    }
    url.append(host).append(':').append(port);
    return new RedisOptions().setConnectionString(url.toString()).setMaxPoolSize(4)
        .setMaxPoolWaiting(64).setMaxWaitingHandlers(1024);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
