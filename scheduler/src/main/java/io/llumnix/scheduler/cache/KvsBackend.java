package io.llumnix.scheduler.cache;

import java.util.Locale;

/** Where cache-aware scheduling learns which instance holds which prefix: {@code --kvs-backend}. */
public enum KvsBackend {
  /** A Mooncake master's HTTP metadata service ({@code GET /batch_query_keys}). */
  MOONCAKE,
  /** Vineyard's metadata in Redis or Redis Cluster: one sorted set of endpoints per key. */
  V6D,
  /** Each instance's vLLM KV-cache event stream (ZMQ), indexed in the scheduler itself. */
  KV_EVENTS;

  /** The flag value: {@code mooncake}, {@code v6d} or {@code kv-events}. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static KvsBackend of(String value) {
    for (KvsBackend backend : values()) {
      if (backend.flagValue().equals(value)) {
        return backend;
      }
    }
    throw new IllegalArgumentException(
        "--kvs-backend: " + value + " (expected one of: mooncake, v6d, kv-events)");
  }
}
