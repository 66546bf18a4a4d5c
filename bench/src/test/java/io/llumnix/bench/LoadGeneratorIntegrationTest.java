package io.llumnix.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.bench.trace.TraceEntry;
import io.llumnix.bench.trace.TraceReader;
import io.llumnix.bench.trace.TraceWriter;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against a real engine simulator over HTTP. */
class LoadGeneratorIntegrationTest {

  static EngineSimulator engine;
  static Vertx vertx;
  static URI url;

  @BeforeAll
  static void start() {
    CoreConfig core = CoreConfig.builder().maxNumBatchedTokens(4096).maxNumSeqs(256)
        .numGpuBlocks(8192).maxModelLen(4096).seed(1).build();
    engine = EngineSimulator.start(EngineSettings.builder().model("sim").core(core).speedup(50)
        .outputLengthMean(64).tokenizer(TokenizerSource.BUILTIN).build(), "127.0.0.1", 0, 1,
        20000);
    url = URI.create("http://127.0.0.1:" + engine.ports().get(0));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
  }

  static BenchSettings settings(URI target, boolean chat, String model, int n, double rate) {
    return new BenchSettings(target, chat, model, n, rate, true, 8, 64, LengthDistribution.FIXED,
        8, LengthDistribution.FIXED, 2, 32, true, 7, 0, 0, 30_000);
  }

  static BenchReport run(BenchSettings settings, List<Integer> progress) throws Exception {
    return LoadGenerator.run(vertx, settings, (finished, failed, total) -> progress.add(finished))
        .await(60, TimeUnit.SECONDS);
  }

  @Test
  void measuresEveryRequestOfAChatRun() throws Exception {
    List<Integer> progress = new ArrayList<>();
    BenchReport report = run(settings(url, true, "", 40, Double.POSITIVE_INFINITY), progress);

    assertThat(report.completed()).isEqualTo(40);
    assertThat(report.errors()).isEmpty();
    assertThat(report.outputTokens()).isEqualTo(40 * 8);
    assertThat(report.inputTokens()).isGreaterThanOrEqualTo(40 * (64 + 32));
    assertThat(report.ttft().samples()).isEqualTo(40);
    assertThat(report.itl().samples()).isEqualTo(40 * 7);
    assertThat(report.ttft().p50()).isPositive();
    assertThat(report.e2e().p99()).isGreaterThanOrEqualTo(report.e2e().p50());
    assertThat(report.tpot().mean()).isPositive();
    assertThat(progress).hasSize(40).endsWith(40);

    JsonObject json = report.toJson();
    assertThat(json.getInteger("completed")).isEqualTo(40);
    assertThat(json.getJsonObject("ttft_ms").getInteger("samples")).isEqualTo(40);
    assertThat(report.toText()).contains("TTFT", "TPOT", "ITL", "E2E", "Goodput")
        .doesNotContain("Warm-up");
    assertThat(json.getInteger("warmup_requests")).isZero();
  }

