package io.llumnix.enginesim;

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
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.testing.Promtool;
import io.llumnix.tokenizer.TokenizerSource;
import static io.llumnix.testing.Exposition.events;
import static io.llumnix.testing.Exposition.sample;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The simulator over real HTTP: API shapes, errors, metrics and disconnects. */
class EngineSimIntegrationTest {

  static final String MODEL = "sim-model";
  static EngineSimulator simulator;
  static Vertx vertx;
  static WebClient web;
  static int port;

  /** Engines of a 1024-token model at {@code speedup}, with the fast built-in tokenizer. */
  static EngineSettings settings(double speedup) {
    return EngineSettings.builder().model(MODEL).speedup(speedup).outputLengthMean(0)
        .tokenizer(TokenizerSource.BUILTIN)
        .core(CoreConfig.builder().maxNumBatchedTokens(2048).maxNumSeqs(256).numGpuBlocks(4096)
            .maxModelLen(1024).seed(7).build())
        .build();
  }

  @BeforeAll
  static void start() {
    EngineSettings settings = settings(20);
    simulator = EngineSimulator.start(settings, "127.0.0.1", 0, 2, 20000);
    port = simulator.ports().get(0);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    simulator.close();
  }

  static HttpResponse<Buffer> post(int port, String path, String body) throws Exception {
    return web.post(port, "127.0.0.1", path).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).await(30, TimeUnit.SECONDS);
  }

  static String metrics(int port) throws Exception {
    return web.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString();
  }

  @Test
  void streamingChatSendsRoleContentFinishUsageDone() throws Exception {
    HttpResponse<Buffer> response = post(port, "/v1/chat/completions", """
        {"model":"sim-model","messages":[{"role":"user","content":"Hello there"}],
         "max_tokens":5,"stream":true,"stream_options":{"include_usage":true}}""");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/event-stream");
    List<String> events = events(response.bodyAsString());
    assertThat(events).hasSize(1 + 5 + 1 + 1);
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");

    JsonObject role = new JsonObject(events.get(0));
    assertThat(role.getString("id")).startsWith("chatcmpl-");
    assertThat(role.getString("object")).isEqualTo("chat.completion.chunk");
    assertThat(role.getString("model")).isEqualTo(MODEL);
    JsonObject first = role.getJsonArray("choices").getJsonObject(0);
    assertThat(first.getJsonObject("delta").getMap())
        .containsEntry("role", "assistant").containsEntry("content", "");
    assertThat(first.getValue("finish_reason")).isNull();
    for (int i = 1; i <= 4; i++) {
      JsonObject choice = new JsonObject(events.get(i)).getJsonArray("choices").getJsonObject(0);
      assertThat(choice.getJsonObject("delta").getString("content")).isNotEmpty();
      assertThat(choice.getValue("finish_reason")).isNull();
    }
    JsonObject finish = new JsonObject(events.get(5)).getJsonArray("choices").getJsonObject(0);
    assertThat(finish.getString("finish_reason")).isEqualTo("length");
    assertThat(finish.getJsonObject("delta").getString("content")).isNotEmpty();
    JsonObject usage = new JsonObject(events.get(6));
    assertThat(usage.getJsonArray("choices")).isEmpty();
    assertThat(usage.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(5);
    assertThat(usage.getJsonObject("usage").getInteger("total_tokens"))
        .isEqualTo(5 + usage.getJsonObject("usage").getInteger("prompt_tokens"));
  }

  @Test
  void nonStreamingCompletionHasVllmsShape() throws Exception {
    HttpResponse<Buffer> response = web.post(port, "127.0.0.1", "/v1/completions")
        .putHeader("X-Request-Id", "req-shape")
        .sendJsonObject(new JsonObject().put("model", MODEL).put("prompt", "Hello, my name is")
            .put("max_tokens", 7))
        .await(30, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("X-Request-Id")).isEqualTo("req-shape");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("id")).isEqualTo("cmpl-req-shape");
    assertThat(body.getString("object")).isEqualTo("text_completion");
    assertThat(body.containsKey("kv_transfer_params")).isTrue();
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("length");
    assertThat(choice.getString("text").trim().split(" ")).hasSize(7);
    assertThat(choice.containsKey("stop_reason")).isTrue();
    JsonObject usage = body.getJsonObject("usage");
    assertThat(usage.getInteger("completion_tokens")).isEqualTo(7);
    assertThat(usage.getInteger("prompt_tokens")).isPositive();
  }

  @Test
  void bodyRequestIdNamesTheRequestWhenNoHeaderDoes() throws Exception {
    JsonObject body = post(port, "/v1/completions",
        "{\"prompt\":\"x\",\"max_tokens\":1,\"request_id\":\"from-body\"}").bodyAsJsonObject();
    assertThat(body.getString("id")).isEqualTo("cmpl-from-body");
  }

  @Test
  void defaultsMaxTokensAsVllmDoes() throws Exception {
    JsonObject completion = post(port, "/v1/completions", "{\"prompt\":\"count\"}")
        .bodyAsJsonObject();
    assertThat(completion.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(16);
    JsonObject chat = post(port, "/v1/chat/completions",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"go on\"}]}").bodyAsJsonObject();
    JsonObject usage = chat.getJsonObject("usage");
    assertThat(usage.getInteger("total_tokens")).isEqualTo(1024); // max_model_len - prompt
    assertThat(chat.getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("length");
  }

  @Test
  void stopStringsEndTheOutputWithStopReason() throws Exception {
    String probe = post(port, "/v1/completions", "{\"prompt\":\"stop probe\",\"max_tokens\":6}")
        .bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getString("text");
    String third = " " + probe.trim().split(" ")[2];
    JsonObject choice = post(port, "/v1/completions", new JsonObject().put("prompt", "stop probe")
        .put("max_tokens", 6).put("stop", new JsonArray().add(third)).encode())
        .bodyAsJsonObject().getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(choice.getString("stop_reason")).isEqualTo(third);
    assertThat(choice.getString("text")).isEqualTo(probe.substring(0, probe.indexOf(third)));
  }

  @Test
  void sameSeedAndPromptGiveTheSameText() throws Exception {
    String body = "{\"prompt\":\"determinism\",\"max_tokens\":8,\"seed\":5}";
    String first = post(port, "/v1/completions", body).bodyAsJsonObject().getJsonArray("choices")
        .getJsonObject(0).getString("text");
    String second = post(port, "/v1/completions", body).bodyAsJsonObject()
        .getJsonArray("choices").getJsonObject(0).getString("text");
    assertThat(second).isEqualTo(first);
  }

  @Test
  void acceptsTokenIdsAndListsOfPrompts() throws Exception {
    JsonObject ids = post(port, "/v1/completions",
        "{\"prompt\":[1,2,3,4,5],\"max_tokens\":2}").bodyAsJsonObject();
    assertThat(ids.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(5);

    JsonObject many = post(port, "/v1/completions",
        "{\"prompt\":[\"a b\",[7,8,9]],\"max_tokens\":3}").bodyAsJsonObject();
    JsonArray choices = many.getJsonArray("choices");
    assertThat(choices).hasSize(2);
    assertThat(choices.getJsonObject(1).getInteger("index")).isEqualTo(1);
    assertThat(many.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(6);
  }

  @Test
  void officialOpenAiClientWorksUnchanged() {
    OpenAIClient client = OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + port + "/v1").apiKey("unused").build();
    try {
      ChatCompletion chat = client.chat().completions().create(ChatCompletionCreateParams
          .builder().model(MODEL).addUserMessage("Say hello").maxCompletionTokens(6).build());
      assertThat(chat.choices()).hasSize(1);
      assertThat(chat.choices().get(0).message().content()).isPresent();
      assertThat(chat.usage().get().completionTokens()).isEqualTo(6);

      Completion completion = client.completions().create(CompletionCreateParams.builder()
          .model(MODEL).prompt("Once upon a time").maxTokens(4).build());
      assertThat(completion.choices().get(0).text()).isNotBlank();

      StringBuilder streamed = new StringBuilder();
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
          .createStreaming(ChatCompletionCreateParams.builder().model(MODEL)
              .addUserMessage("Count").maxCompletionTokens(5).build())) {
        stream.stream().forEach(chunk -> chunk.choices().forEach(
            c -> c.delta().content().ifPresent(streamed::append)));
      }
      assertThat(streamed.toString().trim().split(" ")).hasSize(5);
    } finally {
      client.close();
    }
  }

  @Test
  void metricsReflectExactlyTheRequestsServed() throws Exception {
    int other = simulator.ports().get(1); // an instance no other test uses
    String before = metrics(other);
    assertThat(before).contains(
        "vllm:request_success_total{engine=\"1\",finished_reason=\"stop\",model_name=\"sim-model\"} 0.0",
        "vllm:num_requests_running{engine=\"1\",model_name=\"sim-model\"} 0.0");
    int promptTokens = 0;
    for (int i = 0; i < 3; i++) {
      JsonObject body = post(other, "/v1/completions",
          "{\"prompt\":[" + (10 + i) + ",2,3,4,5,6,7,8],\"max_tokens\":4,\"ignore_eos\":true}")
          .bodyAsJsonObject();
      promptTokens += body.getJsonObject("usage").getInteger("prompt_tokens");
    }
    String m = metrics(other);
    String labels = "{engine=\"1\",model_name=\"sim-model\"}";
    assertThat(sample(m, "vllm:request_success_total{engine=\"1\",finished_reason=\"length\","
        + "model_name=\"sim-model\"}")).isEqualTo(3);
    assertThat(sample(m, "vllm:generation_tokens_total" + labels)).isEqualTo(12);
    assertThat(sample(m, "vllm:prompt_tokens_total" + labels)).isEqualTo(promptTokens);
    assertThat(sample(m, "vllm:time_to_first_token_seconds_count" + labels)).isEqualTo(3);
    assertThat(sample(m, "vllm:inter_token_latency_seconds_count" + labels)).isEqualTo(9);
    assertThat(sample(m, "vllm:e2e_request_latency_seconds_count" + labels)).isEqualTo(3);
    assertThat(sample(m, "vllm:request_generation_tokens_sum" + labels)).isEqualTo(12);
    assertThat(sample(m, "vllm:num_requests_running" + labels)).isZero();
    // A decode step of one sequence takes 7.5 ms of simulated time in the step model; a busy
    // machine can only make steps later, never sooner (exact timing: EngineCoreTest).
    double itlMean = sample(m, "vllm:inter_token_latency_seconds_sum" + labels) / 9;
    assertThat(itlMean).isGreaterThanOrEqualTo(0.0074);

    Promtool.Result result = Promtool.checkMetrics(m);
    assertThat(result.parsed()).as("%s", result.problems()).isTrue();
    assertThat(result.unexpectedProblems()).isEmpty();
  }

  @Test
  void clientDisconnectAbortsTheRequestAndFreesItsBlocks() throws Exception {
    // Real-time pace, so the request surely outlives the disconnect (about 7 s of decoding).
    try (EngineSimulator slow = EngineSimulator.start(settings(1), "127.0.0.1", 0, 1, 20000)) {
      int slowPort = slow.ports().get(0);
      for (boolean stream : new boolean[] {true, false}) {
        HttpClient client = vertx.createHttpClient();
        CompletableFuture<Void> started = new CompletableFuture<>();
        client.request(HttpMethod.POST, slowPort, "127.0.0.1", "/v1/completions")
            .compose(req -> req.putHeader("Content-Type", "application/json")
                .send("{\"prompt\":\"abort me please\",\"max_tokens\":900,"
                    + "\"ignore_eos\":true,\"stream\":" + stream + "}")
                .onSuccess(response -> response.handler(chunk -> started.complete(null))));
        if (stream) {
          started.get(10, TimeUnit.SECONDS);
        } else {
          await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sample(
              metrics(slowPort), "vllm:num_requests_running{engine=\"0\",model_name=\"sim-model\"}"))
              .isEqualTo(1));
        }
        client.close().await(10, TimeUnit.SECONDS);

        String labels = "{engine=\"0\",model_name=\"sim-model\"}";
        double aborts = stream ? 1 : 2;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          String m = metrics(slowPort);
          assertThat(sample(m, "vllm:request_success_total{engine=\"0\","
              + "finished_reason=\"abort\",model_name=\"sim-model\"}")).isEqualTo(aborts);
          assertThat(sample(m, "vllm:num_requests_running" + labels)).isZero();
          assertThat(sample(m, "vllm:kv_cache_usage_perc" + labels)).isZero();
        });
      }
    }
  }

  static Stream<Arguments> badInputs() {
    String chat = "/v1/chat/completions";
    String cmpl = "/v1/completions";
    String longPrompt = "[" + "1,".repeat(1100) + "1]";
    return Stream.of(
        Arguments.of("malformed JSON", cmpl, "{\"prompt\": ", 400, "JSON decode error"),
        Arguments.of("body is an array", cmpl, "[1,2]", 400, "JSON"),
        Arguments.of("empty body", cmpl, "", 400, "JSON"),
        Arguments.of("missing prompt", cmpl, "{\"max_tokens\":3}", 400, "prompt"),
        Arguments.of("prompt is a number", cmpl, "{\"prompt\":42}", 400, "prompt"),
        Arguments.of("empty prompt", cmpl, "{\"prompt\":\"\"}", 400, "cannot be empty"),
        Arguments.of("token id out of vocabulary", cmpl, "{\"prompt\":[1,99999999]}", 400,
            "out of vocabulary"),
        Arguments.of("unknown model", cmpl, "{\"model\":\"nope\",\"prompt\":\"x\"}", 404,
            "The model `nope` does not exist."),
        Arguments.of("max_tokens zero", cmpl, "{\"prompt\":\"x\",\"max_tokens\":0}", 400,
            "max_tokens must be at least 1, got 0."),
        Arguments.of("max_tokens a string", cmpl, "{\"prompt\":\"x\",\"max_tokens\":\"ten\"}",
            400, "max_tokens: Input should be a valid integer"),
        Arguments.of("prompt too long", cmpl, "{\"prompt\":" + longPrompt + "}", 400,
            "This model's maximum context length is 1024 tokens. However, your request has 1101"
                + " input tokens."),
        Arguments.of("max_tokens too large", cmpl, "{\"prompt\":[1,2,3],\"max_tokens\":1022}",
            400, "'max_tokens' or 'max_completion_tokens' is too large: 1022. This model's "
                + "maximum context length is 1024 tokens and your request has 3 input tokens "
                + "(1022 > 1024 - 3)."),
        Arguments.of("n greater than one", cmpl, "{\"prompt\":\"x\",\"n\":2}", 400, "n > 1"),
        Arguments.of("stream_options without stream", cmpl,
            "{\"prompt\":\"x\",\"stream_options\":{\"include_usage\":true}}", 400,
            "Stream options can only be defined when `stream=True`."),
        Arguments.of("negative temperature", cmpl, "{\"prompt\":\"x\",\"temperature\":-1}", 400,
            "temperature must be non-negative"),
        Arguments.of("top_p above one", cmpl, "{\"prompt\":\"x\",\"top_p\":2}", 400, "top_p"),
        Arguments.of("too many logprobs", cmpl, "{\"prompt\":\"x\",\"logprobs\":50}", 400,
            "greater than max allowed: 20"),
        Arguments.of("min_tokens above max_tokens", cmpl,
            "{\"prompt\":\"x\",\"max_tokens\":2,\"min_tokens\":5}", 400, "min_tokens"),
        Arguments.of("priority without priority scheduling", cmpl,
            "{\"prompt\":\"x\",\"priority\":3}", 400, "Priority"),
        Arguments.of("stop of the wrong type", cmpl, "{\"prompt\":\"x\",\"stop\":5}", 400,
            "stop"),
        Arguments.of("kv_transfer_params not an object", cmpl,
            "{\"prompt\":\"x\",\"kv_transfer_params\":\"p\"}", 400, "kv_transfer_params"),
        Arguments.of("chat without messages", chat, "{\"model\":\"sim-model\"}", 400,
            "messages"),
        Arguments.of("chat messages not a list", chat, "{\"messages\":\"hi\"}", 400,
            "messages"),
        Arguments.of("chat message with unknown role", chat,
            "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "role"),
        Arguments.of("chat max_completion_tokens negative", chat,
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_completion_tokens\":-4}", 400, "max_tokens must be at least 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputGetsA4xxWithVllmErrorJson(String name, String path, String body, int status,
      String message) throws Exception {
    HttpResponse<Buffer> response = post(port, path, body);
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("message")).contains(message);
    assertThat(error.getInteger("code")).isEqualTo(status);
    assertThat(error.getString("type"))
        .isEqualTo(status == 404 ? "NotFoundError" : "BadRequestError");
    assertThat(error.containsKey("param")).isTrue();
    assertThat(web.get(port, "127.0.0.1", "/health").send().await(5, TimeUnit.SECONDS)
        .statusCode()).isEqualTo(200);
  }

  @Test
  void servesModelsVersionHealthAndOneEngineLabelPerInstance() throws Exception {
    JsonObject models = web.get(port, "127.0.0.1", "/v1/models").send()
        .await(5, TimeUnit.SECONDS).bodyAsJsonObject();
    JsonObject model = models.getJsonArray("data").getJsonObject(0);
    assertThat(model.getString("id")).isEqualTo(MODEL);
    assertThat(model.getInteger("max_model_len")).isEqualTo(1024);
    assertThat(web.get(port, "127.0.0.1", "/version").send().await(5, TimeUnit.SECONDS)
        .bodyAsJsonObject().getString("version")).isEqualTo("0.11.0");
    assertThat(metrics(simulator.ports().get(1))).contains("engine=\"1\"")
        .doesNotContain("engine=\"0\"");
  }

  @Test
  void apiKeyGuardsTheV1RoutesOnly() throws Exception {
    EngineSettings guarded = EngineSettings.builder().model(MODEL).speedup(20)
        .tokenizer(TokenizerSource.BUILTIN).apiKey("s3cret").build();
    try (EngineSimulator engine = EngineSimulator.start(guarded, "127.0.0.1", 0, 1, 20000)) {
      int guardedPort = engine.ports().get(0);
      String body = "{\"prompt\":\"hi\",\"max_tokens\":2}";
      HttpResponse<Buffer> missing = post(guardedPort, "/v1/completions", body);
      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(missing.bodyAsJsonObject().getJsonObject("error").getString("type"))
          .isEqualTo("AuthenticationError");
      HttpResponse<Buffer> wrong = web.post(guardedPort, "127.0.0.1", "/v1/completions")
          .putHeader("Authorization", "Bearer s3cre").sendBuffer(Buffer.buffer(body))
          .await(10, TimeUnit.SECONDS);
      assertThat(wrong.statusCode()).isEqualTo(401);
      HttpResponse<Buffer> right = web.post(guardedPort, "127.0.0.1", "/v1/completions")
          .putHeader("Authorization", "Bearer s3cret").sendBuffer(Buffer.buffer(body))
          .await(10, TimeUnit.SECONDS);
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(web.get(guardedPort, "127.0.0.1", "/health").send().await(5, TimeUnit.SECONDS)
          .statusCode()).isEqualTo(200);
      assertThat(metrics(guardedPort)).contains("vllm:num_requests_running");
    }
  }
}
