package io.llumnix.enginesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The llumlet publishes the simulated engine's real state to the CMS. */
class LlumletIntegrationTest {

  static InstanceStatus status(InMemoryCmsStore store, String id) throws Exception {
    return store.statuses(List.of(id)).await(5, TimeUnit.SECONDS).get(0);
  }

  @Test
  void publishesMetadataAndStatusAtEveryLoadChangeAndReportsAStall() throws Exception {
    EngineSettings settings = EngineSettings.builder().model("m").outputLengthMean(0)
        .tokenizer(TokenizerSource.BUILTIN).core(CoreConfig.builder().maxNumBatchedTokens(2048)
            .maxNumSeqs(64).numGpuBlocks(1024).maxModelLen(4096).seed(1).build())
        .build();
    InMemoryCmsStore store = new InMemoryCmsStore();
    CmsTarget cms = new CmsTarget(v -> store, new Llumlet.Settings(100, 5, 20_000, 100, 400,
        10_000), "127.0.0.1");
    Vertx vertx = Vertx.vertx();
    try (EngineSimulator simulator = EngineSimulator.start(settings, "127.0.0.1", 0, 1, 20000,
        cms)) {
      EngineInstance engine = simulator.instances().get(0);
      String id = "127.0.0.1:" + engine.actualPort();
      var metadata = store.allMetadata().await(5, TimeUnit.SECONDS);
      assertThat(metadata).hasSize(1);
      assertThat(metadata.get(0).getInstanceId()).isEqualTo(id);
      assertThat(metadata.get(0).getApiServerPort()).isEqualTo(engine.actualPort());
      assertThat(metadata.get(0).getInstanceType()).isEqualTo("neutral");
      assertThat(metadata.get(0).getBlockSize()).isEqualTo(16);
      await().atMost(Duration.ofSeconds(5)).until(() -> status(store, id) != null);
      InstanceStatus idle = status(store, id);
      assertThat(idle.getSchedulable()).isTrue();
      assertThat(idle.getNumTotalGpuTokens()).isEqualTo(1024 * 16);
      assertThat(idle.getNumUsedGpuTokens()).isLessThanOrEqualTo(16); // the null block

      // A long request: it shows waiting (recent), then running with its blocks used.
      WebClient web = WebClient.create(vertx);
      var response = web.post(engine.actualPort(), "127.0.0.1", "/v1/completions")
          .sendJsonObject(new JsonObject().put("prompt", "hello ".repeat(200))
              .put("max_tokens", 200).put("ignore_eos", true).put("request_id", "req-1"));
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        InstanceStatus busy = status(store, id);
        assertThat(busy.getNumRunningRequests()).isEqualTo(1);
        assertThat(busy.getNumUsedGpuTokens()).isGreaterThan(200);
        assertThat(busy.getRecentWaitingRequestsList()).contains("cmpl-req-1-0");
        assertThat(busy.getSchedulerRunningToDecodeRequestsNum()).isEqualTo(1);
        assertThat(busy.getStepId()).isPositive();
        assertThat(busy.getUpdateId()).isGreaterThan(idle.getUpdateId());
      });

      engine.stall(true);
      await().atMost(Duration.ofSeconds(5)).until(() -> !status(store, id).getSchedulable());
      engine.stall(false);
      await().atMost(Duration.ofSeconds(5)).until(() -> status(store, id).getSchedulable());
      assertThat(response.await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        InstanceStatus done = status(store, id);
        assertThat(done.getNumRunningRequests()).isZero();
        assertThat(done.getWaitingRequestsList()).isEmpty();
      });
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    // Graceful shutdown removes the records.
    assertThat(store.allMetadata().await(5, TimeUnit.SECONDS)).isEmpty();
  }
}
