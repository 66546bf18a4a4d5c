package io.llumnix.simulator.workload;

/**
 * What a synthetic workload draws from.
 *
 * @param arrivals the arrival process of new requests (of new sessions, with sessions)
 * @param prompt prompt lengths; with tenants, the part after the tenant's prefix; with sessions,
 *     what each turn adds
 * @param output output lengths
 * @param tenants requests share one of this many prefixes, drawn uniformly (0: none)
 * @param prefixTokens the length of each tenant's prefix
 * @param sessionTurns turns per session: each turn's prompt is the last turn's prompt and
 *     answer plus new text (1: independent requests)
 * @param thinkTimeSeconds mean (exponential) time between a turn's answer and the next turn
 */
public record WorkloadSpec(String name, Arrivals arrivals, Lengths prompt, Lengths output,
    int tenants, int prefixTokens, int sessionTurns, double thinkTimeSeconds) {

  public WorkloadSpec {
    if (tenants < 0 || prefixTokens < 0 || (tenants > 0 && prefixTokens < 1)) {
      throw new IllegalArgumentException("--tenants " + tenants + " with --prefix-tokens "
          + prefixTokens + " (expected: tenants >= 0, prefix tokens >= 1 with tenants)");
    }
    if (sessionTurns < 1 || thinkTimeSeconds < 0) {
      throw new IllegalArgumentException("--session-turns " + sessionTurns
          + " and --think-time " + thinkTimeSeconds + " (expected: >= 1 and >= 0)");
    }
  }

  /**
   * ShareGPT-like conversations: heavy-tailed prompts (mean 220 tokens) and answers (mean 200),
   * close to the lengths vLLM's benchmarks report for the ShareGPT dataset.
   */
  public static WorkloadSpec sharegpt() {
    return new WorkloadSpec("sharegpt", new Arrivals.Poisson(), new Lengths.LogNormal(220, 1.0),
        new Lengths.LogNormal(200, 1.0), 0, 0, 1, 0);
  }

  /**
   * 200 tenants, each with its own 3,000-token prefix (a system prompt or a document) before a
   * ShareGPT-like question: 600k prefix tokens, more than one default instance's KV cache holds.
   */
  public static WorkloadSpec sharedPrefix() {
    return new WorkloadSpec("shared-prefix", new Arrivals.Poisson(),
        new Lengths.LogNormal(220, 1.0), new Lengths.LogNormal(200, 1.0), 200, 3000, 1, 0);
  }

  /** The preset named {@code name}: {@code sharegpt} or {@code shared-prefix}. */
  public static WorkloadSpec preset(String name) {
    return switch (name) {
      case "sharegpt" -> sharegpt();
      case "shared-prefix" -> sharedPrefix();
      default -> throw new IllegalArgumentException(
          "--workload " + name + " (expected one of: sharegpt, shared-prefix)");
    };
  }
}
