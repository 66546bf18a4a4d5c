package io.llumnix.enginesim.llumlet;

import io.llumnix.cms.CmsStore;
import io.vertx.core.Vertx;
import java.util.function.Function;

/**
 * Where and how the simulator's llumlets publish.
 *
 * @param store opens the CMS store on the simulator's Vert.x (each engine process shares one)
 * @param settings publishing intervals and timeouts
 * @param advertiseHost the address written as the instance's {@code ip}: one gateways reach
 * @param migration the llumlet's gRPC port and migration slots
 */
public record CmsTarget(Function<Vertx, CmsStore> store, Llumlet.Settings settings,
    String advertiseHost, MigrationSettings migration) {

  /** Publishing with the default migration settings. */
  public CmsTarget(Function<Vertx, CmsStore> store, Llumlet.Settings settings,
      String advertiseHost) {
    this(store, settings, advertiseHost, MigrationSettings.DEFAULT);
  }

  /**
   * The llumlet's gRPC service and its limits on migrations.
   *
   * @param rpcPort {@code LLUMNIX_RPC_PORT}: instance {@code i} serves on this plus {@code i};
   *     0 or −1 (the reference's default): a free port
   * @param maxIn {@code LLUMNIX_MAX_REQ_MIG_IN}: migrations accepted at once
   * @param maxOut {@code LLUMNIX_MAX_REQ_MIG_OUT}: migrations sent at once
   * @param handlerTimeoutMillis a {@code Migrate} the engine does not answer within this fails
   *     with DEADLINE_EXCEEDED
   * @param detailed {@code LLUMNIX_DETAILED_MIG_STATUS}: the status also counts the tokens and
   *     the KV-cache share moving, and those bound migrations too
   * @param maxTokensIn {@code LLUMNIX_MAX_TOKEN_MIG_IN}: tokens accepted at once (detailed)
   * @param maxTokensOut {@code LLUMNIX_MAX_TOKEN_MIG_OUT}: tokens sent at once (detailed)
   * @param maxRatioIn {@code LLUMNIX_MAX_KV_CACHE_USAGE_RATIO_MIG_IN} (detailed)
   * @param maxRatioOut {@code LLUMNIX_MAX_KV_CACHE_USAGE_RATIO_MIG_OUT} (detailed)
   */
  public record MigrationSettings(int rpcPort, int maxIn, int maxOut, long handlerTimeoutMillis,
      boolean detailed, long maxTokensIn, long maxTokensOut, double maxRatioIn,
      double maxRatioOut) {

    /** The reference's: a free port, one migration in and one out at a time, 5 s. */
    public static final MigrationSettings DEFAULT =
        new MigrationSettings(-1, 1, 1, 5000, false, 100_000, 100_000, 0.3, 0.3);

    public MigrationSettings {
      if (maxIn < 1 || maxOut < 1 || handlerTimeoutMillis <= 0 || maxTokensIn < 0
          || maxTokensOut < 0 || !(maxRatioIn >= 0) || !(maxRatioOut >= 0)) {
        throw new IllegalArgumentException("migration settings: in " + maxIn + ", out "
            + maxOut + ", timeout " + handlerTimeoutMillis + " ms, tokens " + maxTokensIn + "/"
            + maxTokensOut + ", ratios " + maxRatioIn + "/" + maxRatioOut
            + " (expected: slots >= 1, timeout > 0, the rest >= 0)");
      }
    }

    /** Without the detailed status, the reference's limits on tokens and ratios. */
    public MigrationSettings(int rpcPort, int maxIn, int maxOut, long handlerTimeoutMillis) {
      this(rpcPort, maxIn, maxOut, handlerTimeoutMillis, false, DEFAULT.maxTokensIn(),
          DEFAULT.maxTokensOut(), DEFAULT.maxRatioIn(), DEFAULT.maxRatioOut());
    }

    /** The port instance {@code index} serves on (0: a free one). */
    public int portOf(int index) {
      return rpcPort <= 0 ? 0 : rpcPort + index;
    }
  }
}
