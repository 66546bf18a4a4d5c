package io.llumnix.scheduler.rescheduling;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.llumnix.llumlet.api.LlumletGrpc;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.llumlet.api.MigrateResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A llumlet's gRPC server on a free loopback port that records every Migrate (with the
 * deadline it came with) and answers as told: success, {@code success=false}, an error status,
 * or not at all (the caller's deadline then ends the call).
 */
final class FakeLlumlet implements AutoCloseable {

  /** A Migrate as it arrived, with the milliseconds its deadline left (-1: none). */
  record Received(MigrateRequest request, long deadlineMillis) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Server server;
  private volatile @Nullable Status failure;
  private volatile boolean declines;
  private volatile boolean hangs;

  FakeLlumlet() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new LlumletGrpc.LlumletImplBase() {
          @Override
          public void migrate(MigrateRequest request,
              StreamObserver<MigrateResponse> response) {
            Deadline deadline = Context.current().getDeadline();
            received.add(new Received(request,
                deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS)));
            Status status = failure;
            if (hangs) {
              return; // never answers
            }
            if (status != null) {
              response.onError(status.asRuntimeException());
              return;
            }
            response.onNext(MigrateResponse.newBuilder().setSuccess(!declines)
                .setMessage(declines ? "Migration failed due to enginecore can not find "
                    + "expected requests." : "").build());
            response.onCompleted();
          }
        }).build().start();
  }

  int port() {
    return server.getPort();
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /** Answers every Migrate with {@code status} (null: succeed again). */
  void fail(@Nullable Status status) {
    this.failure = status;
  }

  /** Answers {@code success=false}, as an engine with nothing to move does. */
  void decline(boolean declines) {
    this.declines = declines;
  }

  void hang(boolean hangs) {
    this.hangs = hangs;
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
