package io.llumnix.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.core.time.ManualClock;
import io.llumnix.scheduler.api.SchedulingJson;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.testing.TestClocks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scheduler over real HTTP and WebSocket connections, in lite mode. */
class SchedulerIntegrationTest {

  static Vertx vertx;
  static WebClient web;
  static int loadBalance;
  static int roundRobin;
  static int empty;

  static final List<LlmInstance> NEUTRAL = List.of(
      LlmInstance.ofEndpoint("10.0.0.1", 8000), LlmInstance.ofEndpoint("10.0.0.2", 8000),
      LlmInstance.ofEndpoint("10.0.0.3", 8000), LlmInstance.ofEndpoint("10.0.0.4", 8000));
  static final List<LlmInstance> PD = List.of(
      new LlmInstance(1, "p0", "m", InferType.PREFILL, "10.0.1.1", 8000, "10.0.1.1", 28000, 0, 0),
      new LlmInstance(1, "d0", "m", InferType.DECODE, "10.0.2.1", 8000, "10.0.2.1", 28000, 0, 0),
      new LlmInstance(1, "d1", "m", InferType.DECODE, "10.0.2.2", 8000, "10.0.2.2", 28000, 0, 0));

  /** Timers of the schedulers: pings go out only when a test moves it. */
  static final ManualClock clock = TestClocks.onEventLoops(1_000_000);
  static final long PING_MILLIS = 1000;

