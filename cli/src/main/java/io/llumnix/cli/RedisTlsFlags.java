package io.llumnix.cli;

import io.llumnix.runtime.redis.RedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pair of TLS flags every Redis client has ({@code --cms-redis-tls} with
 * {@code --cms-redis-tls-ca-file}, and the discovery, sidecar and KVS ones), checked before
 * anything starts, so a typo fails at once with the flag's name rather than at the first
 * connection.
 */
final class RedisTlsFlags {

  private RedisTlsFlags() {}

  /**
   * What {@code flag} (the boolean) and {@code flag + "-ca-file"} ask for.
   *
   * @throws IllegalArgumentException for a CA file without TLS, or one that cannot be read
   */
  static RedisConnection.Tls of(String flag, boolean enabled, String caFile) {
    if (!enabled) {
      if (!caFile.isEmpty()) {
        throw new IllegalArgumentException(flag + "-ca-file " + caFile + " needs " + flag);
      }
      return RedisConnection.Tls.OFF;
    }
    if (!caFile.isEmpty() && !Files.isReadable(Path.of(caFile))) {
      throw new IllegalArgumentException(flag + "-ca-file: " + caFile
          + " is not a readable file (expected: PEM CA certificates)");
    }
    return RedisConnection.Tls.on(caFile);
  }
}
