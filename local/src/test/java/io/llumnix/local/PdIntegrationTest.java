package io.llumnix.local;

import static io.llumnix.testing.Exposition.events;
import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.gateway.GatewayConfig;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Prefill/decode disaggregation end to end over real HTTP: two clusters of two prefill and two
 * decode engines, lite mode and full mode, each with a gateway per protocol ({@code vllm-kvt},
 * {@code vllm-mooncake}) and scheduling mode (pd_batch, pd_staged). Every combination serves
 * chat and completions, streamed and whole, with exact token counts, running each prefill on
 * a prefill engine and each decode on a decode engine, and leaves no block in use.
 */
class PdIntegrationTest {

  static final Llumlet.Settings LLUMLET = new Llumlet.Settings(100, 40, 500, 200, 500, 10_000);
  static final List<String> PROTOCOLS = List.of("vllm-kvt", "vllm-mooncake");

  static LocalCluster lite;
  static LocalCluster full;
  /** Gateway port by "mode protocol staged". */
  static final Map<String, Integer> gateways = new HashMap<>();
  static Vertx vertx;
  static WebClient web;

  static LocalCluster start(boolean fullMode) throws Exception {
    SchedulerConfig.Builder scheduler = SchedulerConfig.builder().host("127.0.0.1").port(0)
        .keepaliveIntervalMillis(500).fullMode(fullMode);
    if (fullMode) {
      scheduler.cmsStatusIntervalMillis(50).cmsMetadataIntervalMillis(200)
          .policyConfig(PolicyConfig.defaults());
    } else {
      scheduler.policyConfig(PolicyConfig.liteDefaults());
    }
    LocalCluster cluster = LocalCluster.builder().pd(2, 2).engineBasePort(0)
        .engine(Clusters.engine(20).build()).llumlet(LLUMLET).tokenizer(TokenizerSource.BUILTIN)
        .gateway(gateway("vllm-kvt", false)).scheduler(scheduler.build())
        .schedulerLink(link -> link.reportIntervalMillis(100).waitSchedulingRetryMillis(200)
            .reconnectMillis(200))
        .start();
    String mode = fullMode ? "full" : "lite";
    gateways.put(key(mode, "vllm-kvt", false), cluster.gatewayPort());
    for (String protocol : PROTOCOLS) {
      for (boolean staged : new boolean[] {false, true}) {
        if (!(protocol.equals("vllm-kvt") && !staged)) {
          gateways.put(key(mode, protocol, staged),
              cluster.startGateway(gateway(protocol, staged)));
        }
      }
    }
    return cluster;
  }

  static GatewayConfig gateway(String protocol, boolean staged) {
    return Clusters.gateway().forwarder(protocol).separatePdScheduling(staged).build();
  }

  static String key(String mode, String protocol, boolean staged) {
    return mode + " " + protocol + " " + (staged ? "pd_staged" : "pd_batch");
  }

  @BeforeAll
  static void startClusters() throws Exception {
    lite = start(false);
    full = start(true);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    await().atMost(Duration.ofSeconds(15)).until(() -> lite.gatewaysReady()
        && full.gatewaysReady() && cmsListsAllFour());
  }

  /** Whether the full-mode scheduler sees every engine in the CMS (it schedules only those). */
  static boolean cmsListsAllFour() throws Exception {
    String m = Clusters.metrics(web, full.schedulerPort());
    return m.contains("infer_type=\"prefill\"") && m.contains("infer_type=\"decode\"");
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (LocalCluster cluster : new LocalCluster[] {lite, full}) {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of("lite", "full").flatMap(mode -> PROTOCOLS.stream().flatMap(protocol ->
        Stream.of(false, true).map(staged -> Arguments.of(mode, protocol, staged))));
  }

  static LocalCluster cluster(String mode) {
    return mode.equals("full") ? full : lite;
  }

  /** Requests finished with {@code reason} on the engines of {@code type}, summed. */
  static double finished(LocalCluster cluster, InferType type, String reason) throws Exception {
    double total = 0;
    List<LlmInstance> instances = cluster.instances();
    for (int i = 0; i < instances.size(); i++) {
      if (instances.get(i).inferType() == type) {
        total += sample(Clusters.metrics(web, instances.get(i).port()),
            "vllm:request_success_total{engine=\"" + i + "\",finished_reason=\"" + reason
                + "\",model_name=\"m\"}");
      }
    }
    return total;
  }

  static HttpResponse<Buffer> post(int port, String path, JsonObject body) throws Exception {
    return Clusters.post(web, port, path, body.encode());
  }

  /** The text of a stream's choices, and its usage. */
  record Streamed(int textChunks, JsonObject usage) {}

  static Streamed streamed(HttpResponse<Buffer> response, boolean chat) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    List<String> events = events(response.bodyAsString());
    assertThat(events).last().isEqualTo("[DONE]");
    int texts = 0;
    JsonObject usage = null;
    for (String event : events.subList(0, events.size() - 1)) {
      JsonObject chunk = new JsonObject(event);
      assertThat(chunk.containsKey("error")).as(event).isFalse();
      if (chunk.getValue("usage") instanceof JsonObject u) {
        usage = u;
      }
      for (Object choice : chunk.getJsonArray("choices")) {
        JsonObject c = (JsonObject) choice;
        String text = chat ? c.getJsonObject("delta").getString("content")
            : c.getString("text");
        if (text != null && !text.isEmpty()) {
          texts++;
        }
      }
    }
    assertThat(usage).as("usage in %s", events).isNotNull();
    return new Streamed(texts, usage);
  }

