package io.llumnix.scheduler.rescheduling;

import io.llumnix.core.instance.InferType;
import java.util.Arrays;
import java.util.Locale;

/**
 * The rescheduling policies, by the reference's names ({@code --rescheduling-policies}). A load
 * policy moves requests from the most to the least loaded instances of its type; a failover
 * policy moves every request off the instances of its type that failed (or share a failed
 * one's failure domain) onto healthy ones.
 */
public enum ReschedulingPolicy {
  DECODE_LOAD(InferType.DECODE, true),
  NEUTRAL_LOAD(InferType.NEUTRAL, true),
  PREFILL_FAILOVER(InferType.PREFILL, false),
  DECODE_FAILOVER(InferType.DECODE, false),
  NEUTRAL_FAILOVER(InferType.NEUTRAL, false);

  /** {@value}: the reference's default list. */
  public static final String DEFAULT_POLICIES =
      "decode_load,prefill_failover,decode_failover,neutral_failover";

  private final InferType type;
  private final boolean load;

  ReschedulingPolicy(InferType type, boolean load) {
    this.type = type;
    this.load = load;
  }

  /** The instances it moves requests between: sources and destinations are of this type. */
  public InferType type() {
    return type;
  }

  /** Whether it balances load (else it fails over). */
  public boolean load() {
    return load;
  }

  /** The name as configured and sent as {@code trigger_policy}, e.g. {@code decode_load}. */
  public String policyName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The policy named {@code name}.
   *
   * @throws IllegalArgumentException for another name; the bin-packing policies of adaptive
   *     prefill/decode are named as not built
   */
  public static ReschedulingPolicy of(String name) {
    for (ReschedulingPolicy policy : values()) {
      if (policy.policyName().equals(name)) {
        return policy;
      }
    }
    String known = Arrays.stream(values()).map(ReschedulingPolicy::policyName).toList()
        .toString();
    if (name.startsWith("binpacking_")) {
      throw new IllegalArgumentException("--rescheduling-policies: " + name + " belongs to "
          + "adaptive prefill/decode, which is not built (expected one of: " + known + ")");
    }
    throw new IllegalArgumentException("--rescheduling-policies: " + name
        + " (expected one of: " + known + ")");
  }
}
