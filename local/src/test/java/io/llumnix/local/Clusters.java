package io.llumnix.local;

import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.gateway.GatewayConfig;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Local clusters for the tests: model {@code m}, the fast tokenizer, free ports. */
final class Clusters {

  private Clusters() {}

  static EngineSettings.Builder engine(double speedup) {
    return EngineSettings.builder().model("m").speedup(speedup).outputLengthMean(0)
        .tokenizer(TokenizerSource.BUILTIN)
        .core(CoreConfig.builder().maxNumSeqs(256).numGpuBlocks(8192).maxModelLen(4096).seed(1)
            .build());
  }

  static GatewayConfig.Builder gateway() {
    return GatewayConfig.builder().host("127.0.0.1").port(0).maxModelLen(4096)
        .maxRequestBodyBytes(1 << 20);
  }

  static SchedulerConfig.Builder lite() {
    return SchedulerConfig.builder().host("127.0.0.1").port(0).fullMode(false)
        .keepaliveIntervalMillis(500).policyConfig(PolicyConfig.liteDefaults());
  }

  /** A lite-mode cluster of {@code engines} engines whose gateway retries twice. */
  static LocalCluster.Builder liteCluster(int engines, double speedup) {
    return LocalCluster.builder().instances(engines).engineBasePort(0)
        .engine(engine(speedup).build()).tokenizer(TokenizerSource.BUILTIN)
        .gateway(gateway().retryMaxCount(2).build()).scheduler(lite().build())
        .schedulerLink(link -> link.reportIntervalMillis(100).waitSchedulingRetryMillis(200)
            .reconnectMillis(200));
  }

  static String metrics(WebClient web, int port) throws Exception {
    return web.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS)
        .bodyAsString();
  }

  /**
   * Waits (up to {@code seconds}) until no engine of {@code cluster} but the {@code stopped}
   * ones (by index) holds a KV block or a running or waiting request: nothing leaked.
   */
  static void awaitIdle(WebClient web, LocalCluster cluster, List<Integer> stopped,
      long seconds) {
    await().atMost(Duration.ofSeconds(seconds)).untilAsserted(() -> {
      List<LlmInstance> instances = cluster.instances();
      for (int i = 0; i < instances.size(); i++) {
        if (stopped.contains(i)) {
          continue;
        }
        String m = metrics(web, instances.get(i).port());
        String labels = "{engine=\"" + i + "\",model_name=\"m\"}";
        assertThat(sample(m, "vllm:kv_cache_usage_perc" + labels)).as("engine %d", i).isZero();
        assertThat(sample(m, "vllm:num_requests_running" + labels)).as("engine %d", i).isZero();
        assertThat(sample(m, "vllm:num_requests_waiting" + labels)).as("engine %d", i).isZero();
      }
    });
  }

  static HttpResponse<Buffer> post(WebClient web, int port, String path, String body)
      throws Exception {
    return web.post(port, "127.0.0.1", path).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).await(60, TimeUnit.SECONDS);
  }
}
