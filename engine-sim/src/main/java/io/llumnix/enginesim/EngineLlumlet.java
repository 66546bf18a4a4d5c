package io.llumnix.enginesim;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.enginesim.cache.CachePublishers;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.EngineMetadata;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.enginesim.migration.EngineMigrations;
import io.llumnix.runtime.VertxClock;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The llumlet beside one engine, when the engine writes the CMS: its gRPC service (the
 * rescheduler's way in) and the writer of the engine's records. Without a CMS every call does
 * nothing, so the engine calls it unconditionally. Used on the engine's event loop only.
 */
final class EngineLlumlet {

  private final @Nullable CmsStore cms;
  private final @Nullable CmsTarget target;
  private @Nullable Llumlet llumlet;
  private int port;

  EngineLlumlet(@Nullable CmsStore cms, @Nullable CmsTarget target) {
    this.cms = cms;
    this.target = target;
  }

  /** The gRPC port; 0 without a llumlet. */
  int port() {
    return port;
  }

  /**
   * Serves the llumlet's gRPC service on the port the CMS target gives engine {@code index};
   * failed when that port cannot be bound.
   */
  Future<Void> serve(EngineMigrations migrations, String host, int index, Context engine,
      Consumer<String> abort) {
    if (target == null) {
      return Future.succeededFuture();
    }
    try {
      port = migrations.serve(host, target.migration().portOf(index), engine, abort);
      return Future.succeededFuture();
    } catch (IOException e) {
      return Future.failedFuture(new IllegalStateException("llumlet gRPC port "
          + target.migration().portOf(index) + ": " + e.getMessage(), e));
    }
  }

  /** Writes the engine's metadata, then its status as it changes. */
  Future<?> start(Vertx vertx, EngineSettings settings, int httpPort, int kvTransferPort,
      CachePublishers publishers, EngineCore core, EngineMigrations migrations) {
    if (cms == null || target == null) {
      return Future.succeededFuture();
    }
    String ip = target.advertiseHost();
    InstanceMetadata metadata = EngineMetadata.of(ip + ":" + httpPort,
            settings.kvTransfer().role().name().toLowerCase(Locale.ROOT), ip, httpPort,
            kvTransferPort, settings.core(), System.currentTimeMillis() / 1000.0)
        .setKvEventsEndpoint(Objects.requireNonNullElse(publishers.eventsEndpoint(ip), ""))
        .setKvEventsReplayEndpoint(Objects.requireNonNullElse(publishers.replayEndpoint(ip), ""))
        .setLlumletPort(port)
        .build();
    llumlet = new Llumlet(VertxClock.of(vertx), cms, target.settings(), metadata, core);
    llumlet.migrations(migrations);
    return llumlet.start();
  }

  void changed() {
    if (llumlet != null) {
      llumlet.changed();
    }
  }

  void onArrival(String requestId) {
    if (llumlet != null) {
      llumlet.onArrival(requestId);
    }
  }

  void onStepDone() {
    if (llumlet != null) {
      llumlet.onStepDone();
    }
  }

  /** Fault injection: stops writing without removing the records, as a crashed llumlet. */
  void halt() {
    if (llumlet != null) {
      llumlet.halt();
    }
  }

  /** Reports the engine unschedulable, so the rescheduler moves its requests out. */
  void drain() {
    if (llumlet != null) {
      llumlet.drain();
    }
  }

  /** Removes the records; never fails. */
  Future<?> close() {
    return llumlet == null ? Future.succeededFuture()
        : llumlet.close().recover(e -> Future.succeededFuture());
  }
}
