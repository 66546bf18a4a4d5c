package io.llumnix.local;

import static io.llumnix.testing.Exposition.events;
import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.tokenizer.TokenizerSource;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Prefill/decode disaggregation when parts fail: a prefill engine dies during its prefills, a
 * decode engine dies mid-stream, a client leaves while the KV moves. Each request ends cleanly
 * (retried, or an error the client sees), and afterwards no engine holds a block or a request.
 */
class PdFailureIntegrationTest {

  Vertx vertx;
  WebClient web;
  LocalCluster cluster;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Two prefill and two decode engines, lite mode, a gateway over {@code protocol}. */
  LocalCluster start(String protocol, boolean staged, double speedup,
      double kvGigabytesPerSecond) throws Exception {
    cluster = LocalCluster.builder().pd(2, 2).engineBasePort(0)
        .engine(Clusters.engine(speedup).kvTransfer(new KvTransferSettings(
            KvTransferSettings.Role.NEUTRAL, 131_072, kvGigabytesPerSecond, 1, 60_000, 60_000))
            .build())
        .tokenizer(TokenizerSource.BUILTIN).scheduler(Clusters.lite().build())
        .gateway(Clusters.gateway().retryMaxCount(2).forwarder(protocol)
            .separatePdScheduling(staged).build())
        .schedulerLink(link -> link.reportIntervalMillis(100).waitSchedulingRetryMillis(200)
            .reconnectMillis(200))
        .start();
    await().atMost(Duration.ofSeconds(10)).until(cluster::gatewayReady);
    return cluster;
  }

  String metrics(int port) throws Exception {
    return Clusters.metrics(web, port);
  }

  double engine(int index, String metric) throws Exception {
    return sample(metrics(cluster.instances().get(index).port()),
        metric + "{engine=\"" + index + "\",model_name=\"m\"}");
  }

  Future<HttpResponse<Buffer>> stream(String prompt, int maxTokens) {
    return web.post(cluster.gatewayPort(), "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("model", "m").put("prompt", prompt)
            .put("max_tokens", maxTokens).put("ignore_eos", true).put("stream", true));
  }

  /** Waits until no engine but the {@code stopped} ones holds a block or a request. */
  void awaitIdle(List<Integer> stopped) {
    Clusters.awaitIdle(web, cluster, stopped, 30);
  }

  static String longPrompt(int i) {
    return ("request " + i + " reads a long document before it answers; ").repeat(60);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vllm-kvt", "vllm-mooncake"})
  void aPrefillEngineKilledDuringItsPrefillsIsRetriedOnTheOther(String protocol)
      throws Exception {
    // A hundredth of real time: each prefill of about 600 tokens takes a few seconds.
    start(protocol, false, 0.01, 25);
    List<Future<HttpResponse<Buffer>>> requests = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      requests.add(stream(longPrompt(i), 2));
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        engine(0, "vllm:num_requests_running") + engine(0, "vllm:num_requests_waiting") > 0);
    cluster.engines().stopInstance(0);

    Future.all(requests).await(60, TimeUnit.SECONDS);
    for (var request : requests) {
      HttpResponse<Buffer> response = request.result();
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      assertThat(response.bodyAsString()).doesNotContain("\"error\"");
      assertThat(events(response.bodyAsString())).endsWith("[DONE]").hasSize(2 + 1);
    }
    assertThat(metrics(cluster.gatewayPort())).contains("request_retry_total{model=\"m\"");
    awaitIdle(List.of(0));
  }

  @Test
  void aDecodeEngineKilledMidStreamEndsItsStreamsWithAnError() throws Exception {
    start("vllm-kvt", true, 1, 25);
    List<Future<HttpResponse<Buffer>>> requests = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      requests.add(stream("request " + i, 400)); // about 3 s of decoding each
    }
    int decode = 2; // the first decode engine
    await().atMost(Duration.ofSeconds(10)).until(() ->
        engine(decode, "vllm:generation_tokens_total") > 10);
    cluster.engines().stopInstance(decode);

    Future.join(requests).await(60, TimeUnit.SECONDS);
    int cut = 0;
    for (var request : requests) {
      HttpResponse<Buffer> response = request.result();
      assertThat(response.statusCode()).isEqualTo(200);
      List<String> events = events(response.bodyAsString());
      assertThat(events).last().isEqualTo("[DONE]");
      if (events.get(events.size() - 2).contains("\"error\"")) {
        cut++; // its decode engine died after the first token: an error, then [DONE]
      } else {
        assertThat(events).hasSize(400 + 1);
      }
    }
    assertThat(cut).isPositive();
    awaitIdle(List.of(decode));
  }

  @ParameterizedTest
  @ValueSource(strings = {"vllm-kvt", "vllm-mooncake"})
  void aClientLeavingWhileTheKvMovesAbortsBothSides(String protocol) throws Exception {
    // 0.002 GB/s: the KV of this prompt (about 600 tokens of 128 KiB) takes about 40 s.
    start(protocol, false, 1, 0.002);
    HttpClient client = vertx.createHttpClient();
    client.request(HttpMethod.POST, cluster.gatewayPort(), "127.0.0.1", "/v1/completions")
        .compose(request -> request.send(new JsonObject().put("model", "m")
            .put("prompt", longPrompt(0)).put("max_tokens", 8).put("stream", true).encode()));
    await().atMost(Duration.ofSeconds(20)).until(() -> waitingOnDecode() == 1);
    client.close().await(10, TimeUnit.SECONDS); // the client leaves

    awaitIdle(List.of());
    assertThat(metrics(cluster.gatewayPort()))
        .contains("request_total{model=\"m\",status_code=\"499\"} 1.0");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void withTheSchedulerDownRequestsGoRoundRobinPerType(boolean staged) throws Exception {
    start("vllm-mooncake", staged, 20, 25);
    cluster.stopScheduler();
    await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.gatewayReady());
    List<Future<HttpResponse<Buffer>>> requests = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      requests.add(stream("round-robin " + i, 3));
    }
    Future.all(requests).await(30, TimeUnit.SECONDS);
    for (var request : requests) {
      assertThat(request.result().statusCode()).isEqualTo(200);
      assertThat(events(request.result().bodyAsString())).endsWith("[DONE]").hasSize(3 + 1);
    }
    // Each side's two engines took turns: two prefills and two decodes each.
    for (int i = 0; i < 4; i++) {
      assertThat(sample(metrics(cluster.instances().get(i).port()),
          "vllm:request_success_total{engine=\"" + i + "\",finished_reason=\"length\","
              + "model_name=\"m\"}")).as("engine %d", i).isEqualTo(2);
    }
    awaitIdle(List.of());
    cluster.startScheduler();
    await().atMost(Duration.ofSeconds(10)).until(cluster::gatewayReady);
  }

  /** Requests the decode engines count as waiting (for their KV). */
  double waitingOnDecode() throws Exception {
    double waiting = 0;
    List<LlmInstance> instances = cluster.instances();
    for (int i = 0; i < instances.size(); i++) {
      if (instances.get(i).inferType() == InferType.DECODE) {
        waiting += engine(i, "vllm:num_requests_waiting");
      }
    }
    return waiting;
  }
}
