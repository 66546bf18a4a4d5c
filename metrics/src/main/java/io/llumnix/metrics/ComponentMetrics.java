package io.llumnix.metrics;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.metrics.MetricSpec;
import io.llumnix.core.metrics.MetricType;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The metrics of one component (a gateway, a scheduler, one simulated engine): the catalogue
 * entries it registers, plus {@code uptime_seconds} and the JVM and process metrics.
 *
 * <pre>{@code
 * ComponentMetrics metrics = ComponentMetrics.create(1000);
 * CounterDataPoint ok = metrics.counter(LlumnixMetrics.REQUEST_TOTAL).labels("m", "200");
 * ok.inc(); // on the hot path: no lookup, no allocation
 * }</pre>
 *
 * <p>The reference exposes some families whose names clash under the Prometheus data model
 * (the counter {@code request_input_tokens_total} and the histogram {@code request_input_tokens}
 * are one family name to OpenMetrics). The Prometheus client refuses them in one registry, so a
 * clashing metric goes to a further registry and the exposition concatenates them; the text
 * format 0.0.4 that Prometheus scrapes by default keeps them apart.
 */
public final class ComponentMetrics {

  /** The default cap on distinct label sets per metric. */
  public static final int DEFAULT_MAX_LABEL_SETS = 1000;

  private final int maxLabelSets;
  private final List<PrometheusRegistry> registries = new ArrayList<>();
  /** Family name (a counter's name without {@code _total}) to how many registries hold it. */
  private final Map<String, Integer> familyCount = new HashMap<>();
  private final Map<String, LabeledMetric<?>> metrics = new ConcurrentHashMap<>();
  private final ExpositionFormats formats = ExpositionFormats.init();

  private ComponentMetrics(int maxLabelSets, boolean runtimeMetrics) {
    if (maxLabelSets < 1) {
      throw new IllegalArgumentException("maxLabelSets: " + maxLabelSets + " (expected: >= 1)");
    }
    this.maxLabelSets = maxLabelSets;
    registries.add(new PrometheusRegistry());
    if (runtimeMetrics) {
      long startNanos = System.nanoTime();
      MetricSpec uptime = LlumnixMetrics.UPTIME_SECONDS;
      familyCount.put(uptime.name(), 1);
      GaugeWithCallback.builder()
          .name(uptime.name())
          .help(uptime.help())
          .callback(cb -> cb.call((System.nanoTime() - startNanos) / 1e9))
          .register(registries.get(0));
      JvmMetrics.builder().register(registries.get(0));
    }
  }

  /** Metrics of a component, with uptime, JVM and process metrics. */
  public static ComponentMetrics create(int maxLabelSets) {
    return new ComponentMetrics(maxLabelSets, true);
  }

  /**
   * Metrics of one component among several in this process (such as one of many simulated
   * engines): only what it registers, since the process-wide metrics are the first one's.
   */
  public static ComponentMetrics createWithoutRuntime(int maxLabelSets) {
    return new ComponentMetrics(maxLabelSets, false);
  }

  /** Registers a counter spec, or returns it if already registered. */
  @SuppressWarnings("unchecked")
  public LabeledMetric<CounterDataPoint> counter(MetricSpec spec) {
    return (LabeledMetric<CounterDataPoint>) register(spec, MetricType.COUNTER);
  }

  /** Registers a gauge spec, or returns it if already registered. */
  @SuppressWarnings("unchecked")
  public LabeledMetric<GaugeDataPoint> gauge(MetricSpec spec) {
    return (LabeledMetric<GaugeDataPoint>) register(spec, MetricType.GAUGE);
  }

  /** Registers a histogram spec, or returns it if already registered. */
  @SuppressWarnings("unchecked")
  public LabeledMetric<DistributionDataPoint> histogram(MetricSpec spec) {
    return (LabeledMetric<DistributionDataPoint>) register(spec, MetricType.HISTOGRAM);
  }

