package io.llumnix.core.metrics;

/** The Prometheus metric types the catalogue uses. */
public enum MetricType {
  COUNTER,
  GAUGE,
  HISTOGRAM
}
