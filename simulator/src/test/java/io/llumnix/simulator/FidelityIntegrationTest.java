package io.llumnix.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llumnix.bench.BenchReport;
import io.llumnix.bench.BenchSettings;
import io.llumnix.bench.LengthDistribution;
import io.llumnix.bench.LoadGenerator;
import io.llumnix.bench.trace.TraceEntry;
import io.llumnix.bench.trace.TraceWriter;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.gateway.GatewayConfig;
import io.llumnix.local.LocalCluster;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.simulator.report.PolicyResult;
import io.llumnix.simulator.workload.TraceWorkload;
import io.llumnix.testing.Exposition;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulation against the real thing: one workload through a real-time local cluster
 * (gateway, scheduler and two engine simulators over HTTP, full mode) and, from the trace bench
 * recorded of it, through the simulation of the same cluster. TTFT and TPOT medians agree within
 * 15%. What the host's speed decides is taken from the gateway's own metrics over the same
 * requests, not guessed: the simulation leaves admission out (its requests arrive tokenized), so
 * the real TTFT is taken less the mean preprocessing time, and it models the scheduling round
 * trip as a constant, so it is given the mean measured one. Each is a few milliseconds that
 * depends on the host (tokenizing 3,000 words, sending their ids to the scheduler) and alone
 * could move a slow machine past the tolerance. Long prompts keep the rest of the real
 * cluster's overhead (the HTTP hops) small against the modelled prefill.
 */
class FidelityIntegrationTest {

  static final double TOLERANCE = 0.15;

  @TempDir Path dir;

  @Test
  void realTimeClusterAndSimulationAgreeOnTheMediansAtEachLoad() throws Exception {
    CoreConfig core = CoreConfig.builder().maxNumSeqs(256).numGpuBlocks(8192).maxModelLen(4096)
        .seed(1).build();
    try (LocalCluster cluster = LocalCluster.builder().instances(2).engineBasePort(0)
        .engine(EngineSettings.builder().model("m").outputLengthMean(0).core(core)
            .tokenizer(TokenizerSource.BUILTIN).build())
        .tokenizer(TokenizerSource.BUILTIN).cms(LocalCluster.Cms.IN_PROCESS)
        .gateway(GatewayConfig.builder().host("127.0.0.1").port(0).maxModelLen(4096).build())
        .scheduler(SchedulerConfig.builder().host("127.0.0.1").port(0).build())
        .start()) {
      Vertx vertx = Vertx.vertx();
      try {
        org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS)
            .until(cluster::gatewayReady);
        URI gateway = URI.create("http://127.0.0.1:" + cluster.gatewayPort());
        // A fresh JVM interprets before it compiles: warm the path first, measure after.
        run(vertx, gateway, 32, 8, 99);
        // A new seed per load: the same prompts again would hit the engines' prefix caches.
        long seed = 1;
        for (double rate : new double[] {4, 8, 12}) {
          Phases before = gatewayPhases(cluster.gatewayPort());
          BenchReport real = run(vertx, gateway, 48, rate, seed++);
          Phases after = gatewayPhases(cluster.gatewayPort());
          compare(core, real, after.since(before), rate);
        }
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  private static BenchReport run(Vertx vertx, URI gateway, int requests, double rate,
      long seed) throws Exception {
    return LoadGenerator.run(vertx, new BenchSettings(gateway, false, "m", requests, rate, true,
            64, 3000, LengthDistribution.FIXED, 64, LengthDistribution.FIXED, 0, 0, true, seed,
            0, 0, 60_000), (finished, failed, total) -> { })
        .await(120, TimeUnit.SECONDS);
  }

  /** What the gateway measured of its requests so far: milliseconds in all, and requests. */
  private record Phases(double preprocessMs, double scheduleMs, double requests) {
    /** The mean of each phase over the requests between {@code earlier} and this. */
    Phases since(Phases earlier) {
      double n = requests - earlier.requests;
      return new Phases((preprocessMs - earlier.preprocessMs) / n,
          (scheduleMs - earlier.scheduleMs) / n, n);
    }
  }

  private static Phases gatewayPhases(int gatewayPort) throws Exception {
    String metrics;
    try (HttpClient http = HttpClient.newHttpClient()) {
      metrics = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + gatewayPort + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    }
    return new Phases(
        Exposition.sum(metrics, "request_preprocess_duration_milliseconds_sum"),
        Exposition.sum(metrics, "request_schedule_duration_milliseconds_sum"),
        Exposition.sum(metrics, "request_preprocess_duration_milliseconds_count"));
  }

  private void compare(CoreConfig core, BenchReport real, Phases measured, double rate)
      throws Exception {
    assertThat(real.errors()).isEmpty();
    Path trace = dir.resolve("trace-" + rate + ".jsonl");
    try (TraceWriter writer = new TraceWriter(trace)) {
      for (TraceEntry entry : real.trace()) {
        writer.write(entry);
      }
    }
    PolicyResult simulated;
    long rttMicros = Math.round(measured.scheduleMs() * 1000);
    try (TraceWorkload workload = new TraceWorkload(trace, core.maxModelLen(), 3)) {
      simulated = Simulation.run(SimulationSettings.builder().instances(2).core(core)
              .network(rttMicros, SimulationSettings.DEFAULT_NETWORK_MICROS).build(),
          PolicyChoice.parse("full:load-balance"), workload);
    }
    double realTtft = real.ttft().p50() - measured.preprocessMs();
    double realTpot = real.tpot().p50();
    System.out.printf(java.util.Locale.ROOT, "fidelity at %.0f req/s: TTFT p50 real %.1f ms"
        + " (%.1f without admission), simulated %.1f ms (scheduling %.2f ms); TPOT p50 real"
        + " %.2f ms, simulated %.2f ms%n", rate, real.ttft().p50(), realTtft,
        simulated.ttftMs().p50(), measured.scheduleMs(), realTpot, simulated.tpotMs().p50());
    assertThat(simulated.completed()).isEqualTo(real.completed());
    assertThat(simulated.ttftMs().p50()).as("TTFT p50 at %s req/s", rate)
        .isCloseTo(realTtft, within(TOLERANCE * realTtft));
    assertThat(simulated.tpotMs().p50()).as("TPOT p50 at %s req/s", rate)
        .isCloseTo(realTpot, within(TOLERANCE * realTpot));
  }
}
