package io.llumnix.simulator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llumnix.bench.trace.TraceEntry;
import io.llumnix.bench.trace.TraceWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadTest {

  @TempDir Path dir;

  static List<WorkloadRequest> all(Workload workload) {
    List<WorkloadRequest> requests = new ArrayList<>();
    for (WorkloadRequest r = workload.next(); r != null; r = workload.next()) {
      requests.add(r);
    }
    return requests;
  }

  @Test
  void lengthFlagsParseAndSampleWithTheirMean() {
    Well19937c random = new Well19937c(1);
    for (String spec : List.of("fixed:100", "uniform:50-150", "exponential:100",
        "lognormal:100:1.0")) {
      Lengths lengths = Lengths.parse(spec);
      double sum = 0;
      for (int i = 0; i < 200_000; i++) {
        int n = lengths.sample(random);
        assertThat(n).isPositive();
        sum += n;
      }
      assertThat(sum / 200_000).as(spec).isCloseTo(100, within(2.0));
      assertThat(lengths.mean()).isCloseTo(100, within(0.01));
    }
  }

  @Test
  void badLengthAndArrivalFlagsSayWhatIsAccepted() {
    assertThatThrownBy(() -> Lengths.parse("normal:5")).hasMessageContaining("lognormal:MEAN");
    assertThatThrownBy(() -> Lengths.parse("fixed:0")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> Lengths.parse("uniform:9")).hasMessageContaining("uniform:MIN-MAX");
    assertThatThrownBy(() -> Arrivals.parse("gamma")).hasMessageContaining("gamma:CV");
    assertThatThrownBy(() -> Arrivals.parse("gamma:-1")).hasMessageContaining("out of range");
  }

  @Test
  void arrivalsKeepTheirMeanRateWhateverTheirShape() {
    for (String spec : List.of("poisson", "gamma:3", "gamma:0.5", "bursty:5")) {
      WorkloadSpec sharegpt = WorkloadSpec.sharegpt();
      WorkloadSpec workload = new WorkloadSpec(spec, Arrivals.parse(spec), sharegpt.prompt(),
          sharegpt.output(), 0, 0, 1, 0);
      int n = all(new SyntheticWorkload(workload, 50, 200, 0, 8192, 1)).size();
      assertThat(n).as(spec).isBetween(8_500, 11_500);
    }
  }

  @Test
  void oneSeedGivesOneWorkload() {
    List<WorkloadRequest> a = all(new SyntheticWorkload(WorkloadSpec.sharegpt(), 20, 5, 0, 8192,
        7));
    List<WorkloadRequest> b = all(new SyntheticWorkload(WorkloadSpec.sharegpt(), 20, 5, 0, 8192,
        7));

    assertThat(a).hasSameSizeAs(b).isNotEmpty();
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).arrivalNanos()).isEqualTo(b.get(i).arrivalNanos());
      assertThat(a.get(i).promptTokenIds()).isEqualTo(b.get(i).promptTokenIds());
      assertThat(a.get(i).outputTokens()).isEqualTo(b.get(i).outputTokens());
    }
  }

  @Test
  void tenantsShareExactlyTheirPrefix() {
    WorkloadSpec spec = new WorkloadSpec("t", new Arrivals.Poisson(), new Lengths.Fixed(50),
        new Lengths.Fixed(10), 2, 64, 1, 0);
    List<WorkloadRequest> requests = all(new SyntheticWorkload(spec, 100, 1, 0, 8192, 3));

    assertThat(requests).allSatisfy(r -> assertThat(r.promptTokenIds()).hasSize(114));
    long distinctPrefixes = requests.stream()
        .map(r -> Arrays.toString(Arrays.copyOf(r.promptTokenIds(), 64))).distinct().count();
    long distinctSuffixes = requests.stream()
        .map(r -> Arrays.toString(Arrays.copyOfRange(r.promptTokenIds(), 64, 114))).distinct()
        .count();
    assertThat(distinctPrefixes).isEqualTo(2);
    assertThat(distinctSuffixes).isEqualTo(requests.size());
  }

  @Test
  void aSessionsNextTurnExtendsThePromptAndAnswerBeforeIt() {
    WorkloadSpec spec = new WorkloadSpec("s", new Arrivals.Poisson(), new Lengths.Fixed(30),
        new Lengths.Fixed(20), 0, 0, 3, 1);
    SyntheticWorkload workload = new SyntheticWorkload(spec, 10, 1, 1, 8192, 3);
    WorkloadRequest first = workload.next();

    WorkloadRequest second = workload.followUp(first, 5_000_000_000L);
    WorkloadRequest third = workload.followUp(second, 9_000_000_000L);

    assertThat(workload.next()).isNull();
    assertThat(second.sessionId()).isEqualTo(first.sessionId());
    assertThat(second.arrivalNanos()).isGreaterThanOrEqualTo(5_000_000_000L);
    assertThat(second.promptTokenIds()).hasSize(30 + 20 + 30)
        .startsWith(first.promptTokenIds());
    assertThat(third.promptTokenIds()).startsWith(second.promptTokenIds());
    assertThat(workload.followUp(third, 10_000_000_000L)).as("three turns").isNull();
  }

  @Test
  void aTraceReplaysItsArrivalsLengthsAndSharedPrefixes() throws Exception {
    Path file = dir.resolve("trace.jsonl");
    try (TraceWriter writer = new TraceWriter(file)) {
      writer.write(new TraceEntry(0, 100, 5, null, "g1", 48, null));
      writer.write(new TraceEntry(12.5, 80, 7, null, "g1", 48, null));
      writer.write(new TraceEntry(20, 60, 9, null, null, 0, null));
    }
    TraceWorkload.check(file);

    List<WorkloadRequest> requests;
    try (TraceWorkload workload = new TraceWorkload(file, 8192, 1)) {
      requests = all(workload);
    }

    assertThat(requests).extracting(WorkloadRequest::arrivalNanos)
        .containsExactly(0L, 12_500_000L, 20_000_000L);
    assertThat(requests).extracting(WorkloadRequest::outputTokens).containsExactly(5, 7, 9);
    assertThat(requests.get(0).promptTokenIds()).hasSize(100);
    assertThat(Arrays.copyOf(requests.get(1).promptTokenIds(), 48))
        .isEqualTo(Arrays.copyOf(requests.get(0).promptTokenIds(), 48));
    assertThat(requests.get(1).promptTokenIds()[48])
        .isNotEqualTo(requests.get(0).promptTokenIds()[48]);
  }

  @Test
  void promptsGivenAsTextShareTheTokensOfTheTextTheyShare() throws Exception {
    Path file = dir.resolve("text.jsonl");
    String system = "You are a careful assistant for the billing team. ".repeat(20);
    java.nio.file.Files.writeString(file, String.join("\n",
        "{\"arrival_ms\": 0, \"prompt\": \"" + system + "Where is my invoice?\", "
            + "\"output_tokens\": 4}",
        "{\"arrival_ms\": 5, \"prompt\": \"" + system + "Cancel my plan.\", "
            + "\"output_tokens\": 4}") + "\n");

    List<WorkloadRequest> requests;
    try (TraceWorkload workload = new TraceWorkload(file, 8192, 1)) {
      requests = all(workload);
    }

    int[] a = requests.get(0).promptTokenIds();
    int[] b = requests.get(1).promptTokenIds();
    int shared = 0;
    while (shared < Math.min(a.length, b.length) && a[shared] == b[shared]) {
      shared++;
    }
    assertThat(a.length).isGreaterThan(200);
    assertThat(shared).isGreaterThan(a.length * 9 / 10).isLessThan(a.length);
  }

  @Test
  void aBadTraceIsRefusedBeforeAnyRunWithItsLine() throws Exception {
    Path file = dir.resolve("bad.jsonl");
    java.nio.file.Files.writeString(file, "{\"arrival_ms\": 0, \"prompt_tokens\": 5, "
        + "\"output_tokens\": 3}\n{\"arrival_ms\": 1, \"prompt_tokens\": 5}\n");

    assertThatThrownBy(() -> TraceWorkload.check(file)).hasMessageContaining(":2:")
        .hasMessageContaining("output_tokens");
  }
}
