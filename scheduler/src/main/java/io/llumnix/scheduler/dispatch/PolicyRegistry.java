package io.llumnix.scheduler.dispatch;

import io.llumnix.core.time.Clock;
import io.llumnix.scheduler.cms.FullModePolicies;
import io.llumnix.scheduler.lrs.LitePolicies;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.InstanceView;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.scheduler.policy.PolicyProfile;
import io.llumnix.scheduler.policy.Selector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The dispatch policies by mode and name: an explicit list, filled in {@link #builtins()};
 * nothing is found by scanning. A new policy is one factory and one {@code register} line.
 *
 * <pre>{@code
 * DispatchPolicy<CmsInstance> policy =
 *     PolicyRegistry.builtins().create(Mode.FULL, "load-balance", config, clock);
 * }</pre>
 */
public final class PolicyRegistry {

  /** A way to build one mode's policy from configuration. */
  public record Entry<I extends InstanceView>(Mode<I> mode, String name, String description,
      BiFunction<PolicyConfig, Clock, DispatchPolicy<I>> create) {}

  private final Map<Mode<?>, Map<String, Entry<?>>> entries = new LinkedHashMap<>();

  private PolicyRegistry() {}

  /**
   * Lite mode's {@code load-balance} and {@code round-robin}; full mode's {@code load-balance}
   * and {@code flood}.
   */
  public static PolicyRegistry builtins() {
    PolicyRegistry registry = new PolicyRegistry();
    registry.register(Mode.LITE, "load-balance", "Least loaded instance by the lite metric "
        + "(num_requests or num_tokens), among those under the type's threshold; all when "
        + "none is.", (config, clock) -> LitePolicies.loadBalance(config));
    registry.register(Mode.LITE, "round-robin", "Each instance in turn, by instance id.",
        (config, clock) -> roundRobin());
    registry.register(Mode.FULL, "load-balance", "Schedulable, fresh instances under the "
        + "type's load threshold, failed ones' domains excluded; the least loaded by the "
        + "type's metric, ties to the fewest requests.", FullModePolicies::loadBalance);
    registry.register(Mode.FULL, "flood", "Schedulable, fresh instances, failed ones' domains "
        + "excluded; the one chosen last while it qualifies, else the first by id: load is "
        + "ignored, for testing rescheduling.", FullModePolicies::flood);
    return registry;
  }

  /** Adds a policy; a mode must not have two of one name. */
  public <I extends InstanceView> void register(Mode<I> mode, String name, String description,
      BiFunction<PolicyConfig, Clock, DispatchPolicy<I>> create) {
    Map<String, Entry<?>> byName = entries.computeIfAbsent(mode, m -> new LinkedHashMap<>());
    if (byName.putIfAbsent(name, new Entry<>(mode, name, description, create)) != null) {
      throw new IllegalStateException(mode + " policy registered twice: " + name);
    }
  }

  /** Every registered policy, by mode then in registration order. */
  public List<Entry<?>> entries() {
    List<Entry<?>> all = new ArrayList<>();
    entries.values().forEach(byName -> all.addAll(byName.values()));
    return all;
  }

  /** The policy names of {@code mode}. */
  public List<String> names(Mode<?> mode) {
    return List.copyOf(entries.getOrDefault(mode, Map.of()).keySet());
  }

  /**
   * Builds {@code mode}'s policy named {@code name}.
   *
   * @throws IllegalArgumentException for a name the mode does not have, listing those it has
   */
  @SuppressWarnings("unchecked") // register() keys every entry by its own mode
  public <I extends InstanceView> DispatchPolicy<I> create(Mode<I> mode, String name,
      PolicyConfig config, Clock clock) {
    check(mode, name);
    return ((Entry<I>) entries.get(mode).get(name)).create().apply(config, clock);
  }

  /**
   * Checks that {@code mode} has a policy named {@code name}.
   *
   * @throws IllegalArgumentException when it has not, listing those it has
   */
  public void check(Mode<?> mode, String name) {
    if (!entries.getOrDefault(mode, Map.of()).containsKey(name)) {
      throw new IllegalArgumentException("--scheduling-policy " + name + ": " + mode
          + " mode has " + names(mode) + describeOthers(mode, name));
    }
  }

  private String describeOthers(Mode<?> mode, String name) {
    for (Map.Entry<Mode<?>, Map<String, Entry<?>>> other : entries.entrySet()) {
      if (other.getKey() != mode && other.getValue().containsKey(name)) {
        return " (" + other.getKey() + " mode has " + name + ")";
      }
    }
    return "";
  }

  private static <I extends InstanceView> DispatchPolicy<I> roundRobin() {
    return DispatchPolicy.perType("round-robin",
        type -> new PolicyProfile<I>(List.of(), List.of(), Selector.roundRobin()));
  }
}
