package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.runtime.redis.RedisProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged jar as separate processes, as a user does: an engine simulator, a discovery
 * sidecar registering it in a real Redis, and a scheduler finding it there.
 */
class RunnableJarIT {

  static final String JAR = System.getProperty("llumnix.jar", "target/llumnix.jar");
  static final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path logs;
  final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (Process process : processes) {
      process.destroy();
    }
    for (Process process : processes) {
      process.waitFor();
    }
  }

  Process run(String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow"); // as ./llumnix runs it
    }
    command.addAll(List.of("-jar", JAR));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile()).start();
    processes.add(process);
    return process;
  }

  String log(String name) throws IOException {
    return Files.readString(logs.resolve(name + ".log"));
  }

  static HttpResponse<String> post(int port, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code count} different ports that are free now (all held open while they are chosen). */
  static int[] distinctFreePorts(int count) throws IOException {
    java.net.ServerSocket[] sockets = new java.net.ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new java.net.ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (java.net.ServerSocket socket : sockets) {
        if (socket != null) {
          socket.close();
        }
      }
    }
  }

  /**
   * A base port below 40000 with {@code count} free ports from it, and their KV-transfer ports
   * ({@code + offset}) free too, so that engines' ports stay under 65536.
   */
  static int lowFreePorts(int count, int offset) throws IOException {
    for (int base = 21000 + (int) (ProcessHandle.current().pid() % 1000) * 10; base < 40000;
        base += count) {
      boolean free = true;
      for (int i = 0; i < count && free; i++) {
        free = isFree(base + i) && isFree(base + i + offset);
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free ports below 40000");
  }

  private static boolean isFree(int port) {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void versionAndBadFlags() throws Exception {
    Process version = run("version", "version");
    assertThat(version.waitFor()).isZero();
    assertThat(log("version")).startsWith("llumnix ");
    Process bad = run("bad", "engine-sim", "--nosuch");
    assertThat(bad.waitFor()).isEqualTo(2);
    assertThat(log("bad").strip().lines()).hasSize(1);
  }

  @Test
  void engineDiscoveryAndSchedulerWorkTogether() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      int[] ports = distinctFreePorts(3);
      int engine = ports[0];
      int scheduler = ports[1];
      run("engine", "engine-sim", "--host", "127.0.0.1", "--port", String.valueOf(engine),
          "--model", "m", "--kv-transfer-port-offset", String.valueOf(ports[2] - engine));
      run("discovery", "discovery", "--pod-name", "engine-0", "--entrypoint-ip", "127.0.0.1",
          "--entrypoint-port", String.valueOf(engine), "--redis-port",
          String.valueOf(redis.port()), "--interval", "0.2");
      run("scheduler", "scheduler", "--no-enable-full-mode-scheduling", "--host", "127.0.0.1",
          "--port", String.valueOf(scheduler),
          "--discovery-redis-port", String.valueOf(redis.port()),
          "--discovery-redis-refresh-interval-ms", "100");

      String request = "{\"id\":\"r1\",\"scheduling_mode\":\"neutral\","
          + "\"scheduling_stage\":\"prefill\"}";
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
          assertThat(post(scheduler, "/schedule", request).body())
              .as("scheduler log: %s%ndiscovery log: %s", log("scheduler"), log("discovery"))
              .contains("\"port\":" + engine));
      HttpResponse<String> completion = post(engine, "/v1/completions",
          "{\"prompt\":\"hello\",\"max_tokens\":3}");
      assertThat(completion.statusCode()).isEqualTo(200);
      assertThat(completion.body()).contains("\"completion_tokens\":3");
    }
  }

  @Test
  void localStartsAClusterWhosePrintedCurlStreamsAndBenchReports() throws Exception {
    int engines = lowFreePorts(2, 20000);
    int[] ports = distinctFreePorts(2);
    int gateway = ports[0];
    int scheduler = ports[1];
    Process local = run("local", "local", "--port", String.valueOf(gateway), "--scheduler-port",
        String.valueOf(scheduler), "--engine-base-port", String.valueOf(engines), "--instances",
        "2", "--speedup", "10");
    await().atMost(Duration.ofSeconds(30)).failFast("local exited", () -> !local.isAlive())
        .until(() -> log("local").contains("Ctrl-C"));
    String curl = log("local").lines().filter(l -> l.contains("curl -N")).findFirst()
        .orElseThrow().trim();
    Process shell = new ProcessBuilder("bash", "-c", curl).redirectErrorStream(true).start();
    String streamed = new String(shell.getInputStream().readAllBytes());
    assertThat(shell.waitFor()).isZero();
    assertThat(streamed).contains("chat.completion.chunk", "data: [DONE]");

    Path report = logs.resolve("report.json");
    Process bench = run("bench", "bench", "--url", "http://127.0.0.1:" + gateway,
        "--num-requests", "20", "--max-concurrency", "4", "--output-tokens", "8",
        "--no-progress", "--output", report.toString());
    assertThat(bench.waitFor()).as(log("bench")).isZero();
    assertThat(log("bench")).contains("Requests completed:          20 (0 failed)", "TTFT");
    assertThat(Files.readString(report)).contains("\"completed\" : 20");

    local.destroy(); // SIGTERM: everything stops
    assertThat(local.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void fullModeAcrossProcessesWithTheCmsInRedis() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      int[] ports = distinctFreePorts(4);
      int engine = ports[0];
      int scheduler = ports[1];
      int gateway = ports[2];
      String redisPort = String.valueOf(redis.port());
      run("engine", "engine-sim", "--host", "127.0.0.1", "--port", String.valueOf(engine),
          "--model", "m", "--enable-llumlet", "--cms-redis-port", redisPort,
          "--kv-transfer-port-offset", String.valueOf(ports[3] - engine));
      run("scheduler", "scheduler", "--host", "127.0.0.1", "--port", String.valueOf(scheduler),
          "--cms-redis-port", redisPort, "--cms-pull-metadata-interval-ms", "200");
      run("gateway", "gateway", "--host", "127.0.0.1", "--port", String.valueOf(gateway),
          "--scheduler-endpoints", "127.0.0.1:" + scheduler, "--llm-backend-discovery",
          "endpoints", "--llm-backend-endpoints", "127.0.0.1:" + engine);

      String request = "{\"id\":\"r1\",\"scheduling_mode\":\"neutral\","
          + "\"scheduling_stage\":\"prefill\"}";
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
          assertThat(post(scheduler, "/schedule", request).body())
              .as("scheduler log: %s%nengine log: %s", log("scheduler"), log("engine"))
              .contains("\"id\":\"127.0.0.1:" + engine + "\""));
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
        HttpResponse<String> chat = post(gateway, "/v1/chat/completions",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":3}");
        assertThat(chat.statusCode()).as(log("gateway")).isEqualTo(200);
        assertThat(chat.body()).contains("\"completion_tokens\":3");
      });
      assertThat(http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + scheduler + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body())
          .contains("instance_cms_running_requests{infer_type=\"neutral\",instance_id=\"127.0.0.1:"
              + engine + "\"}");
    }
  }

  @Test
  void prefillAndDecodeEnginesInProcessesOfTheirOwnServeThroughAPdGateway() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      int offset = 7000;
      int prefill = lowFreePorts(2, offset);
      int decode = prefill + 1;
      int[] ports = distinctFreePorts(2);
      int scheduler = ports[0];
      int gateway = ports[1];
      String redisPort = String.valueOf(redis.port());
      for (String role : List.of("prefill", "decode")) {
        run(role, "engine-sim", "--host", "127.0.0.1", "--port",
            String.valueOf(role.equals("prefill") ? prefill : decode), "--model", "m",
            "--tokenizer-name", "builtin", "--kv-role", role, "--enable-llumlet",
            "--cms-redis-port", redisPort, "--kv-transfer-port-offset", String.valueOf(offset));
      }
      run("scheduler", "scheduler", "--host", "127.0.0.1", "--port", String.valueOf(scheduler),
          "--cms-redis-port", redisPort, "--cms-pull-metadata-interval-ms", "200");
      run("gateway", "gateway", "--host", "127.0.0.1", "--port", String.valueOf(gateway),
          "--scheduler-endpoints", "127.0.0.1:" + scheduler, "--tokenizer-name", "builtin",
          "--pd-disagg-protocol", "vllm-kvt", "--llm-backend-discovery", "endpoints",
          "--llm-backend-endpoints", "prefill@127.0.0.1:" + prefill + ",decode@127.0.0.1:"
              + decode);

      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
          metrics(scheduler).contains("instance_cms_running_requests{infer_type=\"prefill\"")
              && metrics(scheduler).contains(
                  "instance_cms_running_requests{infer_type=\"decode\""));
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
        HttpResponse<String> chat = post(gateway, "/v1/chat/completions",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":3,\"ignore_eos\":true}");
        assertThat(chat.statusCode()).as("gateway log: %s", log("gateway")).isEqualTo(200);
        assertThat(chat.body()).contains("\"completion_tokens\":3");
      });
      // The decode engine had the prefill computed on the prefill engine, over its KV port.
      assertThat(completed(prefill)).isPositive();
      assertThat(completed(decode)).isPositive();
      assertThat(log("gateway")).contains("prefill/decode over vllm-kvt (pd_batch)");
    }
  }

  /**
   * Live migration across processes: 50 streams on one engine (flood keeps choosing it), which
   * is then stopped with SIGTERM; the rescheduler's failover moves its requests to the other
   * engine while they stream, and every client gets all its tokens, once and in order.
   */
  @Test
  void aDrainedEngineMovesItsStreamsToAnotherWithoutLosingAToken() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      int offset = 7000;
      int first = lowFreePorts(2, offset);
      int[] ports = distinctFreePorts(2);
      int scheduler = ports[0];
      int gateway = ports[1];
      String redisPort = String.valueOf(redis.port());
      List<Process> engines = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        engines.add(run("engine-" + i, "engine-sim", "--host", "127.0.0.1", "--port",
            String.valueOf(first + i), "--model", "m", "--tokenizer-name", "builtin",
            "--enable-llumlet", "--cms-redis-port", redisPort, "--positional-output",
            "--kv-transfer-port-offset", String.valueOf(offset), "--drain-timeout", "60s"));
      }
      run("scheduler", "scheduler", "--host", "127.0.0.1", "--port", String.valueOf(scheduler),
          "--cms-redis-port", redisPort, "--cms-pull-metadata-interval-ms", "200",
          "--cms-pull-status-interval-ms", "50", "--scheduling-policy", "flood",
          "--colocated-rescheduling-mode", "--rescheduling-policies", "neutral_failover",
          "--rescheduling-interval-ms", "200");
      run("gateway", "gateway", "--host", "127.0.0.1", "--port", String.valueOf(gateway),
          "--scheduler-endpoints", "127.0.0.1:" + scheduler, "--tokenizer-name", "builtin",
          "--llm-backend-discovery", "endpoints", "--llm-backend-endpoints",
          "127.0.0.1:" + first + ",127.0.0.1:" + (first + 1));
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
          metrics(scheduler).lines().filter(l -> l.startsWith("instance_cms_running_requests{"))
              .count() == 2 && post(gateway, "/v1/completions",
                  "{\"model\":\"m\",\"prompt\":\"warm\",\"max_tokens\":1}")
              .statusCode() == 200);

      int n = 400;
      List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway + "/v1/completions")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"stream "
                + i + "\",\"max_tokens\":" + n + ",\"ignore_eos\":true,\"stream\":true}"))
            .build(), HttpResponse.BodyHandlers.ofString()));
      }
      // Flood sent them all to one engine; it is stopped while they stream.
      await().atMost(Duration.ofSeconds(30)).until(() ->
          completedTokens(first) + completedTokens(first + 1) > 500);
      int busy = completedTokens(first) > 0 ? 0 : 1;
      engines.get(busy).destroy(); // SIGTERM

      for (var stream : streams) {
        HttpResponse<String> response = stream.get(120, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> texts = new ArrayList<>();
        for (String event : io.llumnix.testing.Exposition.events(response.body())) {
          if (!event.equals("[DONE]")) {
            assertThat(event).doesNotContain("\"error\"");
            texts.add(new io.vertx.core.json.JsonObject(event).getJsonArray("choices")
                .getJsonObject(0).getString("text"));
          }
        }
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < n; t++) {
          expected.add(" " + t);
        }
        assertThat(texts).as("gateway log: %s", log("gateway")).containsExactlyElementsOf(expected);
      }
      assertThat(engines.get(busy).waitFor(60, TimeUnit.SECONDS))
          .as("the drained engine exits; its log: %s", log("engine-" + busy)).isTrue();
      assertThat(completedTokens(first + 1 - busy)).isPositive();
      assertThat(metrics(scheduler)).containsPattern(
          "scheduler_rescheduling_total\\{[^}]*\\} [1-9]");
    }
  }

  @Test
  void aGatewayStoppedWithSigtermLetsItsStreamsFinishThenEndsTheLateOnes() throws Exception {
    int[] ports = distinctFreePorts(4);
    int engine = ports[0];
    run("engine", "engine-sim", "--host", "127.0.0.1", "--port", String.valueOf(engine),
        "--model", "m", "--tokenizer-name", "builtin", "--kv-transfer-port-offset",
        String.valueOf(ports[3] - engine));
    for (int gateway : new int[] {ports[1], ports[2]}) {
      run("gateway-" + gateway, "gateway", "--host", "127.0.0.1", "--port",
          String.valueOf(gateway), "--scheduling-policy", "round-robin", "--tokenizer-name",
          "builtin", "--llm-backend-discovery", "endpoints", "--llm-backend-endpoints",
          "127.0.0.1:" + engine, "--shutdown-timeout", gateway == ports[1] ? "60s" : "1s");
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> post(gateway,
          "/v1/completions", "{\"model\":\"m\",\"prompt\":\"warm\",\"max_tokens\":1}")
          .statusCode() == 200);
    }
    // The patient streams run ~10 s more after SIGTERM: long enough that their gateway still
    // listens (draining) when the late request comes, well within its 60 s.
    Process patient = processes.get(1);
    Process hasty = processes.get(2);
    List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
    for (int i = 0; i < 110; i++) {
      int gateway = i < 100 ? ports[1] : ports[2];
      streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + gateway + "/v1/completions")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"drain "
              + i + "\",\"max_tokens\":" + (i < 100 ? 1200 : 3000)
              + ",\"ignore_eos\":true,\"stream\":true}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> metrics(engine).lines().anyMatch(
        l -> l.startsWith("vllm:num_requests_running{") && l.endsWith(" 110.0")));
    patient.destroy(); // SIGTERM
    hasty.destroy();
    // A client of its own, as a load balancer's probe is: the shared one multiplexes over
    // HTTP/2, where these would queue behind the 100 streams (the server's stream limit).
    HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> probe.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[1] + "/healthz"))
            .timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode() == 503);
    HttpResponse<String> late = probe.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + ports[1] + "/v1/completions"))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"m\",\"prompt\":\"too late\",\"max_tokens\":1}"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(late.statusCode()).isEqualTo(503);
    assertThat(late.body()).contains("shutting down");
    for (int i = 0; i < 110; i++) {
      HttpResponse<String> response = streams.get(i).get(120, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      List<String> events = io.llumnix.testing.Exposition.events(response.body());
      assertThat(events).last().isEqualTo("[DONE]");
      if (i < 100) { // within its gateway's 60 s: whole
        assertThat(response.body()).doesNotContain("\"error\"")
            .contains("\"finish_reason\":\"length\"");
      } else { // beyond its gateway's 1 s: ended with an error event
        assertThat(events.get(events.size() - 2)).contains("\"error\"")
            .contains("shutting down");
      }
    }
    assertThat(patient.waitFor(30, TimeUnit.SECONDS)).as(log("gateway-" + ports[1])).isTrue();
    assertThat(hasty.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(log("gateway-" + ports[1])).contains("draining 100 request(s)");
  }

  /** Output tokens the engine on {@code port} produced. */
  static int completedTokens(int port) throws Exception {
    return (int) metrics(port).lines().filter(l -> l.startsWith("vllm:generation_tokens_total{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void cacheAwareSchedulingAcrossProcessesThroughLlumnixKvs() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      int offset = 7000;
      int engine = lowFreePorts(2, offset);
      int[] ports = distinctFreePorts(3);
      int kvs = ports[0];
      int scheduler = ports[1];
      int gateway = ports[2];
      String redisPort = String.valueOf(redis.port());
      run("kvs", "kvs", "--host", "127.0.0.1", "--port", String.valueOf(kvs),
          "--kvs-redis-port", redisPort, "--kvs-redis-host", "127.0.0.1");
      run("engines", "engine-sim", "--host", "127.0.0.1", "--port", String.valueOf(engine),
          "--instances", "2", "--model", "m", "--tokenizer-name", "builtin",
          "--enable-llumlet", "--cms-redis-port", redisPort,
          "--kv-transfer-port-offset", String.valueOf(offset), "--kvs-backend", "mooncake",
          "--kvs-metadata-service-http-server-host", "127.0.0.1",
          "--kvs-metadata-service-http-server-port", String.valueOf(kvs));
      run("scheduler", "scheduler", "--host", "127.0.0.1", "--port", String.valueOf(scheduler),
          "--cms-redis-port", redisPort, "--cms-pull-metadata-interval-ms", "200",
          "--enable-cache-aware-scheduling", "--kvs-backend", "mooncake",
          "--kvs-metadata-service-http-server-host", "127.0.0.1",
          "--kvs-metadata-service-http-server-port", String.valueOf(kvs),
          "--cache-aware-scheduling-min-tokens", "64");
      run("gateway", "gateway", "--host", "127.0.0.1", "--port", String.valueOf(gateway),
          "--scheduler-endpoints", "127.0.0.1:" + scheduler, "--tokenizer-name", "builtin",
          "--llm-backend-discovery", "endpoints", "--llm-backend-endpoints",
          "127.0.0.1:" + engine + ",127.0.0.1:" + (engine + 1));

      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 300; i++) {
        prefix.append(i == 0 ? "" : ",").append(1000 + i);
      }
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
          metrics(scheduler).lines().filter(l -> l.startsWith("instance_cms_running_requests{"))
              .count() == 2 && completed(engine) + completed(engine + 1) == 0
              && metrics(kvs).contains("kvs_store_up 1.0"));
      // The first request computes the prefix somewhere; the next ones follow it there.
      List<Integer> served = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        double[] before = {completed(engine), completed(engine + 1)};
        String body = "{\"model\":\"m\",\"max_tokens\":2,\"prompt\":[" + prefix + ","
            + (5000 + r) + "]}";
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
            assertThat(post(gateway, "/v1/completions", body).statusCode())
                .as("gateway log: %s%nscheduler log: %s", log("gateway"), log("scheduler"))
                .isEqualTo(200));
        served.add(completed(engine) > before[0] ? engine
            : completed(engine + 1) > before[1] ? engine + 1 : -1);
        // The next request looks up once the scheduler's account shows nothing in flight.
        await().atMost(Duration.ofSeconds(10)).until(() -> !metrics(scheduler).lines()
            .filter(l -> l.startsWith("instance_cms_inflight_dispatch_requests{"))
            .anyMatch(l -> !l.endsWith(" 0.0")));
      }
      assertThat(served).as("engines that served the requests").doesNotContain(-1)
          .containsOnly(served.get(0));
      // The first found nothing cached; the next two their first 256-token chunk (85 %).
      assertThat(metrics(scheduler)).contains("scheduler_kvs_metadata_service_up 1.0")
          .contains("request_prefix_cache_hit_percent_bucket{le=\"80.0\"} 1\n")
          .contains("request_prefix_cache_hit_percent_bucket{le=\"90.0\"} 3\n");
      assertThat(metrics(kvs)).containsPattern("kvs_hit_keys_total [1-9]");
    }
  }

  static String metrics(int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Requests the engine on {@code port} finished. */
  static double completed(int port) throws Exception {
    return metrics(port).lines().filter(l -> l.startsWith("vllm:request_success_total{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
