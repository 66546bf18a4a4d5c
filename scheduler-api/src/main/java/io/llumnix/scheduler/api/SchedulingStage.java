package io.llumnix.scheduler.api;

import java.util.Locale;

/** Which phase a {@code /schedule} is for; a gateway always starts with prefill. */
public enum SchedulingStage {
  PREFILL, DECODE;

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The JSON value: {@code prefill} or {@code decode}. */
  public String wire() {
    return wire;
  }

  /**
   * The stage named {@code value}; empty means prefill.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static SchedulingStage of(String value) {
    if (value.isEmpty() || value.equals("prefill")) {
      return PREFILL;
    }
    if (value.equals("decode")) {
      return DECODE;
    }
    throw new IllegalArgumentException(
        "scheduling_stage: " + value + " (expected one of: [prefill, decode])");
  }
}
