package io.llumnix.simulator.workload;

import java.util.Locale;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * How requests arrive at a mean rate, written as a flag value: {@code poisson}
 * (exponential gaps), {@code gamma:CV} (gamma gaps with that coefficient of variation: above 1
 * burstier than Poisson, below 1 more regular), or {@code bursty:PERIOD_S} (Poisson whose rate
 * alternates every PERIOD_S seconds between 1.8× and 0.2× the mean, as traffic with peaks).
 */
public sealed interface Arrivals {

  /** Gap in nanoseconds from an arrival at {@code nowNanos} to the next, at mean {@code rate}/s. */
  long gapNanos(double rate, long nowNanos, RandomGenerator random);

  record Poisson() implements Arrivals {
    @Override
    public String toString() {
      return "poisson";
    }

    @Override
    public long gapNanos(double rate, long nowNanos, RandomGenerator random) {
      return exponential(1e9 / rate, random);
    }
  }

  record Gamma(double cv) implements Arrivals {
    @Override
    public String toString() {
      return "gamma:" + cv;
    }

    @Override
    public long gapNanos(double rate, long nowNanos, RandomGenerator random) {
      double shape = 1 / (cv * cv);
      return Math.round(new GammaDistribution(random, shape, 1e9 / rate / shape).sample());
    }
  }

  record Bursty(double periodSeconds) implements Arrivals {
    @Override
    public String toString() {
      return "bursty:" + periodSeconds;
    }

    @Override
    public long gapNanos(double rate, long nowNanos, RandomGenerator random) {
      boolean peak = (long) (nowNanos / (periodSeconds * 1e9)) % 2 == 0;
      return exponential(1e9 / (rate * (peak ? 1.8 : 0.2)), random);
    }
  }

  private static long exponential(double meanNanos, RandomGenerator random) {
    return Math.round(-meanNanos * Math.log(1 - random.nextDouble()));
  }

  /**
   * Parses a flag value.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  static Arrivals parse(String spec) {
    String[] parts = spec.split(":", 2);
    try {
      Arrivals arrivals = switch (parts[0].toLowerCase(Locale.ROOT)) {
        case "poisson" -> new Poisson();
        case "gamma" -> new Gamma(Double.parseDouble(parts[1]));
        case "bursty" -> new Bursty(parts.length > 1 ? Double.parseDouble(parts[1]) : 10);
        default -> throw new IllegalArgumentException("unknown process " + parts[0]);
      };
      boolean ok = switch (arrivals) {
        case Poisson p -> true;
        case Gamma g -> g.cv() > 0;
        case Bursty b -> b.periodSeconds() > 0;
      };
      if (!ok) {
        throw new IllegalArgumentException("values out of range");
      }
      return arrivals;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("arrival process " + spec + ": " + e.getMessage()
          + " (expected one of: poisson, gamma:CV, bursty:PERIOD_S)", e);
    }
  }
}