  @Test
  void aWarmUpStreamsFromTheBenchItselfAndIsNotMeasured() throws Exception {
    for (boolean chat : new boolean[] {true, false}) {
      long before = enginesRequests();
      BenchSettings warmed = new BenchSettings(url, chat, "sim", 12, Double.POSITIVE_INFINITY,
          true, 4, 64, LengthDistribution.FIXED, 8, LengthDistribution.FIXED, 0, 0, true, 1, 0,
          0, 30_000, 50);
      List<Integer> progress = new ArrayList<>();
      BenchReport report = run(warmed, progress);

      assertThat(report.completed()).isEqualTo(12);
      assertThat(report.errors()).isEmpty();
      assertThat(report.outputTokens()).isEqualTo(12 * 8);
      assertThat(report.ttft().samples()).isEqualTo(12);
      assertThat(report.trace()).hasSize(12);
      assertThat(report.warmedUp()).isEqualTo(50);
      assertThat(report.toJson().getInteger("warmup_requests")).isEqualTo(50);
      assertThat(report.toText()).contains("Warm-up (not measured):      50 requests");
      assertThat(progress).hasSize(12);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(enginesRequests() - before).as("requests the engine served")
              .isEqualTo(12));
    }
  }

  /** Requests the engine finished, from its vLLM metrics. */
  static long enginesRequests() throws Exception {
    String metrics = new String(url.resolve("/metrics").toURL().openStream().readAllBytes());
    return metrics.lines().filter(l -> l.startsWith("vllm:request_success_total"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void completionsAtAPoissonRate() throws Exception {
    BenchReport report = run(settings(url, false, "sim", 30, 200), new ArrayList<>());
    assertThat(report.completed()).isEqualTo(30);
    assertThat(report.outputTokens()).isEqualTo(30 * 8);
  }

  @Test
  void goodputCountsOnlyRequestsWithinTheSlos() throws Exception {
    BenchSettings strict = new BenchSettings(url, true, "sim", 10, Double.POSITIVE_INFINITY,
        true, 4, 64, LengthDistribution.FIXED, 8, LengthDistribution.FIXED, 0, 0, true, 1,
        0.000001, 0, 30_000);
    BenchReport report = run(strict, new ArrayList<>());
    assertThat(report.completed()).isEqualTo(10);
    assertThat(report.goodput()).isZero();
  }

  @Test
  void recordsTheTraceOfWhatWasSent(@TempDir Path dir) throws Exception {
    int n = 40;
    double rate = 400;
    BenchSettings fixedRate = new BenchSettings(url, true, "sim", n, rate, false, 8, 64,
        LengthDistribution.FIXED, 8, LengthDistribution.FIXED, 3, 32, true, 7, 0, 0, 30_000);
    BenchReport report = run(fixedRate, new ArrayList<>());
    assertThat(report.completed()).isEqualTo(n);

    List<TraceEntry> trace = report.trace();
    assertThat(trace).hasSize(n);
    // Every prompt has one length, so each request's usage is the run's total over n.
    long usage = report.inputTokens() / n;
    assertThat(usage * n).isEqualTo(report.inputTokens());
    // The chat template adds tokens: this is the server's count, not our 64 + 32 words.
    assertThat(usage).isGreaterThan(64 + 32);
    double t = 0;
    for (int i = 0; i < n; i++) {
      // The generator's even schedule, drawn the way it draws it.
      t += i > 0 ? 1e9 / rate : 0;
      assertThat(trace.get(i).arrivalMs()).isEqualTo((long) t / 1e6);
      assertThat(trace.get(i).prefixId()).matches("g[0-2]");
      assertThat(trace.get(i).prefixTokens()).isEqualTo(32);
      assertThat(trace.get(i).promptTokens()).isEqualTo(usage);
      assertThat(trace.get(i).outputTokens()).isEqualTo(8);
    }
    assertThat(trace).extracting(TraceEntry::arrivalMs).isSorted();
    assertThat(trace).extracting(TraceEntry::prefixId).contains("g0", "g1", "g2");
    assertThat(report.outputTokens()).isEqualTo(n * 8);

    Path file = dir.resolve("trace.jsonl");
    try (TraceWriter writer = new TraceWriter(file)) {
      for (TraceEntry entry : trace) {
        writer.write(entry);
      }
    }
    List<TraceEntry> read = new ArrayList<>();
    try (TraceReader reader = TraceReader.open(file)) {
      reader.forEachRemaining(read::add);
    }
    assertThat(read).isEqualTo(trace);
  }

  @Test
  void errorsAreCountedByKind() throws Exception {
    BenchReport unknownModel = run(settings(url, true, "nope", 5, Double.POSITIVE_INFINITY),
        new ArrayList<>());
    assertThat(unknownModel.errors()).containsEntry("http_404", 5);
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    BenchReport refused = run(settings(URI.create("http://127.0.0.1:" + closed), true, "m", 3,
        Double.POSITIVE_INFINITY), new ArrayList<>());
    assertThat(refused.errors()).containsEntry("connection", 3);
    assertThat(refused.completed()).isZero();
    // Without the server's usage, a prompt is as long as the words it was made of.
    assertThat(refused.trace()).extracting(TraceEntry::promptTokens).containsOnly(64 + 32);
  }
}
