package io.llumnix.simulator;

import io.llumnix.scheduler.dispatch.Mode;
import io.llumnix.scheduler.dispatch.PolicyRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * One policy to simulate: a scheduling mode and a policy name of the {@link PolicyRegistry},
 * whether cache-aware scheduling is on, whether the rescheduler runs, and the label reports
 * use. Written {@code lite:NAME}, {@code full:NAME}, or {@code NAME} alone: full mode's policy
 * of that name if it has one (full mode is the scheduler's default), else lite mode's;
 * {@value #CACHE_AWARE} is full mode's {@code load-balance} with cache-aware scheduling. A
 * full-mode label ending in {@value #RESCHEDULING} also runs the colocated rescheduler (its
 * {@code --rescheduling-*} settings), moving requests between engines by live migration.
 */
public record PolicyChoice(String label, Mode<?> mode, String policy, boolean cacheAware,
    boolean rescheduling) {

  /** The label of full-mode load balance with cache-aware scheduling. */
  public static final String CACHE_AWARE = "cache-aware";
  /** The label suffix that runs the rescheduler too. */
  public static final String RESCHEDULING = "+rescheduling";

  /** A policy without cache awareness or rescheduling. */
  public PolicyChoice(String label, Mode<?> mode, String policy) {
    this(label, mode, policy, false, false);
  }

  /**
   * Parses one label.
   *
   * @throws IllegalArgumentException for a policy no mode has, listing those that exist
   */
  public static PolicyChoice parse(String label) {
    String text = label.strip();
    if (text.endsWith(RESCHEDULING)) {
      PolicyChoice base = parse(text.substring(0, text.length() - RESCHEDULING.length()));
      if (base.mode() != Mode.FULL) {
        throw new IllegalArgumentException("--policies " + label + ": rescheduling needs full "
            + "mode (the CMS)");
      }
      return new PolicyChoice(text, base.mode(), base.policy(), base.cacheAware(), true);
    }
    PolicyRegistry registry = PolicyRegistry.builtins();
    if (text.equals(CACHE_AWARE) || text.equals("full:" + CACHE_AWARE)) {
      return new PolicyChoice(text, Mode.FULL, "load-balance", true, false);
    }
    int colon = text.indexOf(':');
    if (colon >= 0) {
      String modeName = text.substring(0, colon);
      String name = text.substring(colon + 1);
      Mode<?> mode = switch (modeName) {
        case "lite" -> Mode.LITE;
        case "full" -> Mode.FULL;
        default -> throw new IllegalArgumentException("--policies " + label
            + ": unknown mode " + modeName + " (expected: lite or full)");
      };
      registry.check(mode, name);
      return new PolicyChoice(text, mode, name);
    }
    for (Mode<?> mode : List.of(Mode.FULL, Mode.LITE)) {
      if (registry.names(mode).contains(text)) {
        return new PolicyChoice(text, mode, text);
      }
    }
    throw new IllegalArgumentException("--policies " + label + ": no such policy (expected one"
        + " of: " + all(registry) + ")");
  }

  /** Parses a comma-separated list; labels must differ. */
  public static List<PolicyChoice> parseList(String labels) {
    List<PolicyChoice> choices = new ArrayList<>();
    for (String label : labels.split(",")) {
      PolicyChoice choice = parse(label);
      if (choices.stream().anyMatch(c -> c.label().equals(choice.label()))) {
        throw new IllegalArgumentException("--policies: " + choice.label() + " given twice");
      }
      choices.add(choice);
    }
    return choices;
  }

  private static List<String> all(PolicyRegistry registry) {
    List<String> names = new ArrayList<>();
    for (Mode<?> mode : List.of(Mode.LITE, Mode.FULL)) {
      registry.names(mode).forEach(name -> names.add(mode + ":" + name));
    }
    names.add(CACHE_AWARE);
    names.add("any full-mode one + " + RESCHEDULING);
    return names;
  }
}
