package io.llumnix.simulator.report;

/**
 * One latency's distribution over a run, in milliseconds.
 *
 * @param count how many values were recorded
 */
public record Summary(long count, double mean, double p50, double p90, double p99, double max) {

  /** The summary of no values: zero everywhere. */
  public static final Summary EMPTY = new Summary(0, 0, 0, 0, 0, 0);
}