  static int start(String policy, List<LlmInstance> instances) throws Exception {
    ComponentMetrics metrics = ComponentMetrics.create(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    SchedulerServer server = new SchedulerServer(SchedulerConfig.builder().host("127.0.0.1")
        .port(0).keepaliveIntervalMillis(PING_MILLIS).fullMode(false).policy(policy)
        .policyConfig(PolicyConfig.liteDefaults()).build(), metrics, null, clock);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    instances.forEach(server::up);
    return server.actualPort();
  }

  @BeforeAll
  static void startSchedulers() throws Exception {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    List<LlmInstance> all = new ArrayList<>(NEUTRAL);
    all.addAll(PD);
    loadBalance = start("load-balance", all);
    roundRobin = start("round-robin", NEUTRAL);
    empty = start("load-balance", List.of());
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A gateway's keepalive connection, answering pings as a WebSocket client does. */
  static WebSocket gateway(int port, String host, int gatewayPort) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket ws = client.connect(port, "127.0.0.1", "/keepalive").await(10, TimeUnit.SECONDS);
    var ok = new java.util.concurrent.CompletableFuture<String>();
    ws.textMessageHandler(ok::complete);
    ws.writeTextMessage(new JsonObject().put("host", host).put("port", gatewayPort).encode());
    assertThat(ok.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    return ws;
  }

  static JsonObject request(String id, String gatewayId, String mode, String stage) {
    return new JsonObject().put("id", id).put("model", "m").put("gateway_id", gatewayId)
        .put("scheduling_mode", mode).put("scheduling_stage", stage)
        .put("prompt_num_tokens", 100).put("prompt_token_ids", (Object) null);
  }

  static Future<HttpResponse<Buffer>> post(int port, String path, Object body) {
    Buffer buffer = body instanceof String s ? Buffer.buffer(s)
        : body instanceof JsonObject o ? o.toBuffer() : ((JsonArray) body).toBuffer();
    return web.post(port, "127.0.0.1", path).sendBuffer(buffer);
  }

  static HttpResponse<Buffer> done(Future<HttpResponse<Buffer>> future) throws Exception {
    return future.await(10, TimeUnit.SECONDS);
  }

  static String metrics(int port) throws Exception {
    return web.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString();
  }

  /** Every instance_lrs_* sample of the exposition, by series. */
  static Map<String, Double> lrsGauges(int port) throws Exception {
    Map<String, Double> gauges = new HashMap<>();
    Matcher m = Pattern.compile("^(instance_lrs_\\w+\\{[^}]*\\}) (\\S+)$", Pattern.MULTILINE)
        .matcher(metrics(port));
    while (m.find()) {
      gauges.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return gauges;
  }

  @Test
  void concurrentCyclesLeaveEveryLrsGaugeAtZero() throws Exception {
    List<WebSocket> gateways = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      gateways.add(gateway(loadBalance, "10.9.0." + g, 9000));
    }
    List<Future<?>> cycles = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String gatewayId = "10.9.0." + (i % 3) + ":9000";
      String id = "cycle-" + i;
      String mode = i % 2 == 0 ? "neutral" : "pd_batch";
      cycles.add(post(loadBalance, "/schedule", request(id, gatewayId, mode, "prefill"))
          .compose(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            JsonArray result = response.bodyAsJsonObject().getJsonArray("scheduling_result");
            JsonArray reports = new JsonArray();
            for (Object o : result) {
              JsonObject instance = (JsonObject) o;
              String instanceId = SchedulingRequestIds.id(instance);
              reports.add(new JsonObject().put("kind", "state_update").put("id", id)
                  .put("instance_id", instanceId).put("gateway_id", gatewayId)
                  .put("num_tokens", 150));
              reports.add(new JsonObject().put("kind", "prefill_done").put("id", id)
                  .put("instance_id", instanceId).put("gateway_id", gatewayId));
            }
            return post(loadBalance, "/report", reports).compose(ignored -> {
              List<Future<?>> releases = new ArrayList<>();
              for (Object o : result) {
                releases.add(post(loadBalance, "/release", request(id, gatewayId, mode, "prefill")
                    .put("scheduling_result", new JsonArray().add(o))));
              }
              return Future.all(releases);
            });
          }));
    }
    Future.all(cycles).await(60, TimeUnit.SECONDS);

    // Other tests' gateways may still be closing; their requests go too.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Map<String, Double> gauges = lrsGauges(loadBalance);
      assertThat(gauges).hasSize(6 * (NEUTRAL.size() + PD.size()));
      assertThat(gauges.values()).allMatch(v -> v == 0.0);
    });
    for (WebSocket ws : gateways) {
      ws.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aGatewayThatClosesItsKeepaliveHasItsRequestsReleased() throws Exception {
    WebSocket ws = gateway(loadBalance, "10.8.0.1", 9100);
    for (int i = 0; i < 8; i++) {
      assertThat(done(post(loadBalance, "/schedule",
          request("closing-" + i, "10.8.0.1:9100", "neutral", "prefill"))).statusCode())
          .isEqualTo(200);
    }
    assertThat(lrsGauges(loadBalance).values().stream().mapToDouble(d -> d).sum()).isPositive();
    ws.close().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(lrsGauges(loadBalance).values()).allMatch(v -> v == 0.0));
  }

  @Test
  void aGatewayThatStopsAnsweringPingsIsDroppedAndReleased() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", loadBalance)) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /keepalive HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101");
      out.write(maskedTextFrame("{\"host\":\"10.7.0.1\",\"port\":9200}"));
      out.flush();
      // The scheduler answers "ok"; from here on this gateway never answers a ping.
      awaitFrame(in);
      for (int i = 0; i < 5; i++) {
        assertThat(done(post(loadBalance, "/schedule",
            request("silent-" + i, "10.7.0.1:9200", "neutral", "prefill"))).statusCode())
            .isEqualTo(200);
      }
      assertThat(lrsGauges(loadBalance).values().stream().mapToDouble(d -> d).sum()).isPositive();
      // Two pings go unanswered; at the third interval the gateway is dropped.
      clock.advanceMillis(PING_MILLIS);
      awaitFrame(in);
      clock.advanceMillis(PING_MILLIS);
      awaitFrame(in);
      assertThat(lrsGauges(loadBalance).values().stream().mapToDouble(d -> d).sum()).isPositive();
      clock.advanceMillis(PING_MILLIS);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(lrsGauges(loadBalance).values()).allMatch(v -> v == 0.0));
    }
  }

  @Test
  void loadBalanceSpreadsABurstEvenly() throws Exception {
    WebSocket ws = gateway(loadBalance, "10.6.0.1", 9300);
    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 41; i++) {
      burst.add(post(loadBalance, "/schedule",
          request("burst-" + i, "10.6.0.1:9300", "neutral", "prefill")));
    }
    Future.all(burst).await(30, TimeUnit.SECONDS);
    Map<String, Integer> perInstance = new HashMap<>();
    for (var response : burst) {
      String host = response.result().bodyAsJsonObject().getJsonArray("scheduling_result")
          .getJsonObject(0).getJsonObject("endpoint").getString("host");
      perInstance.merge(host, 1, Integer::sum);
    }
    assertThat(perInstance).hasSize(4);
    int max = perInstance.values().stream().mapToInt(i -> i).max().orElseThrow();
    int min = perInstance.values().stream().mapToInt(i -> i).min().orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(1);
    ws.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void roundRobinCycles() throws Exception {
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      hosts.add(done(post(roundRobin, "/schedule", request("rr-" + i, "", "neutral", "prefill")))
          .bodyAsJsonObject().getJsonArray("scheduling_result").getJsonObject(0)
          .getJsonObject("endpoint").getString("host"));
    }
    assertThat(hosts.subList(0, 4)).doesNotHaveDuplicates();
    assertThat(hosts.subList(4, 8)).isEqualTo(hosts.subList(0, 4));
  }

  @Test
  void pdModesAnswerTheReferenceShapes() throws Exception {
    JsonObject batch = done(post(loadBalance, "/schedule", request("pd-1", "", "pd_batch",
        "prefill"))).bodyAsJsonObject();
    JsonArray result = batch.getJsonArray("scheduling_result");
    assertThat(result).hasSize(2);
    assertThat(result.getJsonObject(0).getString("infer_type")).isEqualTo("prefill");
    assertThat(result.getJsonObject(1).getString("infer_type")).isEqualTo("decode");
    assertThat(result.getJsonObject(0).getString("aux_ip")).isEqualTo("10.0.1.1");
    assertThat(batch.getString("id")).isEqualTo("pd-1");
    assertThat(batch.containsKey("prompt_token_ids")).isTrue();

    JsonArray staged = done(post(loadBalance, "/schedule", request("pd-2", "", "pd_staged",
        "decode"))).bodyAsJsonObject().getJsonArray("scheduling_result");
    assertThat(staged).hasSize(1);
    assertThat(staged.getJsonObject(0).getString("infer_type")).isEqualTo("decode");
  }

  @Test
  void errorPathsAnswerTheirStatuses() throws Exception {
    HttpResponse<Buffer> badJson = done(post(loadBalance, "/schedule", "{not json"));
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(badJson.bodyAsString()).isEqualTo("invalid scheduling req");

    HttpResponse<Buffer> nothing = done(post(empty, "/schedule",
        request("e-1", "", "neutral", "prefill")));
    assertThat(nothing.statusCode()).isEqualTo(429);
    assertThat(nothing.bodyAsString()).isEqualTo("no available endpoint");

    HttpResponse<Buffer> noPd = done(post(roundRobin, "/schedule",
        request("e-2", "", "pd_batch", "prefill")));
    assertThat(noPd.statusCode()).isEqualTo(429);
    assertThat(noPd.bodyAsString()).isEqualTo("no available endpoint");

    HttpResponse<Buffer> releaseNothing = done(post(loadBalance, "/release",
        request("e-3", "", "neutral", "prefill")));
    assertThat(releaseNothing.statusCode()).isEqualTo(400);
    assertThat(releaseNothing.bodyAsString()).isEqualTo("ignore, release 0 request.");

    assertThat(done(post(loadBalance, "/report", "[{")).statusCode()).isEqualTo(400);
    assertThat(done(post(loadBalance, "/report", new JsonArray().add(new JsonObject()
        .put("kind", "state_update").put("id", "unknown")))).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> unknownPath = done(post(loadBalance, "/nope", "{}"));
    assertThat(unknownPath.statusCode()).isEqualTo(404);
    assertThat(unknownPath.bodyAsString()).isEqualTo("Not found");
    assertThat(web.get(loadBalance, "127.0.0.1", "/healthz").send().await(5, TimeUnit.SECONDS)
        .statusCode()).isEqualTo(200);

    String m = metrics(empty);
    assertThat(m).contains(
        "scheduler_scheduling_failed_total{error_type=\"no_available_endpoint\"} 1.0",
        "scheduler_scheduling_failed_total{error_type=\"cms_not_available\"} 0.0");
    assertThat(metrics(roundRobin))
        .contains("scheduler_scheduling_failed_total{error_type=\"no_match_infer_type\"} 1.0");
  }

  /** Waits for the next WebSocket frame the scheduler sends, and skips it. */
  private static void awaitFrame(InputStream in) throws Exception {
    int first = in.read();
    assertThat(first).isNotNegative();
    int length = in.read() & 0x7f;
    in.readNBytes(length);
  }

  private static String readHead(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static byte[] maskedTextFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    byte[] frame = new byte[2 + 4 + payload.length];
    frame[0] = (byte) 0x81;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }

  /** The canonical id of an LLMInstance object, as the scheduler keys it. */
  static final class SchedulingRequestIds {
    static String id(JsonObject instance) {
      return SchedulingJson.decode(Buffer.buffer("{\"scheduling_result\":[" + instance.encode()
          + "]}")).schedulingResult().get(0).canonicalId();
    }
  }
}
