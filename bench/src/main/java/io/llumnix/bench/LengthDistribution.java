package io.llumnix.bench;

import java.util.Locale;
import java.util.SplittableRandom;

/** How prompt or output lengths vary: fixed, uniform in [mean/2, 3·mean/2], or exponential. */
public enum LengthDistribution {
  FIXED, UNIFORM, EXPONENTIAL;

  /** The distribution named {@code name}. */
  public static LengthDistribution of(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("length distribution: " + name
          + " (expected one of: [fixed, uniform, exponential])", e);
    }
  }

  /** A length with mean {@code mean}, at least 1. */
  public int sample(int mean, SplittableRandom random) {
    double value = switch (this) {
      case FIXED -> mean;
      case UNIFORM -> mean * (0.5 + random.nextDouble());
      case EXPONENTIAL -> -mean * Math.log(1 - random.nextDouble());
    };
    return Math.max(1, (int) Math.round(value));
  }
}
