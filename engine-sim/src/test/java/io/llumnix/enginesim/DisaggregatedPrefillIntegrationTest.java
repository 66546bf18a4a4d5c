package io.llumnix.enginesim;

import static io.llumnix.testing.Exposition.events;
import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.runtime.process.ChildProcess;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both PD forwarding protocols of the reference gateway against a prefill
 * engine P and a decode engine D: vllm-mooncake (two-stage, P answers kv_transfer_params),
 * vllm-kvt staged (two-stage, P streamed and drained) and vllm-kvt batch (single-stage, D asks
 * P), plus the failures that must end a request cleanly.
 */
class DisaggregatedPrefillIntegrationTest {

  static EngineSimulator prefill;
  static EngineSimulator decode;
  static Vertx vertx;
  static WebClient web;
  static int p;
  static int pKv;
  static int d;
  static final String LABELS = "{engine=\"0\",model_name=\"m\"}";
  static final String PROMPT = "The quick brown fox jumps over the lazy dog again and again "
      .repeat(8);

  static EngineSimulator start(KvTransferSettings.Role role, long holdTimeoutMillis) {
    return start(role, holdTimeoutMillis, 25);
  }

  static EngineSimulator start(KvTransferSettings.Role role, long holdTimeoutMillis,
      double bandwidth) {
    CoreConfig core = CoreConfig.builder().maxNumBatchedTokens(2048).maxNumSeqs(256)
        .numGpuBlocks(2048).maxModelLen(2048).seed(3).build();
    KvTransferSettings kv = new KvTransferSettings(role, 131_072, bandwidth, 1,
        holdTimeoutMillis, 10_000);
    return EngineSimulator.start(EngineSettings.builder().model("m").core(core).speedup(20)
        .outputLengthMean(0).tokenizer(TokenizerSource.BUILTIN).kvTransfer(kv).build(),
        "127.0.0.1", 0, 1, 20000);
  }

  @BeforeAll
  static void startEngines() {
    prefill = start(KvTransferSettings.Role.PREFILL, 60_000);
    decode = start(KvTransferSettings.Role.DECODE, 60_000);
    p = prefill.ports().get(0);
    pKv = prefill.instances().get(0).kvTransferPort();
    d = decode.ports().get(0);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void stopEngines() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    prefill.close();
    decode.close();
  }

  static HttpResponse<Buffer> post(int port, String id, JsonObject body) throws Exception {
    return web.post(port, "127.0.0.1", "/v1/completions").putHeader("X-Request-Id", id)
        .sendJsonObject(body).await(30, TimeUnit.SECONDS);
  }

  static String metrics(int port) throws Exception {
    return web.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString();
  }

