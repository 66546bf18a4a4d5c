package io.llumnix.core.instance;

import java.util.Locale;

/** What an instance serves: both phases ({@code neutral}), or only prefill or decode. */
public enum InferType {
  NEUTRAL, PREFILL, DECODE;

  /** The wire and label value: {@code neutral}, {@code prefill} or {@code decode}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The type named {@code value}; empty means neutral, as in the reference.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static InferType of(String value) {
    if (value.isEmpty()) {
      return NEUTRAL;
    }
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "infer type: " + value + " (expected one of: [neutral, prefill, decode])", e);
    }
  }
}
