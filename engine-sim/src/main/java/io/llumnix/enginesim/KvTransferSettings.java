package io.llumnix.enginesim;

import java.util.Locale;

/**
 * How an engine takes part in disaggregated prefill: its role, and the simulated KV transfer
 * between instances.
 *
 * @param role which side of a disaggregated request this engine serves
 * @param bytesPerToken KV bytes per token (2 · layers · kv heads · head dim · 2 bytes)
 * @param bandwidthGigabytesPerSecond transfer bandwidth between instances
 * @param latencyMillis fixed latency per transfer
 * @param holdTimeoutMillis how long a prefill engine keeps a finished request's blocks for the
 *     decode engine to fetch
 * @param timeoutMillis how long a decode engine waits for the prefill engine
 */
public record KvTransferSettings(Role role, long bytesPerToken, double bandwidthGigabytesPerSecond,
    double latencyMillis, long holdTimeoutMillis, long timeoutMillis) {

  /** vLLM's kv roles: a neutral engine serves both sides. */
  public enum Role {
    NEUTRAL, PREFILL, DECODE;

    /** The role named {@code name} ({@code neutral}, {@code prefill}, {@code decode}). */
    public static Role of(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "kv role: " + name + " (expected one of: [neutral, prefill, decode])", e);
      }
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Llama-3.1-8B's 128 KiB per token over a 25 GB/s link. */
  public static final KvTransferSettings DEFAULT =
      new KvTransferSettings(Role.NEUTRAL, 131_072, 25, 1, 120_000, 120_000);

  public KvTransferSettings {
    if (bytesPerToken < 0 || !(bandwidthGigabytesPerSecond > 0) || latencyMillis < 0
        || holdTimeoutMillis < 0 || timeoutMillis <= 0) {
      throw new IllegalArgumentException("kv transfer settings: " + bytesPerToken + " B/token, "
          + bandwidthGigabytesPerSecond + " GB/s, " + latencyMillis + " ms, hold "
          + holdTimeoutMillis + " ms, timeout " + timeoutMillis
          + " ms (expected: bandwidth > 0, timeout > 0, the rest >= 0)");
    }
  }

  /** Simulated nanoseconds to move the KV of {@code tokens} tokens. */
  public long transferNanos(int tokens) {
    double seconds = tokens * (double) bytesPerToken / (bandwidthGigabytesPerSecond * 1e9);
    return Math.round(seconds * 1e9 + latencyMillis * 1e6);
  }

  /** A copy with another role. */
  public KvTransferSettings withRole(Role newRole) {
    return new KvTransferSettings(newRole, bytesPerToken, bandwidthGigabytesPerSecond,
        latencyMillis, holdTimeoutMillis, timeoutMillis);
  }
}