  static void awaitNoBlocksUsed(int port) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String m = metrics(port);
      assertThat(sample(m, "vllm:kv_cache_usage_perc" + LABELS)).isZero();
      assertThat(sample(m, "vllm:num_requests_waiting" + LABELS)).isZero();
      assertThat(sample(m, "vllm:num_requests_running" + LABELS)).isZero();
    });
  }

  static JsonObject prefillHalf(boolean stream) {
    JsonObject kv = new JsonObject().put("do_remote_decode", true).put("do_remote_prefill", false)
        .putNull("remote_engine_id").putNull("remote_block_ids").putNull("remote_host")
        .putNull("remote_port");
    return new JsonObject().put("model", "m").put("prompt", PROMPT).put("max_tokens", 1)
        .put("stream", stream).put("kv_transfer_params", kv);
  }

  static JsonObject original() {
    return new JsonObject().put("model", "m").put("prompt", PROMPT).put("max_tokens", 6)
        .put("ignore_eos", true).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
  }

  static void assertFullStream(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> events = events(response.bodyAsString());
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    JsonObject usage = new JsonObject(events.get(events.size() - 2)).getJsonObject("usage");
    assertThat(usage.getInteger("completion_tokens")).isEqualTo(6);
  }

  @Test
  void mooncakeTwoStage() throws Exception {
    JsonObject answer = post(p, "mc-1", prefillHalf(false)).bodyAsJsonObject();
    JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("length");
    JsonObject params = answer.getJsonObject("kv_transfer_params");
    assertThat(params.getBoolean("do_remote_prefill")).isTrue();
    assertThat(params.getBoolean("do_remote_decode")).isFalse();
    assertThat(params.getString("remote_engine_id")).isNotBlank();
    assertThat(params.getJsonArray("remote_block_ids")).isNotEmpty();
    assertThat(params.getString("remote_host")).isEqualTo("127.0.0.1");
    assertThat(params.getInteger("remote_port")).isEqualTo(pKv);
    // P keeps the blocks pinned for D.
    assertThat(sample(metrics(p), "vllm:kv_cache_usage_perc" + LABELS)).isPositive();

    HttpResponse<Buffer> streamed = post(d, "mc-1", original().put("kv_transfer_params", params));
    assertFullStream(streamed);
    awaitNoBlocksUsed(p);
    String dm = metrics(d);
    assertThat(sample(dm, "vllm:request_success_total{engine=\"0\",finished_reason=\"length\","
        + "model_name=\"m\"}")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void kvtStagedTwoStage() throws Exception {
    HttpResponse<Buffer> drained = post(p, "kvt-staged", prefillHalf(true));
    assertThat(drained.statusCode()).isEqualTo(200);
    JsonObject kv = prefillHalf(true).getJsonObject("kv_transfer_params")
        .put("remote_host", "127.0.0.1").put("remote_port", pKv).put("do_remote_prefill", true)
        .put("do_remote_decode", false);
    assertFullStream(post(d, "kvt-staged", original().put("kv_transfer_params", kv)));
    awaitNoBlocksUsed(p);
  }

  @Test
  void kvtBatchSingleStage() throws Exception {
    String before = metrics(p);
    double prefillsBefore = sample(before, "vllm:request_success_total{engine=\"0\","
        + "finished_reason=\"length\",model_name=\"m\"}");
    JsonObject kv = new JsonObject().put("remote_host", "127.0.0.1").put("remote_port", pKv);
    assertFullStream(post(d, "kvt-batch", original().put("kv_transfer_params", kv)));

    // The prefill ran on P, visible in its metrics, and P freed the blocks after the push.
    String after = metrics(p);
    assertThat(sample(after, "vllm:request_success_total{engine=\"0\","
        + "finished_reason=\"length\",model_name=\"m\"}")).isEqualTo(prefillsBefore + 1);
    awaitNoBlocksUsed(p);
    awaitNoBlocksUsed(d);
  }

  @Test
  void unreachablePrefillEngineEndsTheRequestWithAnError() throws Exception {
    int closed = ChildProcess.freePort();
    JsonObject kv = new JsonObject().put("remote_host", "127.0.0.1").put("remote_port", closed);
    JsonObject nonStream = original().put("stream", false).put("kv_transfer_params", kv);
    nonStream.remove("stream_options");
    HttpResponse<Buffer> response = post(d, "unreachable-2", nonStream);
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("KV transfer from 127.0.0.1:" + closed + " failed");

    HttpResponse<Buffer> streamed = post(d, "unreachable-3", original().put("kv_transfer_params",
        kv));
    assertThat(streamed.statusCode()).isEqualTo(500);
    awaitNoBlocksUsed(d);
  }

  @Test
  void pullingUnknownKvIsAClearError() throws Exception {
    JsonObject kv = new JsonObject().put("do_remote_prefill", true)
        .put("remote_host", "127.0.0.1").put("remote_port", pKv)
        .put("remote_request_id", "never-prefilled");
    HttpResponse<Buffer> response = post(d, "pull-unknown",
        original().put("kv_transfer_params", kv));
    // The stream's head is not out yet, so the error arrives as a status.
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("never-prefilled");
    awaitNoBlocksUsed(d);
  }

  @Test
  void rolesRefuseTheOtherSide() throws Exception {
    HttpResponse<Buffer> onDecode = post(d, "wrong-side-1", prefillHalf(false));
    assertThat(onDecode.statusCode()).isEqualTo(400);
    assertThat(onDecode.bodyAsString()).contains("kv role is decode");
    JsonObject kv = new JsonObject().put("remote_host", "127.0.0.1").put("remote_port", pKv);
    HttpResponse<Buffer> onPrefill = post(p, "wrong-side-2",
        original().put("kv_transfer_params", kv));
    assertThat(onPrefill.statusCode()).isEqualTo(400);
    assertThat(onPrefill.bodyAsString()).contains("kv role is prefill");
  }

  @Test
  void heldBlocksAreFreedWhenNoDecodeEngineComes() throws Exception {
    try (EngineSimulator shortHold = start(KvTransferSettings.Role.PREFILL, 200)) {
      int port = shortHold.ports().get(0);
      JsonObject answer = post(port, "abandoned", prefillHalf(false)).bodyAsJsonObject();
      assertThat(answer.getJsonObject("kv_transfer_params")).isNotNull();
      awaitNoBlocksUsed(port);
    }
  }

  @Test
  void decodeCountsTheRequestAsWaitingWhileKvMoves() throws Exception {
    // 0.0005 GB/s: the KV of about 100 tokens of 128 KiB takes about 26 s of simulated time.
    try (EngineSimulator slow = start(KvTransferSettings.Role.PREFILL, 60_000, 0.0005)) {
      int slowKv = slow.instances().get(0).kvTransferPort();
      var pending = web.post(d, "127.0.0.1", "/v1/completions")
          .putHeader("X-Request-Id", "slow-transfer")
          .sendJsonObject(original().put("kv_transfer_params", new JsonObject()
              .put("remote_host", "127.0.0.1").put("remote_port", slowKv)));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(sample(metrics(d), "vllm:num_requests_waiting" + LABELS)).isEqualTo(1));
      assertFullStream(pending.await(30, TimeUnit.SECONDS));
      awaitNoBlocksUsed(d);
      awaitNoBlocksUsed(slow.ports().get(0));
    }
  }

  @Test
  void aDecodeEngineWhoseClientLeftStopsTheTransferAndBothSidesFreeTheirBlocks()
      throws Exception {
    // About 26 s of simulated transfer, as above: the blocks must be freed long before.
    try (EngineSimulator slow = start(KvTransferSettings.Role.PREFILL, 60_000, 0.0005)) {
      int slowPort = slow.ports().get(0);
      JsonObject mooncake = post(slowPort, "left-mid-transfer", prefillHalf(false))
          .bodyAsJsonObject().getJsonObject("kv_transfer_params");
      var client = vertx.createHttpClient();
      client.request(io.vertx.core.http.HttpMethod.POST, d, "127.0.0.1", "/v1/completions")
          .compose(r -> r.putHeader("X-Request-Id", "left-mid-transfer")
              .send(original().put("kv_transfer_params", mooncake).encode()));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(sample(metrics(d), "vllm:num_requests_waiting" + LABELS)).isEqualTo(1));
      client.close().await(10, TimeUnit.SECONDS);
      awaitNoBlocksUsed(d);
      awaitNoBlocksUsed(slowPort); // within 10 s: the abort reached the prefill engine
    }
  }
}
