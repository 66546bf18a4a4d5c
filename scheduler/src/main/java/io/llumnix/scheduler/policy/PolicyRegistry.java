package io.llumnix.scheduler.policy;

import io.llumnix.core.instance.InferType;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The dispatch policies by name: an explicit list, filled in {@link #builtins()}; nothing is
 * found by scanning.
 *
 * <pre>{@code
 * DispatchPolicy policy = PolicyRegistry.builtins().create("load-balance", config);
 * }</pre>
 */
public final class PolicyRegistry {

  /** A way to build a policy from configuration. */
  public record Factory(String name, String description,
      Function<PolicyConfig, DispatchPolicy> create) {}

  private final Map<String, Factory> factories = new LinkedHashMap<>();

  private PolicyRegistry() {}

  /** The lite-mode policies: {@code load-balance} and {@code round-robin}. */
  public static PolicyRegistry builtins() {
    PolicyRegistry registry = new PolicyRegistry();
    registry.register(new Factory("load-balance",
        "Least loaded instance by the lite metric (num_requests or num_tokens), among those "
            + "under the type's threshold; all when none is.",
        PolicyRegistry::liteLoadBalance));
    registry.register(new Factory("round-robin", "Each instance in turn, by instance id.",
        config -> perType("round-robin",
            type -> new PolicyProfile(List.of(), List.of(), Selector.roundRobin()))));
    return registry;
  }

  private void register(Factory factory) {
    if (factories.putIfAbsent(factory.name(), factory) != null) {
      throw new IllegalStateException("policy registered twice: " + factory.name());
    }
  }

  /** The registered factories, in registration order. */
  public List<Factory> factories() {
    return List.copyOf(factories.values());
  }

  /**
   * Builds the policy named {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public DispatchPolicy create(String name, PolicyConfig config) {
    Factory factory = factories.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("unknown scheduling policy: " + name
          + " (expected one of: " + factories.keySet() + ")");
    }
    return factory.create().apply(config);
  }

  private static DispatchPolicy liteLoadBalance(PolicyConfig config) {
    return perType("load-balance", type -> {
      Metric metric = Metric.lite(config.loadMetrics().getOrDefault(type, "num_tokens"));
      double threshold = config.loadThresholds().getOrDefault(type, Double.MAX_VALUE);
      return new PolicyProfile(List.of(metric), List.of(Filter.metricBelow(metric, threshold)),
          Selector.metricBased(config.topK(), config.seed() + type.ordinal()));
    });
  }

  private static DispatchPolicy perType(String name, Function<InferType, PolicyProfile> make) {
    Map<InferType, PolicyProfile> profiles = new EnumMap<>(InferType.class);
    for (InferType type : InferType.values()) {
      profiles.put(type, make.apply(type));
    }
    return new DispatchPolicy(name, profiles);
  }
}
