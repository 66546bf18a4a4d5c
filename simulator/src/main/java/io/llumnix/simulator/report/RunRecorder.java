package io.llumnix.simulator.report;

import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Gathers one run's measurements as requests end: latencies go into histograms (microseconds,
 * three significant digits), whose size does not grow with the number of requests; load samples
 * into one row per instance, which grows with the run's virtual time only. Not thread-safe.
 */
public final class RunRecorder {

  private static final long MAX_MICROS = 24L * 3600 * 1_000_000;
  private static final int CDF_POINTS = 200;

  private final Histogram ttft = histogram();
  private final Histogram tpot = histogram();
  private final Histogram itl = histogram();
  private final Histogram e2e = histogram();
  private final double sloTtftMillis;
  private final double sloTpotMillis;
  private final List<String> instances;
  private int[][] requests;
  private float[][] kvUsage;
  private int samples;
  private long completed;
  private long rejected;
  private long withinSlo;
  private long outputTokens;
  private long firstArrivalNanos = Long.MAX_VALUE;
  private long[] firstTokenNanos = new long[0];
  private long lastEndNanos;
  /** A run of equal gaps between tokens not yet in {@link #itl}: its value and length. */
  private long pendingGapNanos = -1;
  private long pendingGaps;

  /**
   * @param sloTtftMillis a request meets its SLO with TTFT at most this (0: any)
   * @param sloTpotMillis ... and TPOT at most this (0: any)
   */
  public RunRecorder(double sloTtftMillis, double sloTpotMillis, List<String> instances) {
    this.sloTtftMillis = sloTtftMillis;
    this.sloTpotMillis = sloTpotMillis;
    this.instances = List.copyOf(instances);
    this.requests = new int[instances.size()][64];
    this.kvUsage = new float[instances.size()][64];
  }

  private static Histogram histogram() {
    return new Histogram(MAX_MICROS, 3);
  }

  /**
   * Also keeps the first-token time of each of the first {@code count} completed requests, for
   * a run short enough to afford it (measuring capacity).
   */
  public void keepFirstTokenTimes(int count) {
    firstTokenNanos = new long[count];
  }

  /** The first-token times kept, ascending. */
  public long[] firstTokenTimes() {
    long[] times = Arrays.copyOf(firstTokenNanos, (int) Math.min(completed,
        firstTokenNanos.length));
    Arrays.sort(times);
    return times;
  }

  /** A request arrived at the gateway. */
  public void arrived(long nanos) {
    firstArrivalNanos = Math.min(firstArrivalNanos, nanos);
  }

  /** A gap of {@code nanos} between two tokens of one request. */
  public void tokenGap(long nanos) {
    // Every request decoding in a step waited the same gap since its last token: recording a
    // step's gaps as one run spares the histogram a write per token.
    if (nanos == pendingGapNanos) {
      pendingGaps++;
      return;
    }
    recordPendingGaps();
    pendingGapNanos = nanos;
    pendingGaps = 1;
  }

  private void recordPendingGaps() {
    if (pendingGaps > 0) {
      itl.recordValueWithCount(micros(pendingGapNanos), pendingGaps);
      pendingGaps = 0;
    }
  }

  /** A request got its whole answer: {@code tokens} tokens, the first and last at those times. */
  public void completed(long arrivalNanos, long firstNanos, long lastNanos, int tokens) {
    if (completed < firstTokenNanos.length) {
      firstTokenNanos[(int) completed] = firstNanos;
    }
    completed++;
    outputTokens += tokens;
    lastEndNanos = Math.max(lastEndNanos, lastNanos);
    long ttftNanos = firstNanos - arrivalNanos;
    ttft.recordValue(micros(ttftNanos));
    e2e.recordValue(micros(lastNanos - arrivalNanos));
    double tpotMillis = 0;
    if (tokens > 1) {
      long tpotNanos = (lastNanos - firstNanos) / (tokens - 1);
      tpot.recordValue(micros(tpotNanos));
      tpotMillis = tpotNanos / 1e6;
    }
    if ((sloTtftMillis <= 0 || ttftNanos / 1e6 <= sloTtftMillis)
        && (sloTpotMillis <= 0 || tpotMillis <= sloTpotMillis)) {
      withinSlo++;
    }
  }

  /** A request was refused. */
  public void rejected(long nanos) {
    rejected++;
    lastEndNanos = Math.max(lastEndNanos, nanos);
  }

  /** One load sample: per instance, requests in the engine and KV-cache usage. */
  public void sample(int[] requestsNow, double[] kvNow) {
    if (samples == requests[0].length) {
      for (int i = 0; i < requests.length; i++) {
        requests[i] = Arrays.copyOf(requests[i], samples * 2);
        kvUsage[i] = Arrays.copyOf(kvUsage[i], samples * 2);
      }
    }
    for (int i = 0; i < requests.length; i++) {
      requests[i][samples] = requestsNow[i];
      kvUsage[i][samples] = (float) kvNow[i];
    }
    samples++;
  }

  public long completed() {
    return completed;
  }

  public long rejected() {
    return rejected;
  }

  public long outputTokens() {
    return outputTokens;
  }

  /**
   * The result of the run so far.
   *
   * @param hitRatio prefix-cache hit tokens over looked-up tokens
   */
  public PolicyResult result(String name, long preemptions, double hitRatio,
      double sampleIntervalSeconds, double wallSeconds) {
    recordPendingGaps();
    double span = completed + rejected == 0 ? 0 : (lastEndNanos - firstArrivalNanos) / 1e9;
    int[][] requestRows = new int[requests.length][];
    float[][] kvRows = new float[kvUsage.length][];
    for (int i = 0; i < requests.length; i++) {
      requestRows[i] = Arrays.copyOf(requests[i], samples);
      kvRows[i] = Arrays.copyOf(kvUsage[i], samples);
    }
    return new PolicyResult(name, summary(ttft), summary(tpot), summary(itl), summary(e2e),
        completed, rejected, preemptions, hitRatio, perSecond(outputTokens, span),
        perSecond(completed, span), perSecond(withinSlo, span),
        completed + rejected == 0 ? 0 : (double) withinSlo / (completed + rejected), span,
        wallSeconds, cdf(ttft),
        cdf(tpot), cdf(e2e), new LoadSeries(sampleIntervalSeconds, instances, requestRows,
            kvRows));
  }

  private static double perSecond(long count, double seconds) {
    return seconds <= 0 ? 0 : count / seconds;
  }

  private static Summary summary(Histogram h) {
    if (h.getTotalCount() == 0) {
      return Summary.EMPTY;
    }
    return new Summary(h.getTotalCount(), h.getMean() / 1000, millis(h, 50), millis(h, 90),
        millis(h, 99), h.getMaxValue() / 1000.0);
  }

  private static double millis(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static Cdf cdf(Histogram h) {
    if (h.getTotalCount() == 0) {
      return new Cdf(new double[0], new double[0]);
    }
    double[] values = new double[CDF_POINTS + 1];
    double[] fractions = new double[CDF_POINTS + 1];
    for (int i = 0; i <= CDF_POINTS; i++) {
      double fraction = (double) i / CDF_POINTS;
      fractions[i] = fraction;
      values[i] = h.getValueAtPercentile(fraction * 100) / 1000.0;
    }
    return new Cdf(values, fractions);
  }

  private static long micros(long nanos) {
    return Math.max(0, Math.min(MAX_MICROS, nanos / 1000));
  }
}
