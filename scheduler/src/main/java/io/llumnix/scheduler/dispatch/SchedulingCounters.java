package io.llumnix.scheduler.dispatch;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.llumnix.scheduler.api.ErrorType;
import io.llumnix.scheduler.api.Outcome;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code scheduler_scheduling_total} and {@code scheduler_scheduling_failed_total} by error
 * type; every data point looked up once.
 */
public final class SchedulingCounters {

  private final CounterDataPoint scheduled;
  private final Map<ErrorType, CounterDataPoint> failed = new EnumMap<>(ErrorType.class);

  public SchedulingCounters(ComponentMetrics metrics) {
    this.scheduled = metrics.counter(LlumnixMetrics.SCHEDULER_SCHEDULING_TOTAL).labels();
    LabeledMetric<CounterDataPoint> failures =
        metrics.counter(LlumnixMetrics.SCHEDULER_SCHEDULING_FAILED_TOTAL);
    for (ErrorType type : ErrorType.values()) {
      failed.put(type, failures.labels(type.label()));
    }
  }

  void scheduled() {
    scheduled.inc();
  }

  /** Counts a failure of {@code type}; returns the answer with the reference's message. */
  Outcome fail(ErrorType type, int status, String message) {
    failed.get(type).inc();
    return new Outcome.Failed(status, message);
  }

  /** Counts a request that could not even be parsed. */
  public void invalid() {
    failed.get(ErrorType.UNKNOWN).inc();
  }
}
