package io.llumnix.enginesim.migration;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.llumlet.api.AbortRequests;
import io.llumnix.llumlet.api.AbortResponse;
import io.llumnix.llumlet.api.LlumletGrpc;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.llumlet.api.MigrateResponse;
import io.llumnix.llumlet.api.MigrationOrder;
import io.llumnix.llumlet.api.MigrationRule;
import io.vertx.core.Context;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The llumlet's gRPC service ({@code llumlet.Llumlet}) for one engine: {@code Migrate} chooses
 * requests by rule and order and queues their moves to the destination, {@code Abort} aborts
 * requests by id.
 *
 * <p>Status codes, as the reference's: an unknown {@code migration_type} or policy, or a value
 * that does not match the type, is {@code INVALID_ARGUMENT}; more requests than free
 * migrate-out slots is {@code RESOURCE_EXHAUSTED} ({@code num_reqs} −1, an instance being
 * stopped, takes them all whatever the slots); an engine that does not answer within the
 * handler timeout (5 s) is {@code DEADLINE_EXCEEDED}; an engine that fails (stalled, or an
 * error while choosing) is {@code INTERNAL}. The answer comes once requests are chosen: the moves go on after it.
 */
public final class LlumletService extends LlumletGrpc.LlumletImplBase {

  private final MigrationHost host;
  private final MigrationOut out;
  private final LongSupplier availableOutTokens;
  private final Context engine;
  private final long handlerTimeoutMillis;
  private final Consumer<String> abort;

  /**
   * @param availableOutTokens tokens the engine may still send (detailed status; else
   *     Long.MAX_VALUE): a TOKEN or RATIO bound above it is RESOURCE_EXHAUSTED
   * @param engine the engine's event loop, where choosing and aborting run
   * @param abort aborts a request of the engine by id (as a client that leaves would)
   */
  public LlumletService(MigrationHost host, MigrationOut out, LongSupplier availableOutTokens,
      Context engine, long handlerTimeoutMillis, Consumer<String> abort) {
    this.host = host;
    this.out = out;
    this.availableOutTokens = availableOutTokens;
    this.engine = engine;
    this.handlerTimeoutMillis = handlerTimeoutMillis;
    this.abort = abort;
  }

  /** Serves this service on {@code host:port} (0: a free port). */
  public Server serve(String bindHost, int port) throws IOException {
    return NettyServerBuilder.forAddress(new InetSocketAddress(bindHost, port)).addService(this)
        .build().start();
  }

  @Override
  public void migrate(MigrateRequest request, StreamObserver<MigrateResponse> observer) {
    MigrationRule rule;
    try {
      rule = MigrationRule.of(request.getMigrationType());
      MigrationOrder.of(request.getMigrationReqPolicy());
    } catch (IllegalArgumentException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage())
          .asRuntimeException());
      return;
    }
    MigrateRequest.MigrationValueCase expected = switch (rule) {
      case NUM_REQ -> MigrateRequest.MigrationValueCase.NUM_REQS;
      case TOKEN -> MigrateRequest.MigrationValueCase.NUM_TOKENS;
      case RATIO -> MigrateRequest.MigrationValueCase.KV_CACHE_USAGE_RATIO;
    };
    if (request.getMigrationValueCase() != expected) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription("migration_type " + rule
          + " needs " + expected.name().toLowerCase(java.util.Locale.ROOT) + ", got "
          + request.getMigrationValueCase()).asRuntimeException());
      return;
    }
    if (request.getDstEngineIp().isEmpty() || request.getDstEnginePort() <= 0) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription("dst_engine_ip:dst_engine_port "
          + request.getDstEngineIp() + ":" + request.getDstEnginePort() + " is no address")
          .asRuntimeException());
      return;
    }
    long numReqs = rule == MigrationRule.NUM_REQ ? request.getNumReqs() : 1;
    AtomicBoolean answered = new AtomicBoolean();
    long timer = host.vertx().setTimer(handlerTimeoutMillis, t -> {
      if (answered.compareAndSet(false, true)) {
        observer.onError(Status.DEADLINE_EXCEEDED.withDescription("the engine did not answer "
            + "within " + handlerTimeoutMillis + " ms").asRuntimeException());
      }
    });
    engine.runOnContext(ignored -> {
      MigrateResponse response;
      Status failure = null;
      try {
        if (host.stalled()) {
          failure = Status.INTERNAL.withDescription(host.name() + " is stalled: its steps do "
              + "not finish, so it can move nothing");
          response = null;
        } else if (numReqs >= 0 && numReqs > out.availableOut()) {
          failure = Status.RESOURCE_EXHAUSTED.withDescription(numReqs + " request(s) asked, "
              + out.availableOut() + " migrate-out slot(s) free");
          response = null;
        } else if (rule != MigrationRule.NUM_REQ && tokensAsked(request, rule)
            > availableOutTokens.getAsLong()) {
          failure = Status.RESOURCE_EXHAUSTED.withDescription(tokensAsked(request, rule)
              + " tokens asked, " + availableOutTokens.getAsLong() + " may migrate out");
          response = null;
        } else {
          List<SimRequest> chosen = MigrationSelector.choose(host.core(), request,
              out::migrating);
          for (SimRequest r : chosen) {
            out.enqueue(r, request.getDstEngineIp(), request.getDstEnginePort());
          }
          response = MigrateResponse.newBuilder().setSuccess(!chosen.isEmpty())
              .setMessage(chosen.isEmpty()
                  ? "Migration failed due to enginecore can not find expected requests."
                  : "migrating " + chosen.size() + " request(s) to " + request.getDstEngineIp()
                      + ":" + request.getDstEnginePort())
              .build();
        }
      } catch (RuntimeException e) {
        failure = Status.INTERNAL.withDescription("the engine failed: " + e).withCause(e);
        response = null;
      }
      host.vertx().cancelTimer(timer);
      if (answered.compareAndSet(false, true)) {
        if (failure != null) {
          observer.onError(failure.asRuntimeException());
        } else {
          observer.onNext(response);
          observer.onCompleted();
        }
      }
    });
  }

  private long tokensAsked(MigrateRequest request, MigrationRule rule) {
    return MigrationSelector.budget(request, rule, host.core().config());
  }

  @Override
  public void abort(AbortRequests request, StreamObserver<AbortResponse> observer) {
    engine.runOnContext(ignored -> {
      try {
        request.getRequestIdsList().forEach(abort);
        observer.onNext(AbortResponse.newBuilder().setSuccess(true)
            .setMessage("aborted " + request.getRequestIdsCount() + " request(s)").build());
        observer.onCompleted();
      } catch (RuntimeException e) {
        observer.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
      }
    });
  }

  /** Waits for {@code server} to stop, at most {@code millis}. */
  public static void stop(Server server, long millis) {
    server.shutdown();
    try {
      if (!server.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }
}
