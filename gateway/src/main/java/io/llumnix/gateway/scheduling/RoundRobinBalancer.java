package io.llumnix.gateway.scheduling;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.openai.OpenAiError;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Each neutral instance in turn, skipping those a request must avoid. The counter is
 * incremented before use, as the reference's is, so the first pick is instance 1 mod n.
 */
public final class RoundRobinBalancer implements Balancer {

  private final InstanceDirectory directory;
  private final AtomicLong counter = new AtomicLong();

  public RoundRobinBalancer(InstanceDirectory directory) {
    this.directory = directory;
  }

  /** The next instance, or null when there is none. */
  public @Nullable LlmInstance next() {
    return next(Set.of());
  }

  /** The next instance not in {@code avoid} (endpoints), or null when there is none. */
  public @Nullable LlmInstance next(Set<String> avoid) {
    List<LlmInstance> all = directory.instances();
    int n = 0;
    for (LlmInstance instance : all) {
      if (instance.inferType() == InferType.NEUTRAL) {
        n++;
      }
    }
    for (int tries = 0; tries < n; tries++) {
      long pick = Long.remainderUnsigned(counter.incrementAndGet(), n);
      for (LlmInstance instance : all) {
        if (instance.inferType() == InferType.NEUTRAL && pick-- == 0) {
          if (!avoid.contains(instance.endpoint())) {
            return instance;
          }
          break;
        }
      }
    }
    return null;
  }

  @Override
  public Future<Lease> lease(LeaseRequest request) {
    LlmInstance instance = next(request.avoid());
    if (instance == null) {
      return Future.failedFuture(request.avoid().isEmpty()
          ? OpenAiError.of(503, "no available inference worker")
          : OpenAiError.of(502, "every instance failed this request"));
    }
    return Future.succeededFuture(new Lease(request, List.of(instance), Lease.NOBODY));
  }
}
