package io.llumnix.runtime.redis;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a Redis server is and how to log in, as the reference's
 * {@code *-redis-host/-port/-username/-password} flags give it, plus TLS; the one place that
 * turns that into a Vert.x client, for the CMS, discovery, the llumlet and the KVS.
 *
 * @param username the ACL user; empty: {@code default} (only used with a password)
 * @param password empty: no {@code AUTH}
 * @param cluster whether the server is one node of a Redis Cluster (the others are found from
 *     it)
 * @param tls whether and how the connection is encrypted
 */
public record RedisConnection(String host, int port, String username, String password,
    boolean cluster, Tls tls) {

  /**
   * TLS to the server ({@code rediss://}), the server's certificate checked against the JVM's
   * default trust store or the CAs of a PEM file, and its name (or IP address) against the host
   * connected to.
   *
   * @param enabled off: plain TCP, as the reference
   * @param caFile a PEM file of the CA certificates to trust; empty: the JVM's default trust
   */
  public record Tls(boolean enabled, String caFile) {

    /** Plain TCP. */
    public static final Tls OFF = new Tls(false, "");

    public Tls {
      if (!enabled && !caFile.isEmpty()) {
        throw new IllegalArgumentException("Redis TLS CA file " + caFile
            + " given with TLS off (expected: TLS on, or no CA file)");
      }
    }

    /** TLS trusting {@code caFile}, or the JVM's default trust when it is empty. */
    public static Tls on(String caFile) {
      return new Tls(true, caFile);
    }
  }

  /** Without TLS. */
  public RedisConnection(String host, int port, String username, String password,
      boolean cluster) {
    this(host, port, username, password, cluster, Tls.OFF);
  }

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
    return new RedisConnection(host, port, username, password, cluster, tls);
  }

  /** The same server over {@code tls}. */
  public RedisConnection withTls(Tls tls) {
    return new RedisConnection(host, port, username, password, cluster, tls);
  }

  /**
   * Vert.x client options: a small pool, and no waiting forever for a connection.
   *
   * @throws IllegalArgumentException when the TLS CA file cannot be read
   */
  public RedisOptions options() {
    StringBuilder url = new StringBuilder(tls.enabled() ? "rediss://" : "redis://");
    if (!password.isEmpty()) {
      url.append(encode(username)).append(':').append(encode(password)).append('@');
    }
    url.append(host).append(':').append(port);
    RedisOptions options = new RedisOptions().setConnectionString(url.toString())
        .setMaxPoolSize(4).setMaxPoolWaiting(64).setMaxWaitingHandlers(1024);
    if (cluster) {
      options.setType(RedisClientType.CLUSTER);
    }
    if (tls.enabled()) {
      // TLS from the first byte (not upgraded), and the certificate's name checked: without
      // it any certificate the CA signed would do, for any host.
      NetClientOptions net = options.getNetClientOptions().setSsl(true)
          .setHostnameVerificationAlgorithm("HTTPS");
      if (!tls.caFile().isEmpty()) {
        if (!Files.isReadable(Path.of(tls.caFile()))) {
          throw new IllegalArgumentException("Redis TLS CA file " + tls.caFile()
              + ": not readable (expected: a PEM file of CA certificates)");
        }
        net.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile()));
      }
    }
    return options;
  }

  /** A client on {@code vertx}; it connects on first use. */
  public Redis client(Vertx vertx) {
    return Redis.createClient(vertx, options());
  }

  /** The address, never the credentials: this is what logs show. */
  @Override
  public String toString() {
    return host + ":" + port + (cluster ? " (Redis Cluster)" : "")
        + (tls.enabled() ? " (TLS)" : "");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
