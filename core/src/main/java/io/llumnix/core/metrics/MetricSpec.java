package io.llumnix.core.metrics;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One metric as it is exposed: its exact name (counters carry their {@code _total} suffix, as in
 * the exposition), type, help text, label names in declaration order, and, for histograms, the
 * classic bucket upper bounds (without {@code +Inf}).
 */
public record MetricSpec(
    String name, MetricType type, String help, List<String> labelNames, List<Double> buckets) {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  public MetricSpec {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    requireNonNull(help, "help");
    labelNames = List.copyOf(labelNames);
    buckets = List.copyOf(buckets);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name: " + name + " (expected: a Prometheus metric name)");
    }
    if (type == MetricType.COUNTER && !name.endsWith("_total")) {
      throw new IllegalArgumentException("counter name: " + name + " (expected: ends with _total)");
    }
    if ((type == MetricType.HISTOGRAM) == buckets.isEmpty()) {
      throw new IllegalArgumentException(
          "buckets of " + name + ": " + buckets + " (expected: non-empty exactly for histograms)");
    }
    for (String label : labelNames) {
      if (!LABEL.matcher(label).matches() || label.equals("le")) {
        throw new IllegalArgumentException("label of " + name + ": " + label);
      }
    }
    for (int i = 1; i < buckets.size(); i++) {
      if (buckets.get(i) <= buckets.get(i - 1)) {
        throw new IllegalArgumentException("buckets of " + name + " not increasing: " + buckets);
      }
    }
  }

  /** A counter; {@code name} ends with {@code _total}. */
  public static MetricSpec counter(String name, String help, String... labelNames) {
    return new MetricSpec(name, MetricType.COUNTER, help, List.of(labelNames), List.of());
  }

  /** A gauge. */
  public static MetricSpec gauge(String name, String help, String... labelNames) {
    return new MetricSpec(name, MetricType.GAUGE, help, List.of(labelNames), List.of());
  }

  /** A histogram with classic buckets. */
  public static MetricSpec histogram(
      String name, String help, List<Double> buckets, String... labelNames) {
    return new MetricSpec(name, MetricType.HISTOGRAM, help, List.of(labelNames), buckets);
  }

  /** The bucket bounds as a primitive array, for registration. */
  public double[] bucketArray() {
    double[] result = new double[buckets.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = buckets.get(i);
    }
    return result;
  }
}