  /**
   * Registers every spec of {@code specs} by its type, except those the component exports
   * itself ({@code uptime_seconds}).
   */
  public void registerAll(List<MetricSpec> specs) {
    for (MetricSpec spec : specs) {
      if (!spec.equals(LlumnixMetrics.UPTIME_SECONDS)) {
        register(spec, spec.type());
      }
    }
  }

  /** The metric registered under {@code name}, or null. */
  public @Nullable LabeledMetric<?> get(String name) {
    return metrics.get(name);
  }

  private synchronized LabeledMetric<?> register(MetricSpec spec, MetricType expected) {
    if (spec.type() != expected) {
      throw new IllegalArgumentException(
          spec.name() + " is a " + spec.type() + " (expected: " + expected + ")");
    }
    LabeledMetric<?> existing = metrics.get(spec.name());
    if (existing != null) {
      if (!existing.spec().equals(spec)) {
        throw new IllegalArgumentException("conflicting registration of " + spec.name());
      }
      return existing;
    }
    if (spec.equals(LlumnixMetrics.UPTIME_SECONDS)) {
      throw new IllegalArgumentException(spec.name() + " is exported by the component itself");
    }
    String family = spec.type() == MetricType.COUNTER
        ? spec.name().substring(0, spec.name().length() - "_total".length())
        : spec.name();
    int index = familyCount.merge(family, 1, Integer::sum) - 1;
    if (index == registries.size()) {
      registries.add(new PrometheusRegistry());
    }
    PrometheusRegistry registry = registries.get(index);
    String[] labels = spec.labelNames().toArray(String[]::new);
    // Without exemplars: nothing here carries trace context, and the client's exemplar sampler
    // costs every observation a lookup and, now and then, a task on a shared scheduled
    // executor (a fifth of the full-mode scheduler's CPU at 1,000 instances, by JFR).
    LabeledMetric<?> metric = switch (spec.type()) {
      case COUNTER -> new LabeledMetric<>(spec,
          Counter.builder().name(spec.name()).help(spec.help()).labelNames(labels)
              .withoutExemplars().register(registry), maxLabelSets);
      case GAUGE -> new LabeledMetric<>(spec,
          Gauge.builder().name(spec.name()).help(spec.help()).labelNames(labels)
              .withoutExemplars().register(registry), maxLabelSets);
      case HISTOGRAM -> new LabeledMetric<>(spec,
          Histogram.builder().name(spec.name()).help(spec.help()).labelNames(labels)
              .classicOnly().classicUpperBounds(spec.bucketArray()).withoutExemplars()
              .register(registry),
          maxLabelSets);
    };
    metrics.put(spec.name(), metric);
    return metric;
  }

  /** Returns the content type that {@link #write} uses for this {@code Accept} header. */
  public String contentType(@Nullable String accept) {
    return formats.findWriter(accept).getContentType();
  }

  /**
   * Writes every registered metric in the format that {@code accept} asks for: OpenMetrics when
   * it names {@code application/openmetrics-text}, else the Prometheus text format 0.0.4.
   */
  public void write(OutputStream out, @Nullable String accept) throws IOException {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    List<PrometheusRegistry> snapshot;
    synchronized (this) {
      snapshot = List.copyOf(registries);
    }
    for (int i = 0; i < snapshot.size(); i++) {
      boolean last = i == snapshot.size() - 1;
      if (last) {
        writer.write(out, snapshot.get(i).scrape());
      } else {
        // Only the last part may carry OpenMetrics' "# EOF" terminator.
        ByteArrayOutputStream part = new ByteArrayOutputStream();
        writer.write(part, snapshot.get(i).scrape());
        String text = part.toString(StandardCharsets.UTF_8);
        if (text.endsWith("# EOF\n")) {
          text = text.substring(0, text.length() - "# EOF\n".length());
        }
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /** Returns the exposition as text, as {@link #write} would send it. */
  public String scrape(@Nullable String accept) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      write(out, accept);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
