package io.llumnix.scheduler.rescheduling;

import io.grpc.stub.StreamObserver;
import io.llumnix.llumlet.api.MigrateResponse;
import java.util.List;
import java.util.function.Predicate;

/**
 * How the rescheduler reaches llumlets: over gRPC, a channel per instance
 * ({@link LlumletChannels}), or, in a simulation, the simulated engines themselves.
 */
public interface LlumletClient extends AutoCloseable {

  /**
   * Sends {@code pair}'s Migrate to its source's llumlet; {@code answer} hears the reply, or
   * the failure. Never blocks.
   */
  void migrate(MigrationPair pair, long deadlineSeconds, StreamObserver<MigrateResponse> answer);

  /** Lets go of the instances {@code gone} says have left the CMS. */
  default void forget(Predicate<String> gone) {}

  /** Instances it holds a connection to, least recently used first. */
  default List<String> instanceIds() {
    return List.of();
  }

  @Override
  default void close() {}
}
