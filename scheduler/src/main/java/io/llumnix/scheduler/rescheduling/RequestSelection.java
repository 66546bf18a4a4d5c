package io.llumnix.scheduler.rescheduling;

import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.llumlet.api.MigrationOrder;
import io.llumnix.llumlet.api.MigrationRule;

/**
 * Which requests a migration asks the source engine to move: those {@code order} comes to
 * first, within the bound {@code value} that {@code rule} names (a number of requests, of
 * tokens, or a share of the KV cache).
 *
 * @param value for {@link MigrationRule#NUM_REQ} and {@link MigrationRule#TOKEN} sent as a
 *     whole number ({@code -1} requests: all of them); for {@link MigrationRule#RATIO} as a
 *     float
 */
public record RequestSelection(MigrationRule rule, MigrationOrder order, double value) {

  /** What failover asks: every request, longest first (the reference's pre-stop migration). */
  public static final RequestSelection FAILOVER =
      new RequestSelection(MigrationRule.NUM_REQ, MigrationOrder.LR, -1);

  /** Sets {@code migration_type}, {@code migration_req_policy} and the value's oneof field. */
  public MigrateRequest.Builder applyTo(MigrateRequest.Builder request) {
    request.setMigrationType(rule.name()).setMigrationReqPolicy(order.name());
    // Whole numbers truncate as the reference's int64(float32) conversion does.
    return switch (rule) {
      case NUM_REQ -> request.setNumReqs((long) value);
      case TOKEN -> request.setNumTokens((long) value);
      case RATIO -> request.setKvCacheUsageRatio((float) value);
    };
  }
}
