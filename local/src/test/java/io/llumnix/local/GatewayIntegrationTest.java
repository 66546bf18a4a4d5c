package io.llumnix.local;

import static io.llumnix.testing.Exposition.events;
import static io.llumnix.testing.Exposition.sample;
import static io.llumnix.testing.Exposition.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
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

/** Gateway + lite-mode scheduler + 4 simulated engines, over real sockets. */
class GatewayIntegrationTest {

  static LocalCluster cluster;
  static Vertx vertx;
  static WebClient web;
  static int gateway;
  static int scheduler;

  @BeforeAll
  static void start() throws Exception {
    cluster = Clusters.liteCluster(4, 20).start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    gateway = cluster.gatewayPort();
    scheduler = cluster.schedulerPort();
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.gatewayReady()
        && scheduledViaScheduler());
  }

  /** Whether a schedule goes through the scheduler (its keepalive is up). */
  static boolean scheduledViaScheduler() throws Exception {
    double before = sample(metrics(scheduler), "scheduler_scheduling_total");
    post(gateway, "/v1/completions", "{\"prompt\":\"warm up\",\"max_tokens\":1}");
    return sample(metrics(scheduler), "scheduler_scheduling_total") > before;
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    cluster.close();
  }

  static HttpResponse<Buffer> post(int port, String path, String body) throws Exception {
    return Clusters.post(web, port, path, body);
  }

  static String metrics(int port) throws Exception {
    return Clusters.metrics(web, port);
  }

  @Test
  void twoHundredConcurrentStreamsAllSucceedAndTheLrsReturnsToZero() throws Exception {
    double before = sample(metrics(gateway), "request_total{model=\"m\",status_code=\"200\"}");
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(web.post(gateway, "127.0.0.1", "/v1/chat/completions")
          .sendJsonObject(new JsonObject().put("model", "m").put("stream", true)
              .put("max_tokens", 20).put("ignore_eos", true)
              .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject()
                  .put("role", "user").put("content", "request " + i)))));
    }
    Future.all(all).await(120, TimeUnit.SECONDS);
    for (var future : all) {
      HttpResponse<Buffer> response = future.result();
      assertThat(response.statusCode()).isEqualTo(200);
      List<String> events = events(response.bodyAsString());
      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      assertThat(events).hasSize(1 + 20 + 1);
    }
    String m = metrics(gateway);
    assertThat(sample(m, "request_total{model=\"m\",status_code=\"200\"}") - before)
        .isEqualTo(200);
    assertThat(m).contains("request_ttft_milliseconds_bucket", "request_tpot_milliseconds_count");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String s = metrics(scheduler);
      assertThat(sum(s, "instance_lrs_total_requests")).isZero();
      assertThat(sum(s, "instance_lrs_total_tokens")).isZero();
      assertThat(sum(s, "instance_lrs_waiting_requests")).isZero();
    });
  }

  @Test
  void nonStreamingChatAndCompletionHaveOpenAisShape() throws Exception {
    JsonObject chat = post(gateway, "/v1/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"max_tokens\":5}").bodyAsJsonObject();
    assertThat(chat.getString("object")).isEqualTo("chat.completion");
    assertThat(chat.getString("id")).startsWith("chatcmpl-");
    JsonObject choice = chat.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message").getString("role")).isEqualTo("assistant");
    assertThat(choice.getString("finish_reason")).isEqualTo("length");
    assertThat(chat.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(5);

    HttpResponse<Buffer> completion = web.post(gateway, "127.0.0.1", "/v1/completions")
        .putHeader("x-request-id", "client-id-1")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", "Hello")
            .put("max_tokens", 3)).await(30, TimeUnit.SECONDS);
    assertThat(completion.bodyAsJsonObject().getString("id")).isEqualTo("cmpl-client-id-1");
    assertThat(completion.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0)
        .getString("text").trim().split(" ")).hasSize(3);
  }

  @Test
  void streamingCompletionWithUsage() throws Exception {
    List<String> events = events(post(gateway, "/v1/completions",
        "{\"model\":\"m\",\"prompt\":\"count\",\"max_tokens\":4,\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true}}").bodyAsString());
    assertThat(events).hasSize(4 + 1 + 1);
    assertThat(new JsonObject(events.get(3)).getJsonArray("choices").getJsonObject(0)
        .getString("finish_reason")).isEqualTo("length");
    assertThat(new JsonObject(events.get(4)).getJsonObject("usage")
        .getInteger("completion_tokens")).isEqualTo(4);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("/v1/chat/completions", "{\"messages\": [", 400),
        Arguments.of("/v1/chat/completions", "[]", 400),
        Arguments.of("/v1/chat/completions", "{\"model\":\"m\"}", 400),
        Arguments.of("/v1/chat/completions", "{\"messages\":[]}", 400),
        Arguments.of("/v1/chat/completions", "{\"messages\":\"hi\"}", 400),
        Arguments.of("/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":-1}", 400),
        Arguments.of("/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":99999999999}",
            400),
        Arguments.of("/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":\"5\"}", 400),
        Arguments.of("/v1/completions", "{\"max_tokens\":3}", 400),
        Arguments.of("/v1/completions", "{\"prompt\":42}", 400),
        Arguments.of("/v1/completions", "{\"prompt\":\"" + "word ".repeat(5000) + "\"}", 400),
        Arguments.of("/v1/completions", "{\"prompt\":\"x\",\"stream\":\"yes\"}", 400),
        Arguments.of("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":5000}", 400),
        Arguments.of("/v1/completions", "{\"prompt\":\"" + "y".repeat(1 << 21) + "\"}", 413));
  }

  @ParameterizedTest
  @MethodSource("badInputs")
  void badInputGetsA4xxWithOpenAiErrorJson(String path, String body, int status)
      throws Exception {
    HttpResponse<Buffer> response = post(gateway, path, body);
    assertThat(response.statusCode()).isEqualTo(status);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getInteger("code")).isEqualTo(status);
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getString("type")).isNotBlank();
  }

  @Test
  void aClientThatLeavesFreesItsEngineSideRequest() throws Exception {
    HttpClient client = vertx.createHttpClient();
    CompletableFuture<Void> firstChunk = new CompletableFuture<>();
    client.request(HttpMethod.POST, gateway, "127.0.0.1", "/v1/completions")
        .compose(req -> req.putHeader("Content-Type", "application/json")
            .send("{\"model\":\"m\",\"prompt\":\"leave early\",\"max_tokens\":4000,"
                + "\"ignore_eos\":true,\"stream\":true}"))
        .onSuccess(response -> response.handler(b -> firstChunk.complete(null)));
    firstChunk.get(10, TimeUnit.SECONDS);
    client.close().await(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      double running = 0;
      for (int port : cluster.engines().ports()) {
        running += sum(metrics(port), "vllm:num_requests_running");
      }
      assertThat(running).isZero();
      assertThat(sample(metrics(gateway), "request_total{model=\"m\",status_code=\"499\"}"))
          .isGreaterThanOrEqualTo(1);
    });
  }
}