  @ParameterizedTest(name = "{0} {1} staged={2}")
  @MethodSource("cases")
  void servesChatAndCompletionsStreamedAndWholeWithExactTokenCounts(String mode, String protocol,
      boolean staged) throws Exception {
    LocalCluster cluster = cluster(mode);
    int gateway = gateways.get(key(mode, protocol, staged));
    double prefillsBefore = finished(cluster, InferType.PREFILL, "length");
    double decodesBefore = finished(cluster, InferType.DECODE, "length");
    String prompt = "Disaggregated serving of " + key(mode, protocol, staged) + " ".repeat(3)
        + "with a prompt long enough to fill a few blocks of sixteen tokens each, please.";
    JsonObject usage = new JsonObject().put("include_usage", true);

    Streamed completion = streamed(post(gateway, "/v1/completions", new JsonObject()
        .put("model", "m").put("prompt", prompt).put("max_tokens", 7).put("ignore_eos", true)
        .put("stream", true).put("stream_options", usage)), false);
    assertThat(completion.textChunks()).isEqualTo(7);
    assertThat(completion.usage().getInteger("completion_tokens")).isEqualTo(7);

    JsonObject whole = post(gateway, "/v1/completions", new JsonObject().put("model", "m")
        .put("prompt", prompt).put("max_tokens", 6).put("ignore_eos", true)).bodyAsJsonObject();
    assertThat(whole.getJsonObject("usage").getInteger("completion_tokens")).as("%s", whole)
        .isEqualTo(6);
    assertThat(whole.getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("length");

    JsonObject messages = new JsonObject().put("model", "m").put("max_tokens", 5)
        .put("ignore_eos", true).put("messages", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("role", "user").put("content", prompt)));
    Streamed chat = streamed(post(gateway, "/v1/chat/completions", messages.copy()
        .put("stream", true).put("stream_options", usage)), true);
    assertThat(chat.textChunks()).isEqualTo(5);
    assertThat(chat.usage().getInteger("completion_tokens")).isEqualTo(5);

    JsonObject chatWhole = post(gateway, "/v1/chat/completions", messages).bodyAsJsonObject();
    assertThat(chatWhole.getJsonObject("usage").getInteger("completion_tokens"))
        .as("%s", chatWhole).isEqualTo(5);
    assertThat(chatWhole.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isNotBlank();

    // Each request's prefill ran on a prefill engine, its decode on a decode engine.
    assertThat(finished(cluster, InferType.PREFILL, "length") - prefillsBefore).isEqualTo(4);
    assertThat(finished(cluster, InferType.DECODE, "length") - decodesBefore).isEqualTo(4);
    Clusters.awaitIdle(web, cluster, List.of(), 20);
  }

  @Test
  void fullModePicksAreObservedUnderTheirRole() throws Exception {
    post(gateways.get(key("full", "vllm-kvt", false)), "/v1/completions", new JsonObject()
        .put("model", "m").put("prompt", "observed").put("max_tokens", 2));
    String m = Clusters.metrics(web, full.schedulerPort());
    for (String role : List.of("prefill", "decode")) {
      assertThat(sample(m, "selected_instance_decode_batch_size_count{infer_type=\"" + role
          + "\"}")).as(role).isPositive();
    }
    assertThat(sample(m, "selected_instance_decode_batch_size_count{infer_type=\"neutral\"}"))
        .isZero();
  }

  @Test
  void theOfficialOpenAiClientWorksUnchanged() {
    OpenAIClient client = OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + gateways.get(key("full", "vllm-mooncake", true)) + "/v1")
        .apiKey("unused").build();
    try {
      ChatCompletion chat = client.chat().completions().create(ChatCompletionCreateParams
          .builder().model("m").addUserMessage("Say hello").maxCompletionTokens(6).build());
      assertThat(chat.choices()).hasSize(1);
      assertThat(chat.choices().get(0).message().content()).isPresent();
      assertThat(chat.usage().get().completionTokens()).isEqualTo(6);

      Completion completion = client.completions().create(CompletionCreateParams.builder()
          .model("m").prompt("Once upon a time").maxTokens(4).build());
      assertThat(completion.usage().get().completionTokens()).isEqualTo(4);

      StringBuilder text = new StringBuilder();
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
          .createStreaming(ChatCompletionCreateParams.builder().model("m")
              .addUserMessage("Count").maxCompletionTokens(5).build())) {
        stream.stream().forEach(chunk -> chunk.choices().forEach(
            c -> c.delta().content().ifPresent(text::append)));
      }
      assertThat(text.toString().trim().split(" ")).hasSize(5);
    } finally {
      client.close();
    }
  }
}
