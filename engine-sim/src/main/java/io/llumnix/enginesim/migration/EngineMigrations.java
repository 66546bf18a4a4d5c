package io.llumnix.enginesim.migration;

import io.grpc.Server;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.vertx.core.Context;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One engine's part in migrations: it receives them on its KV-transfer port
 * ({@link MigrationIn}), sends them ({@link MigrationOut}), and, with its llumlet, serves the
 * llumlet's gRPC service ({@link LlumletService}) whose port the CMS metadata names.
 */
public final class EngineMigrations implements Llumlet.Migrations {

  private final MigrationIn in;
  private final MigrationOut out;
  private final MigrationHost host;
  private final CmsTarget.MigrationSettings settings;
  private @Nullable Server grpc;

  public EngineMigrations(MigrationHost host, CmsTarget.MigrationSettings settings) {
    this.host = host;
    this.settings = settings;
    this.in = new MigrationIn(host, settings.maxIn(),
        settings.detailed() ? settings.maxTokensIn() : Long.MAX_VALUE);
    this.out = new MigrationOut(host, host.vertx().createHttpClient(), settings.maxOut());
  }

  /** Receives migrations on the KV-transfer port's {@code router}. */
  public void mount(Router kvRouter) {
    in.mount(kvRouter);
  }

  /**
   * Serves the llumlet's gRPC service on {@code bindHost:port} (0: a free port).
   *
   * @param abort aborts a request of the engine by id
   * @return the port it listens on
   */
  public int serve(String bindHost, int port, Context engine, Consumer<String> abort)
      throws IOException {
    grpc = new LlumletService(host, out, this::availableOutTokens, engine,
        settings.handlerTimeoutMillis(), abort).serve(bindHost, port);
    return grpc.getPort();
  }

  /** Whether request {@code id} is moving, or continues elsewhere. */
  public boolean migrating(String id) {
    return out.migrating(id);
  }

  /** The client of request {@code id} left: its move stops, or the engine it went to aborts. */
  public void abort(String id) {
    out.abort(id);
  }

  /** Requests whose tokens still come from the engines they moved to. */
  public int continuingElsewhere() {
    return out.continuingElsewhere();
  }

  /** The last move's stop-the-world time, simulated nanoseconds; −1 before any. */
  public long lastStopTheWorldNanos() {
    return out.lastStopTheWorldNanos();
  }

  /** Tokens a {@code Migrate} may still send (detailed status), else Long.MAX_VALUE. */
  public long availableOutTokens() {
    return settings.detailed() ? Math.max(0, settings.maxTokensOut() - out.tokensOut())
        : Long.MAX_VALUE;
  }

  @Override
  public void fill(InstanceStatus.Builder status) {
    status.setNumMigrateInReqs(in.migratingIn()).setNumMigrateOutReqs(out.migratingOut())
        .setNumAvailableMigrateInSlots(in.availableIn())
        .setNumAvailableMigrateOutSlots(out.availableOut());
    if (settings.detailed()) {
      double kvTokens = host.core().config().numGpuBlocks()
          * (double) host.core().config().blockSize();
      double ratioIn = in.tokensIn() / kvTokens;
      double ratioOut = out.tokensOut() / kvTokens;
      status.setNumMigrateInTokens((int) in.tokensIn())
          .setNumMigrateOutTokens((int) out.tokensOut())
          .setNumAvailableMigrateInTokens((int) Math.max(0,
              settings.maxTokensIn() - in.tokensIn()))
          .setNumAvailableMigrateOutTokens((int) availableOutTokens())
          .setKvCacheUsageRatioMigrateIn(ratioIn).setKvCacheUsageRatioMigrateOut(ratioOut)
          .setAvailableKvCacheUsageRatioMigrateIn(Math.max(0, settings.maxRatioIn() - ratioIn))
          .setAvailableKvCacheUsageRatioMigrateOut(
              Math.max(0, settings.maxRatioOut() - ratioOut));
    }
  }

  /** Stops the gRPC service. */
  public void close() {
    Server server = grpc;
    if (server != null) {
      LlumletService.stop(server, 2000);
    }
  }
}
