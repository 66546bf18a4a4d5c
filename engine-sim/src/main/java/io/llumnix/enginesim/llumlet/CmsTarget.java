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
   */
  public record MigrationSettings(int rpcPort, int maxIn, int maxOut, long handlerTimeoutMillis) {

    /** The reference's: a free port, one migration in and one out at a time, 5 s. */
    public static final MigrationSettings DEFAULT = new MigrationSettings(-1, 1, 1, 5000);

    public MigrationSettings {
      if (maxIn < 1 || maxOut < 1 || handlerTimeoutMillis <= 0) {
        throw new IllegalArgumentException("migration settings: in " + maxIn + ", out " + maxOut
            + ", timeout " + handlerTimeoutMillis + " ms (expected: >= 1, >= 1, > 0)");
      }
    }

    /** The port instance {@code index} serves on (0: a free one). */
    public int portOf(int index) {
      return rpcPort <= 0 ? 0 : rpcPort + index;
    }
  }
}
