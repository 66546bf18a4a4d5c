package io.llumnix.benchmarks;

import io.llumnix.enginesim.EngineInstance;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.StepTiming;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.StepProfile;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load run of the engine simulator in real time: {@code instances} engines in this JVM, each
 * kept busy by {@code streams} concurrent streaming requests (a new one starts when one ends),
 * for {@code seconds} after 8 seconds of warm-up. Reports tokens per second, the CPU cost per emitted token, and how closely
 * the engines' steps kept the step model's pace (measured / model step time).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.llumnix.benchmarks.EngineLoadRun 32 64 30
 * </pre>
 */
public final class EngineLoadRun {

  private EngineLoadRun() {}

  public static void main(String[] args) throws Exception {
    int instances = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int streams = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    String profile = args.length > 3 ? args[3] : "llama3-8b-h100";
    int basePort = 23000;

    EngineSettings settings = EngineSettings.builder().model("m").outputLengthMean(0)
        .tokenizer(TokenizerSource.BUILTIN)
        .core(CoreConfig.builder().profile(StepProfile.named(profile)).seed(1).build()).build();
    try (EngineSimulator simulator =
        EngineSimulator.start(settings, "127.0.0.1", basePort, instances, 20000)) {
      Vertx vertx = VertxFactory.create(new VertxOptions().setEventLoopPoolSize(2));
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(streams));
      AtomicLong events = new AtomicLong();
      AtomicLong completed = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      int warmupSeconds = 8;
      // Cleared once the window is measured: no stream starts after it, so none is refused by
      // the closing client (and those it cuts are not counted as failures).
      AtomicBoolean running = new AtomicBoolean(true);
      String body = "{\"prompt\":\"" + "benchmark prompt words ".repeat(120)
          + "\",\"max_tokens\":400,\"ignore_eos\":true,\"stream\":true}";
      for (int i = 0; i < instances; i++) {
        for (int s = 0; s < streams; s++) {
          loop(client, basePort + i, body, running, events, completed, failed);
        }
      }
      Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds)); // JIT, connection set-up
      var runtime = ManagementFactory.getPlatformMXBean(
          com.sun.management.OperatingSystemMXBean.class);
      long cpuStart = runtime.getProcessCpuTime();
      long wallStart = System.nanoTime();
      long eventsStart = events.get();
      List<StepTiming> before = timings(simulator);
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      long cpu = runtime.getProcessCpuTime() - cpuStart;
      long wall = System.nanoTime() - wallStart;
      long tokens = events.get() - eventsStart;
      List<StepTiming> after = timings(simulator);
      running.set(false);
      double[] ratios = new double[instances];
      long steps = 0;
      for (int i = 0; i < instances; i++) {
        long model = after.get(i).modelNanos() - before.get(i).modelNanos();
        long measured = after.get(i).measuredNanos() - before.get(i).measuredNanos();
        steps += after.get(i).steps() - before.get(i).steps();
        ratios[i] = (double) measured / model;
      }
      java.util.Arrays.sort(ratios);
      double modelStepMs = 0;
      for (int i = 0; i < instances; i++) {
        modelStepMs += (after.get(i).modelNanos() - before.get(i).modelNanos()) / 1e6;
      }
      System.out.printf("instances=%d streams/instance=%d profile=%s window=%.1fs%n", instances,
          streams, profile, wall / 1e9);
      System.out.printf("tokens streamed: %d (%.0f tok/s), completed requests: %d, failed: %d%n",
          tokens, tokens / (wall / 1e9), completed.get(), failed.get());
      System.out.printf("CPU: %.2f cores busy, %.2f us CPU per emitted token (server + client)%n",
          cpu / (double) wall, cpu / 1e3 / Math.max(1, tokens));
      System.out.printf("steps: %d, mean model step %.2f ms; measured/model step time: "
              + "median %.3f, min %.3f, max %.3f%n", steps, modelStepMs / Math.max(1, steps),
          ratios[instances / 2], ratios[0], ratios[instances - 1]);
      client.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static List<StepTiming> timings(EngineSimulator simulator) {
    List<StepTiming> result = new ArrayList<>();
    for (EngineInstance instance : simulator.instances()) {
      result.add(instance.stepTiming());
    }
    return result;
  }

  private static void loop(HttpClient client, int port, String body, AtomicBoolean running,
      AtomicLong events, AtomicLong completed, AtomicLong failed) {
    if (!running.get()) {
      return;
    }
    client.request(HttpMethod.POST, port, "127.0.0.1", "/v1/completions")
        .compose(req -> req.putHeader("Content-Type", "application/json")
            .send(Buffer.buffer(body)))
        .compose(response -> {
          response.handler(chunk -> events.addAndGet(count(chunk)));
          return response.end();
        })
        .onComplete(ar -> {
          if (!running.get()) {
            return;
          }
          if (ar.succeeded()) {
            completed.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
          loop(client, port, body, running, events, completed, failed);
        });
  }

  /** SSE events in a chunk: counts "data: " prefixes without decoding. */
  private static int count(Buffer chunk) {
    int n = 0;
    int length = chunk.length();
    for (int i = 0; i + 5 < length; i++) {
      if (chunk.getByte(i) == 'd' && chunk.getByte(i + 1) == 'a' && chunk.getByte(i + 4) == ':'
          && (i == 0 || chunk.getByte(i - 1) == '\n')) {
        n++;
      }
    }
    return n;
  }
}
