package io.llumnix.llumlet.api;

import java.util.Arrays;

/**
 * The order a migration chooses requests in ({@code MigrateRequest.migration_req_policy}).
 * "Length" is a request's tokens: its prompt plus its output so far.
 */
public enum MigrationOrder {
  /** Last come, running: the newest running requests first. */
  LCR,
  /** First come, running: the oldest running requests first. */
  FCR,
  /** Longest running requests first. */
  LR,
  /** Shortest running requests first. */
  SR,
  /** First come, waiting: waiting requests, oldest first. */
  FCW,
  /** Waiting requests oldest first, then running requests shortest first. */
  FCWSR;

  /**
   * The order named {@code name}, as sent on the wire.
   *
   * @throws IllegalArgumentException for any other name, listing the known ones
   */
  public static MigrationOrder of(String name) {
    for (MigrationOrder order : values()) {
      if (order.name().equals(name)) {
        return order;
      }
    }
    throw new IllegalArgumentException("migration request policy: " + name
        + " (expected one of: " + Arrays.toString(values()) + ")");
  }
}
