package io.llumnix.enginesim;

import static io.llumnix.testing.Exposition.events;
import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.llumlet.api.AbortRequests;
import io.llumnix.llumlet.api.LlumletGrpc;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.llumlet.api.MigrateResponse;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The llumlet's gRPC service and live migration between two simulated engines, over real gRPC
 * and HTTP: each status code of {@code Migrate}, and a running request moved mid-stream whose
 * client gets every token once and in order from the engine it first asked.
 */
class MigrationIntegrationTest {

  static final String LABELS = "{engine=\"0\",model_name=\"m\"}";
  static EngineSimulator source;
  static EngineSimulator destination;
  static ManagedChannel channel;
  static LlumletGrpc.LlumletBlockingStub llumlet;
  static Vertx vertx;
  static WebClient web;

  static EngineSimulator start(long handlerTimeoutMillis) {
    return start(handlerTimeoutMillis, 2048);
  }

  static EngineSimulator start(long handlerTimeoutMillis, int blocks) {
    return start(handlerTimeoutMillis, blocks, 64);
  }

  static EngineSimulator start(long handlerTimeoutMillis, int blocks, int maxNumSeqs) {
    EngineSettings settings = EngineSettings.builder().model("m").outputLengthMean(0)
        .tokenizer(TokenizerSource.BUILTIN).core(CoreConfig.builder().maxNumBatchedTokens(2048)
            .maxNumSeqs(maxNumSeqs).numGpuBlocks(blocks).maxModelLen(4096).seed(1)
            .positionalOutput(true).build())
        .build();
    InMemoryCmsStore store = new InMemoryCmsStore();
    CmsTarget cms = new CmsTarget(v -> store, Llumlet.Settings.defaults(), "127.0.0.1",
        new CmsTarget.MigrationSettings(0, 1, 1, handlerTimeoutMillis));
    return EngineSimulator.start(settings, "127.0.0.1", 0, 1, 20000, cms);
  }

  @BeforeAll
  static void startEngines() {
    source = start(300);
    destination = start(300);
    channel = NettyChannelBuilder.forAddress("127.0.0.1",
        source.instances().get(0).llumletPort()).usePlaintext().build();
    llumlet = LlumletGrpc.newBlockingStub(channel);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    vertx.close().await(10, TimeUnit.SECONDS);
    source.close();
    destination.close();
  }

  static MigrateRequest.Builder toDestination() {
    return to(destination);
  }

  static MigrateRequest.Builder to(EngineSimulator engine) {
    return MigrateRequest.newBuilder().setSrcEngineId("src").setDstEngineId("dst")
        .setDstEngineIp("127.0.0.1")
        .setDstEnginePort(engine.instances().get(0).kvTransferPort())
        .setMigrationType("NUM_REQ").setMigrationReqPolicy("FCR").setNumReqs(1)
        .setTriggerPolicy("decode_load");
  }

  static MigrateResponse migrate(MigrateRequest request) {
    return llumlet.withDeadlineAfter(5, TimeUnit.SECONDS).migrate(request);
  }

  static Status.Code failure(MigrateRequest request) {
    try {
      migrate(request);
      throw new AssertionError("expected a failure");
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  static String metrics(EngineSimulator engine) throws Exception {
    return web.get(engine.ports().get(0), "127.0.0.1", "/metrics").send()
        .await(10, TimeUnit.SECONDS).bodyAsString();
  }

  static Future<HttpResponse<Buffer>> stream(String id, int maxTokens) {
    return web.post(source.ports().get(0), "127.0.0.1", "/v1/completions")
        .putHeader("X-Request-Id", id)
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "migrate me ".repeat(40))
            .put("max_tokens", maxTokens).put("ignore_eos", true).put("stream", true));
  }

  /** The texts of a completion stream's chunks, in order. */
  static List<String> texts(HttpResponse<Buffer> response) {
    List<String> texts = new ArrayList<>();
    for (String event : events(response.bodyAsString())) {
      if (!event.equals("[DONE]")) {
        JsonObject chunk = new JsonObject(event);
        assertThat(chunk.containsKey("error")).as(event).isFalse();
        texts.add(chunk.getJsonArray("choices").getJsonObject(0).getString("text"));
      }
    }
    return texts;
  }

