package io.llumnix.simulator.report;

/**
 * A cumulative distribution for plotting: {@code fractions[i]} of the values are at most
 * {@code values[i]}. Both ascending, of equal length (empty when nothing was recorded).
 */
public record Cdf(double[] values, double[] fractions) {

  public Cdf {
    if (values.length != fractions.length) {
      throw new IllegalArgumentException("values and fractions differ in length");
    }
  }
}
