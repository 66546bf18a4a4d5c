package io.llumnix.simulator.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * A distribution of token lengths, written as a flag value (and printed as one):
 * {@code fixed:N}, {@code uniform:MIN-MAX}, {@code exponential:MEAN},
 * {@code lognormal:MEAN:SIGMA} (MEAN of the lengths, SIGMA of their logarithm), or
 * {@code empirical:FILE} (one length per line, drawn uniformly). Every length is at least 1.
 */
public sealed interface Lengths {

  /** Draws one length. */
  int sample(RandomGenerator random);

  /** The mean length. */
  double mean();

  record Fixed(int length) implements Lengths {
    @Override
    public String toString() {
      return "fixed:" + length;
    }

    @Override
    public int sample(RandomGenerator random) {
      return length;
    }

    @Override
    public double mean() {
      return length;
    }
  }

  record Uniform(int min, int max) implements Lengths {
    @Override
    public String toString() {
      return "uniform:" + min + "-" + max;
    }

    @Override
    public int sample(RandomGenerator random) {
      return min + random.nextInt(max - min + 1);
    }

    @Override
    public double mean() {
      return (min + max) / 2.0;
    }
  }

  record Exponential(double mean) implements Lengths {
    @Override
    public String toString() {
      return "exponential:" + mean;
    }

    @Override
    public int sample(RandomGenerator random) {
      return atLeastOne(-mean * Math.log(1 - random.nextDouble()));
    }
  }

  /** Lognormal with the given mean: {@code mu = ln(mean) - sigma²/2}. */
  record LogNormal(double mean, double sigma) implements Lengths {
    @Override
    public String toString() {
      return "lognormal:" + mean + ":" + sigma;
    }

    @Override
    public int sample(RandomGenerator random) {
      double mu = Math.log(mean) - sigma * sigma / 2;
      return atLeastOne(Math.exp(mu + sigma * random.nextGaussian()));
    }
  }

  record Empirical(int[] lengths) implements Lengths {
    @Override
    public String toString() {
      return "empirical (" + lengths.length + " lengths, mean " + mean() + ")";
    }

    @Override
    public int sample(RandomGenerator random) {
      return lengths[random.nextInt(lengths.length)];
    }

    @Override
    public double mean() {
      long sum = 0;
      for (int length : lengths) {
        sum += length;
      }
      return (double) sum / lengths.length;
    }
  }

  private static int atLeastOne(double value) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(value)));
  }

  /**
   * Parses a flag value.
   *
   * @throws IllegalArgumentException naming what is wrong and the accepted forms
   */
  static Lengths parse(String spec) {
    String[] parts = spec.split(":", 2);
    String kind = parts[0].toLowerCase(Locale.ROOT);
    String args = parts.length > 1 ? parts[1] : "";
    try {
      Lengths lengths = switch (kind) {
        case "fixed" -> new Fixed(Integer.parseInt(args));
        case "uniform" -> {
          String[] range = args.split("-", 2);
          yield new Uniform(Integer.parseInt(range[0]), Integer.parseInt(range[1]));
        }
        case "exponential" -> new Exponential(Double.parseDouble(args));
        case "lognormal" -> {
          String[] meanSigma = args.split(":", 2);
          yield new LogNormal(Double.parseDouble(meanSigma[0]),
              Double.parseDouble(meanSigma[1]));
        }
        case "empirical" -> new Empirical(readLengths(Path.of(args)));
        default -> throw new IllegalArgumentException("unknown kind " + kind);
      };
      check(lengths);
      return lengths;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("length distribution " + spec + ": " + e.getMessage()
          + " (expected one of: fixed:N, uniform:MIN-MAX, exponential:MEAN, "
          + "lognormal:MEAN:SIGMA, empirical:FILE)", e);
    }
  }

  private static void check(Lengths lengths) {
    boolean ok = switch (lengths) {
      case Fixed f -> f.length() >= 1;
      case Uniform u -> u.min() >= 1 && u.max() >= u.min();
      case Exponential e -> e.mean() > 0;
      case LogNormal l -> l.mean() > 0 && l.sigma() >= 0;
      case Empirical e -> e.lengths().length > 0;
    };
    if (!ok) {
      throw new IllegalArgumentException("values out of range");
    }
  }

  private static int[] readLengths(Path file) {
    try (var lines = Files.lines(file)) {
      int[] lengths = lines.map(String::strip).filter(line -> !line.isEmpty())
          .mapToInt(Integer::parseInt).toArray();
      for (int length : lengths) {
        if (length < 1) {
          throw new IllegalArgumentException(file + ": length " + length + " (expected: >= 1)");
        }
      }
      return lengths;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
