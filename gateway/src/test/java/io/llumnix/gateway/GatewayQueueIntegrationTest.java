package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.gateway.scheduling.Balancer;
import io.llumnix.gateway.scheduling.InstanceDirectory;
import io.llumnix.gateway.scheduling.Lease;
import io.llumnix.gateway.scheduling.LeaseRequest;
import io.llumnix.gateway.scheduling.RoundRobinBalancer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A full scheduling queue answers 429 with Retry-After after the wait, never hangs. */
class GatewayQueueIntegrationTest {

  @Test
  void aFullQueueAnswers429AfterTheWait() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // A scheduler that never decides: the one worker stays busy, the queue fills.
      Balancer stuck = new Balancer() {
        @Override
        public Future<Lease> lease(LeaseRequest request) {
          return Promise.<Lease>promise().future();
        }
      };
      GatewayServer server = Fixtures.start(vertx, Fixtures.config().maxQueueSize(1)
              .queueWorkers(1).queueFullWaitMillis(200).build(), stuck,
          new RoundRobinBalancer(InstanceDirectory.of(List.of())), null);
      WebClient web = WebClient.create(vertx);
      JsonObject body = new JsonObject().put("prompt", "x").put("max_tokens", 1);
      Future<HttpResponse<Buffer>> running = web.post(server.actualPort(), "127.0.0.1",
          "/v1/completions").timeout(1000).sendJsonObject(body);
      Future<HttpResponse<Buffer>> queued = web.post(server.actualPort(), "127.0.0.1",
          "/v1/completions").timeout(1000).sendJsonObject(body);
      // Both reach the gateway (one scheduling, one queued) before the third is sent.
      org.awaitility.Awaitility.await().until(() -> web.get(server.actualPort(), "127.0.0.1",
          "/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString()
          .contains("gateway_pending_requests 2.0"));
      HttpResponse<Buffer> rejected = web.post(server.actualPort(), "127.0.0.1",
          "/v1/completions").sendJsonObject(body).await(10, TimeUnit.SECONDS);
      assertThat(rejected.statusCode()).isEqualTo(429);
      assertThat(rejected.getHeader("Retry-After")).isEqualTo("1");
      assertThat(rejected.bodyAsJsonObject().getJsonObject("error").getString("type"))
          .isEqualTo("RateLimitError");
      assertThat(running.failed() || !running.isComplete()).isTrue();
      assertThat(queued.failed() || !queued.isComplete()).isTrue();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
