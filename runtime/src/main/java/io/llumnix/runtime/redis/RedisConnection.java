package io.llumnix.runtime.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a Redis server is and how to log in, as the reference's
 * {@code *-redis-host/-port/-username/-password} flags give it; the one place that turns that
 * into a Vert.x client, for the CMS, discovery and the llumlet.
 *
 * @param cluster whether the server is one node of a Redis Cluster (the others are found from
 *     it)
 */
public record RedisConnection(String host, int port, String username, String password,
    boolean cluster) {

  /** Redis on {@code host:port} without authentication. */
  public static RedisConnection of(String host, int port) {
    return new RedisConnection(host, port, "", "", false);
  }

  /** A standalone Redis with these credentials. */
  public static RedisConnection of(String host, int port, String username, String password) {
    return new RedisConnection(host, port, username, password, false);
  }

  /** The same server as one node of a Redis Cluster when {@code cluster}. */
  public RedisConnection withCluster(boolean cluster) {
    return new RedisConnection(host, port, username, password, cluster);
  }

  /** Vert.x client options: a small pool, and no waiting forever for a connection. */
  public RedisOptions options() {
    StringBuilder url = new StringBuilder("redis://");
    if (!password.isEmpty()) {
      url.append(encode(username)).append(':').append(encode(password)).append('@');
    }
    url.append(host).append(':').append(port);
    RedisOptions options = new RedisOptions().setConnectionString(url.toString())
        .setMaxPoolSize(4).setMaxPoolWaiting(64).setMaxWaitingHandlers(1024);
    if (cluster) {
      options.setType(RedisClientType.CLUSTER);
    }
    return options;
  }

  /** A client on {@code vertx}; it connects on first use. */
  public Redis client(Vertx vertx) {
    return Redis.createClient(vertx, options());
  }

  @Override
  public String toString() {
    return host + ":" + port + (cluster ? " (Redis Cluster)" : "");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
