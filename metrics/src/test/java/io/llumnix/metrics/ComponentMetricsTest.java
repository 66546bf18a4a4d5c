package io.llumnix.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import org.junit.jupiter.api.Test;

class ComponentMetricsTest {

  @Test
  void foldsLabelSetsBeyondTheCapIntoOverflow() {
    ComponentMetrics metrics = ComponentMetrics.create(ComponentMetrics.DEFAULT_MAX_LABEL_SETS);
    LabeledMetric<CounterDataPoint> requests = metrics.counter(LlumnixMetrics.REQUEST_TOTAL);
    for (int i = 0; i < 1000; i++) {
      requests.labels("model-" + i, "200").inc();
    }
    requests.labels("model-1000", "200").inc();
    requests.labels("model-1001", "500").inc();
    requests.labels("model-0", "200").inc(); // a known label set still has its own series

    String text = metrics.scrape(null);
    assertThat(text)
        .contains("request_total{model=\"model-999\",status_code=\"200\"} 1.0")
        .contains("request_total{model=\"model-0\",status_code=\"200\"} 2.0")
        .contains("request_total{model=\"_overflow\",status_code=\"_overflow\"} 2.0")
        .doesNotContain("model-1000", "model-1001");
    assertThat(requests.labelSetCount()).isEqualTo(1000);
  }

  @Test
  void removingASeriesFreesItsPlace() {
    ComponentMetrics metrics = ComponentMetrics.create(2);
    var gauge = metrics.gauge(LlumnixMetrics.INSTANCE_LRS_TOTAL_TOKENS);
    gauge.labels("m", "a:1", "neutral").set(1);
    gauge.labels("m", "b:1", "neutral").set(2);
    gauge.remove("m", "a:1", "neutral");
    gauge.labels("m", "c:1", "neutral").set(3);

    assertThat(metrics.scrape(null))
        .contains("instance_id=\"c:1\"")
        .doesNotContain("instance_id=\"a:1\"", "_overflow");
  }

  @Test
  void exportsUptimeJvmAndProcessMetrics() {
    String text = ComponentMetrics.create(10).scrape(null);
    assertThat(text)
        .contains("# TYPE uptime_seconds gauge")
        .contains("jvm_threads_current")
        .contains("jvm_memory_used_bytes")
        .contains("jvm_gc_collection_seconds")
        .contains("process_cpu_seconds_total");
  }

  @Test
  void keepsFamiliesWhoseNamesClashInOneExposition() {
    ComponentMetrics metrics = ComponentMetrics.create(10);
    metrics.registerAll(LlumnixMetrics.all());
    metrics.counter(LlumnixMetrics.REQUEST_INPUT_TOKENS_TOTAL).labels("m").inc(5);
    metrics.histogram(LlumnixMetrics.REQUEST_INPUT_TOKENS).labels("m").observe(5);
    assertThat(metrics.get(LlumnixMetrics.REQUEST_INPUT_TOKENS.name())).isNotNull();

    String text = metrics.scrape(null);
    assertThat(text)
        .contains("# TYPE request_input_tokens_total counter")
        .contains("request_input_tokens_total{model=\"m\"} 5.0")
        .contains("# TYPE request_input_tokens histogram")
        .contains("request_input_tokens_bucket{model=\"m\",le=\"16.0\"} 1");
    String openMetrics = metrics.scrape("application/openmetrics-text; version=1.0.0");
    assertThat(openMetrics).endsWith("# EOF\n");
    assertThat(openMetrics.indexOf("# EOF")).isEqualTo(openMetrics.lastIndexOf("# EOF"));
  }

  @Test
  void rejectsWrongLabelCountsAndConflictingSpecs() {
    ComponentMetrics metrics = ComponentMetrics.create(10);
    assertThatThrownBy(() -> metrics.counter(LlumnixMetrics.REQUEST_TOTAL).labels("only-model"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("request_total");
    assertThatThrownBy(() -> metrics.gauge(LlumnixMetrics.REQUEST_TOTAL))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
