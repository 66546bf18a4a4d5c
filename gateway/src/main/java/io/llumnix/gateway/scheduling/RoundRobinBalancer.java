package io.llumnix.gateway.scheduling;

import io.llumnix.core.instance.Cooldown;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.openai.OpenAiError;
import io.vertx.core.Future;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Each instance of a type in turn, skipping those a request must avoid: neutral requests go
 * to neutral instances; prefill/decode requests get {@code [next prefill, next decode]}
 * (pd_batch), or the next prefill now and the next decode after the prefill (pd_staged). Each
 * type has its own counter, incremented before use as the reference's is, so the first pick
 * is instance 1 mod n. An instance that failed a request it leased at the transport level is
 * passed over while it cools down, unless every other one must be avoided or cools down too.
 */
public final class RoundRobinBalancer implements Balancer {

  private final InstanceDirectory directory;
  private final Map<InferType, AtomicLong> counters = new EnumMap<>(InferType.class);
  private final AtomicLong anyCounter = new AtomicLong();
  private final Cooldown cooldown;

  /** Leases granted here: their failures start cooldowns. */
  private final Lease.Holder plain = new Lease.Holder() {
    @Override
    public void failed(Lease lease, LlmInstance instance) {
      RoundRobinBalancer.this.failed(instance);
    }
  };

  /** The decode stage of a pd_staged lease granted here. */
  private final Lease.Holder staged = new Lease.Holder() {
    @Override
    public Future<LlmInstance> decode(Lease lease) {
      return pick(InferType.DECODE, lease.request().avoid());
    }

    @Override
    public void failed(Lease lease, LlmInstance instance) {
      RoundRobinBalancer.this.failed(instance);
    }
  };

  /** Round-robin without cooldowns. */
  public RoundRobinBalancer(InstanceDirectory directory) {
    this(directory, Cooldown.NONE);
  }

  /** @param cooldown how instances that failed are passed over */
  public RoundRobinBalancer(InstanceDirectory directory, Cooldown cooldown) {
    this.directory = directory;
    this.cooldown = cooldown;
    for (InferType type : InferType.values()) {
      counters.put(type, new AtomicLong());
    }
  }

  /** The next instance of any type (for what every engine answers alike), or null. */
  public @Nullable LlmInstance next() {
    List<LlmInstance> all = directory.instances();
    return all.isEmpty() ? null
        : all.get((int) Long.remainderUnsigned(anyCounter.incrementAndGet(), all.size()));
  }

  /** {@code instance} failed a request at the transport level: it cools down. */
  public void failed(LlmInstance instance) {
    cooldown.failed(instance.endpoint());
  }

  /**
   * The next instance of {@code type} not in {@code avoid} (endpoints) nor cooling down; else
   * the next one not in {@code avoid}; else null.
   */
  public @Nullable LlmInstance next(InferType type, Set<String> avoid) {
    List<LlmInstance> all = directory.instances();
    int n = 0;
    for (LlmInstance instance : all) {
      if (instance.inferType() == type) {
        n++;
      }
    }
    AtomicLong counter = counters.get(type);
    @Nullable LlmInstance cooling = null;
    for (int tries = 0; tries < n; tries++) {
      long pick = Long.remainderUnsigned(counter.incrementAndGet(), n);
      for (LlmInstance instance : all) {
        if (instance.inferType() == type && pick-- == 0) {
          if (avoid.contains(instance.endpoint())) {
            break;
          }
          if (!cooldown.cooling(instance.endpoint())) {
            return instance;
          }
          if (cooling == null) {
            cooling = instance;
          }
          break;
        }
      }
    }
    return cooling;
  }

  @Override
  public Future<Lease> lease(LeaseRequest request) {
    return switch (request.mode()) {
      case NEUTRAL -> pick(InferType.NEUTRAL, request.avoid())
          .map(n -> new Lease(request, List.of(n), plain));
      case PD_BATCH -> pick(InferType.PREFILL, request.avoid()).compose(p ->
          pick(InferType.DECODE, request.avoid())
              .map(d -> new Lease(request, List.of(p, d), plain)));
      case PD_STAGED -> pick(InferType.PREFILL, request.avoid())
          .map(p -> new Lease(request, List.of(p), staged));
    };
  }

  private Future<LlmInstance> pick(InferType type, Set<String> avoid) {
    LlmInstance instance = next(type, avoid);
    if (instance != null) {
      return Future.succeededFuture(instance);
    }
    return Future.failedFuture(avoid.isEmpty()
        ? OpenAiError.of(503, "no available inference worker")
        : OpenAiError.of(502, "every " + type.label() + " instance failed this request"));
  }
}
