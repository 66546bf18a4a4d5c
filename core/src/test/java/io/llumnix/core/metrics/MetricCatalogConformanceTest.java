package io.llumnix.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the catalogue against {@code expected-metrics.tsv}, a list written by hand from the
 * seed and the spec (not generated from the catalogue): every expected metric is declared with
 * the same type, label names and buckets, and the catalogue declares nothing unexpected.
 */
class MetricCatalogConformanceTest {

  record Expected(String name, MetricType type, List<String> labels, List<Double> buckets,
      String help) {}

  private static Map<String, Expected> expected;
  private static Map<String, MetricSpec> catalogue;

  @BeforeAll
  static void load() throws IOException {
    expected = new LinkedHashMap<>();
    try (InputStream in = MetricCatalogConformanceTest.class
        .getResourceAsStream("/expected-metrics.tsv")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        assertThat(f).as(line).hasSize(5);
        expected.put(f[0], new Expected(f[0], MetricType.valueOf(f[1].toUpperCase(Locale.ROOT)),
            f[2].equals("-") ? List.of() : List.of(f[2].split(",")),
            f[3].equals("-") ? List.of()
                : Arrays.stream(f[3].split(",")).map(Double::valueOf).toList(),
            f[4]));
      }
    }
    List<MetricSpec> all = new ArrayList<>(LlumnixMetrics.all());
    all.addAll(VllmMetrics.specs(8192, VllmMetrics.Compatibility.of("0.11.0", "")));
    catalogue = all.stream().collect(Collectors.toMap(MetricSpec::name, Function.identity(),
        (a, b) -> {
          throw new AssertionError("declared twice: " + a.name());
        }, LinkedHashMap::new));
  }

  static List<String> expectedNames() throws IOException {
    load();
    return List.copyOf(expected.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expectedNames")
  void declaresExpectedMetric(String name) {
    Expected want = expected.get(name);
    MetricSpec spec = catalogue.get(name);
    assertThat(spec).as("catalogue entry for %s", name).isNotNull();
    assertThat(spec.type()).as("type of %s", name).isEqualTo(want.type());
    assertThat(spec.labelNames()).as("labels of %s", name).isEqualTo(want.labels());
    assertThat(spec.buckets()).as("buckets of %s", name).isEqualTo(want.buckets());
    if (!want.help().equals("-")) {
      assertThat(spec.help()).as("help of %s", name).isEqualTo(want.help());
    }
    assertThat(spec.help()).as("help of %s", name).isNotBlank();
  }

  @Test
  void declaresNothingUnexpected() {
    assertThat(catalogue.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
  }

  @Test
  void deprecatedEngineMetricsFollowTheImitatedVersion() {
    assertThat(names(VllmMetrics.specs(8192, VllmMetrics.Compatibility.of("0.11.0", ""))))
        .contains(VllmMetrics.TIME_PER_OUTPUT_TOKEN)
        .doesNotContain(VllmMetrics.GPU_CACHE_USAGE_PERC);
    assertThat(names(VllmMetrics.specs(8192, VllmMetrics.Compatibility.of("0.11.0", "0.10"))))
        .contains(VllmMetrics.GPU_CACHE_USAGE_PERC);
    assertThat(names(VllmMetrics.specs(8192, VllmMetrics.Compatibility.of("0.13.0", ""))))
        .doesNotContain(VllmMetrics.TIME_PER_OUTPUT_TOKEN, VllmMetrics.GPU_CACHE_USAGE_PERC);
  }

  @Test
  void tokenBucketsFollowMaxModelLen() {
    assertThat(Buckets.oneTwoFive(8192))
        .containsExactly(1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0,
            5000.0);
    assertThat(Buckets.oneTwoFive(10000)).endsWith(5000.0, 10000.0);
    assertThat(Buckets.oneTwoFive(1)).containsExactly(1.0);
  }

  private static List<String> names(List<MetricSpec> specs) {
    return specs.stream().map(MetricSpec::name).toList();
  }
}
