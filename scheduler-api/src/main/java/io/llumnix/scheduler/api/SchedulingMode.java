package io.llumnix.scheduler.api;

import java.util.Locale;

/** How a request is served: by one neutral instance, or by a prefill and a decode instance. */
public enum SchedulingMode {
  /** One instance does both phases. */
  NEUTRAL,
  /** Prefill and decode instances are chosen together, in one {@code /schedule}. */
  PD_BATCH,
  /** Each stage is scheduled on its own: prefill first, then decode. */
  PD_STAGED;

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The JSON value: {@code neutral}, {@code pd_batch}, {@code pd_staged}. */
  public String wire() {
    return wire;
  }

  /**
   * The mode named {@code value}; empty means neutral.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static SchedulingMode of(String value) {
    for (SchedulingMode mode : values()) {
      if (mode.wire.equals(value)) {
        return mode;
      }
    }
    if (value.isEmpty()) {
      return NEUTRAL;
    }
    throw new IllegalArgumentException("scheduling_mode: " + value
        + " (expected one of: [neutral, pd_batch, pd_staged])");
  }
}
