package io.llumnix.cli;

import io.llumnix.bench.BenchReport;
import io.llumnix.bench.BenchSettings;
import io.llumnix.bench.LengthDistribution;
import io.llumnix.bench.LoadGenerator;
import io.llumnix.bench.trace.TraceEntry;
import io.llumnix.bench.trace.TraceWriter;
import io.llumnix.runtime.VertxFactory;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix bench}: load and a latency report for an OpenAI-compatible server. */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES},
    sortOptions = false,
    description = "Send load to any OpenAI-compatible server (the gateway, an engine, vLLM) and "
        + "report throughput, goodput, TTFT/TPOT/ITL/E2E (mean, p50, p90, p99) and errors by "
        + "kind.")
final class BenchCommand implements Callable<Integer> {

  @CommandLine.Mixin ConfigFileOption config;

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8089",
      description = "The server's base URL.")
  String url;

  @Option(names = "--endpoint", defaultValue = "chat",
      description = "chat (/v1/chat/completions) or completions (/v1/completions).")
  String endpoint;

  @Option(names = "--model", defaultValue = "",
      description = "Model to request; empty takes the first of /v1/models.")
  String model;

  @Option(names = "--num-requests", defaultValue = "200", description = "Requests to send.")
  int numRequests;

  @Option(names = "--request-rate", defaultValue = "inf",
      description = "Arrivals per second; inf sends as fast as --max-concurrency allows.")
  String requestRate;

  @Option(names = "--arrival", defaultValue = "poisson",
      description = "Arrival process: poisson or fixed (evenly spaced).")
  String arrival;

  @Option(names = "--max-concurrency", defaultValue = "64",
      description = "Most requests in flight.")
  int maxConcurrency;

  @Option(names = "--prompt-tokens", defaultValue = "256", description = "Mean prompt length.")
  int promptTokens;

  @Option(names = "--prompt-distribution", defaultValue = "fixed",
      description = "fixed, uniform or exponential.")
  String promptDistribution;

  @Option(names = "--output-tokens", defaultValue = "128", description = "Mean output length.")
  int outputTokens;

  @Option(names = "--output-distribution", defaultValue = "fixed",
      description = "fixed, uniform or exponential.")
  String outputDistribution;

  @Option(names = "--shared-prefix-groups", defaultValue = "0",
      description = "Prompts start with one of this many shared prefixes (0: none).")
  int sharedPrefixGroups;

  @Option(names = "--shared-prefix-tokens", defaultValue = "0",
      description = "Length of each shared prefix.")
  int sharedPrefixTokens;

  @Option(names = "--ignore-eos", defaultValue = "true", negatable = true, fallbackValue = "true",
      description = "Ask for exactly the sampled output length (vLLM's ignore_eos).")
  boolean ignoreEos;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of prompts and arrivals.")
  long seed;

  @Option(names = "--goodput-ttft-ms", defaultValue = "0",
      description = "Goodput counts requests with TTFT at most this (0: no bound).")
  double goodputTtft;

  @Option(names = "--goodput-tpot-ms", defaultValue = "0",
      description = "... and TPOT at most this (0: no bound).")
  double goodputTpot;

  @Option(names = "--warmup-requests", defaultValue = "200",
      description = "Requests streamed first from a loopback server of the bench's own, not "
          + "measured and never sent to --url: the bench's request path is compiled before "
          + "the first measured request, instead of spending that CPU inside the measurement "
          + "on a machine it shares with the servers (0: none).")
  int warmupRequests;

  @Option(names = "--timeout", defaultValue = "600",
      description = "Seconds before a request counts as a timeout.")
  double timeoutSeconds;

  @Option(names = "--output", paramLabel = "FILE", defaultValue = "",
      description = "Also write the report as JSON to FILE.")
  String output;

  @Option(names = "--record", paramLabel = "FILE", defaultValue = "",
      description = "Also write the requests sent as a JSONL trace to FILE, for "
          + "llumnix simulate --trace.")
  String record;

  @Option(names = "--progress", defaultValue = "true", negatable = true, fallbackValue = "true",
      description = "Show a live progress bar on standard error.")
  boolean showProgress;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    double rate = requestRate.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY
        : Double.parseDouble(requestRate);
    if (!endpoint.equals("chat") && !endpoint.equals("completions")) {
      throw new IllegalArgumentException(
          "--endpoint: " + endpoint + " (expected one of: [chat, completions])");
    }
    if (!arrival.equals("poisson") && !arrival.equals("fixed")) {
      throw new IllegalArgumentException(
          "--arrival: " + arrival + " (expected one of: [poisson, fixed])");
    }
    BenchSettings settings = new BenchSettings(URI.create(url), endpoint.equals("chat"), model,
        numRequests, rate, arrival.equals("poisson"), maxConcurrency, promptTokens,
        LengthDistribution.of(promptDistribution), outputTokens,
        LengthDistribution.of(outputDistribution), sharedPrefixGroups, sharedPrefixTokens,
        ignoreEos, seed, goodputTtft, goodputTpot, Math.round(timeoutSeconds * 1000),
        warmupRequests);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Vertx vertx = VertxFactory.create();
    try {
      ProgressBar bar = new ProgressBar(err, showProgress);
      BenchReport report = LoadGenerator.run(vertx, settings, bar::update)
          .await(Math.round(timeoutSeconds * numRequests) + 60, TimeUnit.SECONDS);
      bar.finish();
      out.print(report.toText());
      out.flush();
      if (!output.isEmpty()) {
        Files.writeString(Path.of(output), report.toJson().encodePrettily());
      }
      if (!record.isEmpty()) {
        try (TraceWriter trace = new TraceWriter(Path.of(record))) {
          for (TraceEntry entry : report.trace()) {
            trace.write(entry);
          }
        }
      }
      return 0;
    } finally {
      vertx.close();
    }
  }

  /** A one-line bar redrawn at most ten times a second. */
  private static final class ProgressBar {
    private final PrintWriter err;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private long lastDraw;

    ProgressBar(PrintWriter err, boolean enabled) {
      this.err = err;
      this.enabled = enabled;
    }

    void update(int finished, int failed, int total) {
      long now = System.nanoTime();
      if (!enabled || (now - lastDraw < 100_000_000 && finished < total)) {
        return;
      }
      lastDraw = now;
      int width = 30;
      int filled = (int) ((long) width * finished / total);
      double seconds = (now - started) / 1e9;
      err.printf(Locale.ROOT, "\r[%s%s] %d/%d done, %d failed, %.1f s", "#".repeat(filled),
          ".".repeat(width - filled), finished, total, failed, seconds);
      err.flush();
    }

    void finish() {
      if (enabled) {
        err.println();
      }
    }
  }
}
