package io.llumnix.scheduler.policy;

import io.llumnix.core.instance.InferType;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A named policy: one profile per infer type it serves.
 *
 * @param <I> the view its profiles read
 */
public record DispatchPolicy<I extends InstanceView>(String name,
    Map<InferType, PolicyProfile<I>> profiles) {

  public DispatchPolicy {
    profiles = Map.copyOf(new EnumMap<>(profiles));
  }

  /** A policy serving every infer type, with the profile {@code profile} makes for each. */
  public static <I extends InstanceView> DispatchPolicy<I> perType(String name,
      Function<InferType, PolicyProfile<I>> profile) {
    Map<InferType, PolicyProfile<I>> profiles = new EnumMap<>(InferType.class);
    for (InferType type : InferType.values()) {
      profiles.put(type, profile.apply(type));
    }
    return new DispatchPolicy<>(name, profiles);
  }

  /** The profile for {@code type}, or null when the policy does not serve it. */
  public @Nullable PolicyProfile<I> profile(InferType type) {
    return profiles.get(type);
  }
}
