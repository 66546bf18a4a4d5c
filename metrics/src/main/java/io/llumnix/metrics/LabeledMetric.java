package io.llumnix.metrics;

import io.llumnix.core.metrics.MetricSpec;
import io.prometheus.metrics.core.datapoints.DataPoint;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registered metric whose label sets are capped: once {@code maxLabelSets} distinct sets exist,
 * further ones are folded into one series whose every label value is {@value #OVERFLOW}, so label
 * values that come from users (model names, request paths) cannot exhaust memory.
 *
 * <p>{@link #labels} looks the series up in a map; hot paths call it once and keep the returned
 * data point, whose recording methods do not allocate.
 *
 * @param <D> the data point type: {@code CounterDataPoint}, {@code GaugeDataPoint} or
 *     {@code DistributionDataPoint}
 */
public final class LabeledMetric<D extends DataPoint> {

  /** The label value of the series that collects label sets beyond the cap. */
  public static final String OVERFLOW = "_overflow";

  private final MetricSpec spec;
  private final StatefulMetric<D, ?> metric;
  private final int maxLabelSets;
  private final String[] overflowValues;
  private final Set<List<String>> labelSets = ConcurrentHashMap.newKeySet();

  LabeledMetric(MetricSpec spec, StatefulMetric<D, ?> metric, int maxLabelSets) {
    this.spec = spec;
    this.metric = metric;
    this.maxLabelSets = maxLabelSets;
    this.overflowValues = new String[spec.labelNames().size()];
    Arrays.fill(overflowValues, OVERFLOW);
  }

  /** The catalogue entry this metric was registered from. */
  public MetricSpec spec() {
    return spec;
  }

  /**
   * Returns the data point for {@code labelValues}, given in the order of the spec's label
   * names; the overflow series when the cap is reached and this label set is new.
   *
   * @throws IllegalArgumentException when the number of values differs from the label names
   */
  public D labels(String... labelValues) {
    if (labelValues.length != overflowValues.length) {
      throw new IllegalArgumentException(spec.name() + ": " + labelValues.length
          + " label values (expected: " + spec.labelNames() + ")");
    }
    if (labelValues.length == 0) {
      return metric.labelValues();
    }
    List<String> key = List.of(labelValues);
    if (!labelSets.contains(key)) {
      synchronized (labelSets) {
        if (!labelSets.contains(key)) {
          if (labelSets.size() >= maxLabelSets) {
            return metric.labelValues(overflowValues);
          }
          labelSets.add(key);
        }
      }
    }
    return metric.labelValues(labelValues);
  }

  /** Removes the series of {@code labelValues}, freeing its place under the cap. */
  public void remove(String... labelValues) {
    synchronized (labelSets) {
      if (labelSets.remove(List.of(labelValues))) {
        metric.remove(labelValues);
      }
    }
  }

  /** The number of distinct label sets held, the overflow series not counted. */
  public int labelSetCount() {
    return labelSets.size();
  }
}
