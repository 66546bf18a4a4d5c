package io.llumnix.llumlet.api;

import java.util.Arrays;

/**
 * What bounds a migration's choice of requests ({@code MigrateRequest.migration_type}), and
 * which field of {@code migration_value} carries the bound.
 */
public enum MigrationRule {
  /** At most {@code num_reqs} requests; -1: all of them (an instance being stopped). */
  NUM_REQ,
  /** Requests holding at most {@code num_tokens} tokens together. */
  TOKEN,
  /** Requests holding at most {@code kv_cache_usage_ratio} of the instance's KV cache. */
  RATIO;

  /**
   * The rule named {@code name}, as sent on the wire.
   *
   * @throws IllegalArgumentException for any other name, listing the known ones
   */
  public static MigrationRule of(String name) {
    for (MigrationRule rule : values()) {
      if (rule.name().equals(name)) {
        return rule;
      }
    }
    throw new IllegalArgumentException("migration type: " + name + " (expected one of: "
        + Arrays.toString(values()) + ")");
  }
}