  @Test
  void aRunningRequestMovesMidStreamAndItsClientGetsEveryTokenOnceInOrder() throws Exception {
    int n = 300; // about 2.3 s of decoding at 7.5 ms a token
    double srcBefore = sample(metrics(source), "vllm:generation_tokens_total" + LABELS);
    double dstBefore = sample(metrics(destination), "vllm:generation_tokens_total" + LABELS);
    double dstDone = sample(metrics(destination), "vllm:request_success_total{engine=\"0\","
        + "finished_reason=\"length\",model_name=\"m\"}");
    var pending = stream("moving-1", n);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        sample(metrics(source), "vllm:generation_tokens_total" + LABELS) >= srcBefore + 20);
    MigrateResponse answer = migrate(toDestination().build());
    assertThat(answer.getSuccess()).as(answer.getMessage()).isTrue();

    HttpResponse<Buffer> response = pending.await(30, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> texts = texts(response);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(" " + i);
    }
    assertThat(texts).containsExactlyElementsOf(expected);
    assertThat(events(response.bodyAsString())).last().isEqualTo("[DONE]");

    // The destination finished it; the source computed its start and let it go.
    String src = metrics(source);
    String dst = metrics(destination);
    assertThat(sample(dst, "vllm:request_success_total{engine=\"0\",finished_reason=\"length\","
        + "model_name=\"m\"}")).isEqualTo(dstDone + 1);
    assertThat(sample(src, "vllm:generation_tokens_total" + LABELS) - srcBefore
        + sample(dst, "vllm:generation_tokens_total" + LABELS) - dstBefore).isEqualTo(n);
    assertThat(sample(dst, "vllm:generation_tokens_total" + LABELS)).isGreaterThan(dstBefore);
    for (EngineSimulator engine : List.of(source, destination)) {
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        String m = metrics(engine);
        assertThat(sample(m, "vllm:kv_cache_usage_perc" + LABELS)).isZero();
        assertThat(sample(m, "vllm:num_requests_running" + LABELS)).isZero();
      });
    }
  }

  static List<String> positions(int from, int to) {
    List<String> expected = new ArrayList<>();
    for (int i = from; i < to; i++) {
      expected.add(" " + i);
    }
    return expected;
  }

  @Test
  void aWaitingRequestMovesWithoutKvAndIsComputedWhereItWent() throws Exception {
    try (EngineSimulator single = start(300, 2048, 1)) { // one running request at a time
      int port = single.ports().get(0);
      Future<HttpResponse<Buffer>> first = web.post(port, "127.0.0.1", "/v1/completions")
          .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "first")
              .put("max_tokens", 300).put("ignore_eos", true).put("stream", true));
      Future<HttpResponse<Buffer>> second = web.post(port, "127.0.0.1", "/v1/completions")
          .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "second")
              .put("max_tokens", 20).put("ignore_eos", true).put("stream", true));
      await().atMost(Duration.ofSeconds(10)).until(() -> sample(metrics(single),
          "vllm:num_requests_waiting" + LABELS) == 1);
      ManagedChannel own = NettyChannelBuilder.forAddress("127.0.0.1",
          single.instances().get(0).llumletPort()).usePlaintext().build();
      try {
        assertThat(LlumletGrpc.newBlockingStub(own).withDeadlineAfter(5, TimeUnit.SECONDS)
            .migrate(toDestination().setMigrationReqPolicy("FCW").build()).getSuccess())
            .isTrue();
      } finally {
        own.shutdownNow();
      }
      // The waiting one is computed at the destination, long before the first one ends.
      assertThat(texts(second.await(10, TimeUnit.SECONDS))).containsExactlyElementsOf(
          positions(0, 20));
      assertThat(first.isComplete()).isFalse();
      assertThat(texts(first.await(30, TimeUnit.SECONDS))).containsExactlyElementsOf(
          positions(0, 300));
    }
  }

  @Test
  void aDestinationWithoutRoomRefusesAndTheRequestGoesOnWhereItWas() throws Exception {
    try (EngineSimulator small = start(300, 8)) { // 8 blocks: the request's KV does not fit
      var pending = stream("stays-1", 100);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          sample(metrics(source), "vllm:num_requests_running" + LABELS) == 1);
      assertThat(migrate(to(small).build()).getSuccess()).isTrue(); // chosen, then refused
      HttpResponse<Buffer> response = pending.await(30, TimeUnit.SECONDS);
      assertThat(texts(response)).containsExactlyElementsOf(positions(0, 100));
      assertThat(sample(metrics(small), "vllm:generation_tokens_total" + LABELS)).isZero();
    }
  }

  @Test
  void aClientThatLeavesAfterTheMoveAbortsTheRequestWhereItWent() throws Exception {
    double before = sample(metrics(destination),
        "vllm:request_success_total{engine=\"0\",finished_reason=\"abort\",model_name=\"m\"}");
    var client = vertx.createHttpClient();
    client.request(io.vertx.core.http.HttpMethod.POST, source.ports().get(0), "127.0.0.1",
            "/v1/completions")
        .compose(r -> r.putHeader("X-Request-Id", "leaves-1").send(new JsonObject()
            .put("model", "m").put("prompt", "migrate me ".repeat(40)).put("max_tokens", 3000)
            .put("ignore_eos", true).put("stream", true).encode()));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        sample(metrics(source), "vllm:generation_tokens_total" + LABELS) > 0
        && sample(metrics(source), "vllm:num_requests_running" + LABELS) == 1);
    assertThat(migrate(toDestination().build()).getSuccess()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        sample(metrics(destination), "vllm:num_requests_running" + LABELS) == 1);
    client.close().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String m = metrics(destination);
      assertThat(sample(m, "vllm:num_requests_running" + LABELS)).isZero();
      assertThat(sample(m, "vllm:kv_cache_usage_perc" + LABELS)).isZero();
      assertThat(sample(m, "vllm:request_success_total{engine=\"0\",finished_reason=\"abort\","
          + "model_name=\"m\"}")).isEqualTo(before + 1);
    });
  }

  @Test
  void nothingToMoveIsAnUnsuccessfulAnswerAndBadArgumentsAreInvalid() {
    MigrateResponse idle = migrate(toDestination().build());
    assertThat(idle.getSuccess()).isFalse();
    assertThat(idle.getMessage()).contains("can not find expected requests");
    assertThat(failure(toDestination().setMigrationType("BOGUS").build()))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure(toDestination().setMigrationReqPolicy("XYZ").build()))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure(toDestination().setMigrationType("TOKEN").setNumReqs(1).build()))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure(toDestination().setDstEnginePort(0).build()))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void moreRequestsThanFreeMigrateOutSlotsAreResourceExhausted() {
    assertThat(failure(toDestination().setNumReqs(2).build()))
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void aBusyEngineIsDeadlineExceededAndAStalledOneInternal() throws Exception {
    EngineInstance engine = source.instances().get(0);
    engine.runOnEngine(() -> sleep(1000)); // its event loop held past the 300 ms timeout
    assertThat(failure(toDestination().build())).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    await().atMost(Duration.ofSeconds(5)).until(() -> migrateSucceedsOrFails());

    engine.stall(true);
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        try {
          migrate(toDestination().build());
          return false;
        } catch (StatusRuntimeException e) {
          return e.getStatus().getCode() == Status.Code.INTERNAL;
        }
      });
    } finally {
      engine.stall(false);
    }
  }

  @Test
  void abortEndsTheNamedRequests() throws Exception {
    var pending = stream("to-abort", 2000);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        sample(metrics(source), "vllm:num_requests_running" + LABELS) == 1);
    assertThat(llumlet.abort(AbortRequests.newBuilder().addRequestIds("to-abort").build())
        .getSuccess()).isTrue();
    HttpResponse<Buffer> response = pending.await(10, TimeUnit.SECONDS);
    assertThat(response.bodyAsString()).contains("\"finish_reason\":\"abort\"");
  }

  static boolean migrateSucceedsOrFails() {
    try {
      migrate(toDestination().build());
      return true;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED;
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
