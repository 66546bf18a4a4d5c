package io.llumnix.simulator.cluster;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.enginesim.migration.MigrationSelector;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.llumlet.api.MigrateResponse;
import io.llumnix.llumlet.api.MigrationRule;
import io.llumnix.scheduler.rescheduling.LlumletClient;
import io.llumnix.scheduler.rescheduling.MigrationPair;
import io.llumnix.simulator.time.VirtualTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The simulated engines' llumlets as the rescheduler reaches them in a simulation: a
 * {@code Migrate} chooses requests as the engine simulator's llumlet does
 * ({@link MigrationSelector}) and moves them in virtual time, as its live migration does — a
 * running request keeps decoding on the source while its blocks are copied (blocks × block
 * bytes ÷ bandwidth), then stops for the last block's copy and the link's latency and goes on
 * at the destination with its KV; a waiting one moves at once and computes there. A
 * destination without room leaves the request at the source. One move out of an engine at a
 * time, as {@code --max-req-mig-out} 1 (−1, a drain, queues them all).
 */
public final class SimLlumlets implements LlumletClient {

  private final VirtualTime time;
  private final Map<String, SimEngine> engines = new HashMap<>();
  private final KvTransferSettings kv;
  private final Set<String> moving = new HashSet<>();
  private final Map<String, Integer> outgoing = new HashMap<>();

  public SimLlumlets(VirtualTime time, List<SimEngine> engines, KvTransferSettings kv) {
    this.time = time;
    this.kv = kv;
    engines.forEach(e -> this.engines.put(e.id(), e));
  }

  @Override
  public void migrate(MigrationPair pair, long deadlineSeconds,
      StreamObserver<MigrateResponse> answer) {
    SimEngine src = engines.get(pair.srcId());
    SimEngine dst = engines.get(pair.dstId());
    if (src == null || dst == null) {
      answer.onError(Status.UNAVAILABLE.withDescription("no such engine").asRuntimeException());
      return;
    }
    MigrateRequest request = pair.request();
    MigrationRule rule = MigrationRule.of(request.getMigrationType());
    long numReqs = rule == MigrationRule.NUM_REQ ? request.getNumReqs() : 1;
    if (numReqs >= 0 && outgoing.getOrDefault(src.id(), 0) > 0) {
      answer.onError(Status.RESOURCE_EXHAUSTED.withDescription("a migration of " + src.id()
          + " is under way").asRuntimeException());
      return;
    }
    List<SimRequest> chosen = MigrationSelector.choose(src.core(), request, moving::contains);
    chosen.forEach(r -> move(src, dst, r));
    answer.onNext(MigrateResponse.newBuilder().setSuccess(!chosen.isEmpty()).build());
    answer.onCompleted();
  }

  private void move(SimEngine src, SimEngine dst, SimRequest request) {
    moving.add(request.id());
    outgoing.merge(src.id(), 1, Integer::sum);
    boolean running = request.status() == SimRequest.Status.RUNNING;
    long precopy = running ? copyNanos(request.numComputedTokens()) : 0;
    time.at(time.nanoTime() + precopy, () -> {
      SimRequest detached = request.finishReason() == null ? src.release(request.id()) : null;
      if (detached == null) {
        done(src, request); // finished or aborted meanwhile
        return;
      }
      long downtime = running ? copyNanos(src.core().config().blockSize()) : 0;
      time.at(time.nanoTime() + downtime, () -> {
        long age = time.nanoTime() - request.arrivalNanos();
        if (!dst.adopt(request, running, age) && !src.adopt(request, running, age)) {
          src.adopt(request, false, age); // its KV fits nowhere now: it computes again
        }
        done(src, request);
      });
    });
  }

  private void done(SimEngine src, SimRequest request) {
    moving.remove(request.id());
    outgoing.merge(src.id(), -1, Integer::sum);
  }

  /** Copying the KV of {@code tokens} tokens, with the link's latency. */
  private long copyNanos(int tokens) {
    return kv.transferNanos(tokens);
  }
}
