package io.llumnix.gateway.balance;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.openai.GatewayError;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each neutral instance in turn. The counter is incremented before use, as the reference's is,
 * so the first pick is instance 1 mod n.
 */
public final class RoundRobinBalancer implements Balancer {

  private final InstanceDirectory directory;
  private final AtomicLong counter = new AtomicLong();

  public RoundRobinBalancer(InstanceDirectory directory) {
    this.directory = directory;
  }

  /** How many instances it cycles through. */
  public int size() {
    return directory.instances().size();
  }

  /** The next instance, or null when there is none. */
  public LlmInstance next() {
    List<LlmInstance> all = directory.instances();
    int n = 0;
    for (LlmInstance instance : all) {
      if (instance.inferType() == InferType.NEUTRAL) {
        n++;
      }
    }
    if (n == 0) {
      return null;
    }
    long pick = Long.remainderUnsigned(counter.incrementAndGet(), n);
    for (LlmInstance instance : all) {
      if (instance.inferType() == InferType.NEUTRAL && pick-- == 0) {
        return instance;
      }
    }
    return null;
  }

  @Override
  public Future<LlmInstance> schedule(String id, String model, int promptTokens) {
    LlmInstance instance = next();
    return instance == null
        ? Future.failedFuture(new GatewayError(503, "no available inference worker", null))
        : Future.succeededFuture(instance);
  }
}
