package io.llumnix.enginesim.migration;

import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.core.EngineCore;
import io.vertx.core.Vertx;

/** What migrations need of the engine they run in. Every call on the engine's event loop. */
public interface MigrationHost {

  EngineCore core();

  /** The engine's time now, simulated nanoseconds. */
  long nowNanos();

  /** The engine's queues changed: its metrics and status follow, its step loop wakes. */
  void changed();

  /** Runs {@code action} on the engine's event loop {@code simNanos} of simulated time from now. */
  void after(long simNanos, Runnable action);

  Vertx vertx();

  /** The bandwidth, latency and bytes per token that KV copies take. */
  KvTransferSettings kvTransfer();

  /** Whether the engine is stalled (its steps do not finish): it can move nothing. */
  boolean stalled();

  /** The engine, in log lines. */
  String name();
}
