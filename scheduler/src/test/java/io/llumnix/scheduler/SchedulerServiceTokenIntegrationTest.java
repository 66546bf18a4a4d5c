package io.llumnix.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.process.ChildProcess;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulerClient;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.SchedulingMode;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.api.SchedulingStage;
import io.llumnix.scheduler.api.ServiceToken;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code --service-token} and {@code --internal-port} over real HTTP and WebSocket. */
class SchedulerServiceTokenIntegrationTest {

  static final String TOKEN = "s3cret-token-0123456789";
  /** As long as {@link #TOKEN}, one character off: refused like any other wrong token. */
  static final String WRONG = "s3cret-token-0123456780";
  static final List<String> HTTP_ROUTES = List.of("/schedule", "/release", "/report");

  static Vertx vertx;
  static WebClient web;
  static WebSocketClient sockets;
  /** A scheduler with the token, all routes on one port. */
  static int port;
  /** A scheduler with the token and {@code --internal-port}. */
  static SchedulerServer split;

  static SchedulerServer start(int internalPort) throws Exception {
    ComponentMetrics metrics = ComponentMetrics.create(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    SchedulerServer server = new SchedulerServer(SchedulerConfig.builder().host("127.0.0.1")
        .port(0).internalPort(internalPort).fullMode(false).policy("load-balance")
        .policyConfig(PolicyConfig.liteDefaults()).serviceToken(ServiceToken.of(TOKEN)).build(),
        metrics, null, null);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    server.up(LlmInstance.ofEndpoint("10.0.0.1", 8000));
    return server;
  }

  @BeforeAll
  static void startSchedulers() throws Exception {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    sockets = vertx.createWebSocketClient();
    port = start(0).actualPort();
    split = start(ChildProcess.freePort());
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> post(int port, String path, @Nullable String authorization)
      throws Exception {
    HttpRequest<Buffer> request = web.post(port, "127.0.0.1", path);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.sendBuffer(Buffer.buffer(new JsonObject().put("id", "r").encode()))
        .await(10, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> get(int port, String path) throws Exception {
    return web.get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  static void assertUnauthorized(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("AuthenticationError");
    assertThat(error.getInteger("code")).isEqualTo(401);
    assertThat(error.containsKey("param")).isTrue();
    assertThat(error.getValue("param")).isNull();
    assertThat(error.getString("message")).contains("service token");
  }

  /** The keepalive's upgrade with this {@code Authorization}, through to the {@code ok}. */
  static WebSocket keepalive(int port, @Nullable String authorization, String gatewayHost)
      throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(port).setURI(Keepalive.PATH);
    if (authorization != null) {
      options.addHeader("Authorization", authorization);
    }
    WebSocket ws = sockets.connect(options).await(10, TimeUnit.SECONDS);
    CompletableFuture<String> answer = new CompletableFuture<>();
    ws.textMessageHandler(answer::complete);
    ws.writeTextMessage(Keepalive.hello(gatewayHost, 9000));
    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Keepalive.ACCEPTED);
    return ws;
  }

  static void assertUpgradeRefused(int port, @Nullable String authorization) {
    assertThatThrownBy(() -> keepalive(port, authorization, "10.9.9.9"))
        .isInstanceOfSatisfying(UpgradeRejectedException.class,
            e -> assertThat(e.getStatus()).isEqualTo(401));
  }

  @Test
  void everyInternalRouteRefusesACallerWithoutTheToken() throws Exception {
    for (String path : HTTP_ROUTES) {
      assertUnauthorized(post(port, path, null));
      assertUnauthorized(post(port, path, "Bearer " + WRONG));
      assertUnauthorized(post(port, path, WRONG));
      assertUnauthorized(post(port, path, "Bearer"));
    }
    assertUpgradeRefused(port, null);
    assertUpgradeRefused(port, "Bearer " + WRONG);
    assertUpgradeRefused(port, WRONG);
  }

  @Test
  void aGatewayWithTheTokenKeepsItsKeepaliveAndSchedules() throws Exception {
    WebSocket ws = keepalive(port, ServiceToken.of(TOKEN).authorization(), "10.8.0.1");
    // 10 s, as the awaits below: the first call of this JVM's first scheduler client loads and
    // compiles its whole path, which a busy 2-core CI box has taken over 2 s to do.
    SchedulerClient client = SchedulerClient.create(vertx,
        new SchedulerClient.Settings(10_000, TOKEN, 4));
    try {
      SchedulerEndpoint endpoint = new SchedulerEndpoint("127.0.0.1", port);
      SchedulingRequest request = SchedulingRequest.of("tokened-1", "m", "10.8.0.1:9000",
          SchedulingMode.NEUTRAL, SchedulingStage.PREFILL, 100, null);
      Outcome scheduled = onLoop(() -> client.schedule(endpoint, request));
      assertThat(scheduled).isInstanceOfSatisfying(Outcome.Scheduled.class, s ->
          assertThat(s.answer().schedulingResult()).extracting(LlmInstance::host)
              .containsExactly("10.0.0.1"));
      Outcome released = onLoop(() -> client.release(endpoint,
          ((Outcome.Scheduled) scheduled).answer()));
      assertThat(released).isInstanceOf(Outcome.Scheduled.class);
      onLoop(() -> client.report(endpoint, List.of()));

      // Without the token the same client is told why.
      SchedulerClient untokened = SchedulerClient.create(vertx,
          new SchedulerClient.Settings(10_000, "", 4));
      assertThat(untokened.schedule(endpoint, request).await(10, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.status()).isEqualTo(401);
            assertThat(f.message()).contains("AuthenticationError");
          });
      untokened.close().await(10, TimeUnit.SECONDS);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      ws.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Runs {@code call} on an event loop, as a gateway calls its scheduler, and waits for it.
   * (Called from the test's own thread instead, a call right after the previous one's answer
   * sometimes never completed: its connection was being handed back to the pool.)
   */
  static <T> T onLoop(Supplier<Future<T>> call) throws Exception {
    Promise<T> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> call.get().onComplete(done));
    return done.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theBareTokenAsTheReferenceSendsItIsAcceptedToo() throws Exception {
    assertThat(post(port, "/report", TOKEN).statusCode()).isEqualTo(400); // past the check
    assertThat(post(port, "/report", "bearer " + TOKEN).statusCode()).isEqualTo(400);
    keepalive(port, TOKEN, "10.8.0.2").close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void metricsAndHealthStayOpen() throws Exception {
    assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(port, "/metrics").statusCode()).isEqualTo(200);
    assertThat(get(port, "/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  void anInternalPortTakesTheInternalRoutesOffTheMainPort() throws Exception {
    int main = split.actualPort();
    int internal = split.internalPort();
    assertThat(internal).isNotEqualTo(main);
    for (String path : HTTP_ROUTES) {
      HttpResponse<Buffer> response = post(main, path, "Bearer " + TOKEN);
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("message"))
          .contains("--internal-port");
      assertUnauthorized(post(internal, path, null));
    }
    assertThatThrownBy(() -> keepalive(main, ServiceToken.of(TOKEN).authorization(), "10.7.0.1"))
        .isInstanceOfSatisfying(UpgradeRejectedException.class,
            e -> assertThat(e.getStatus()).isEqualTo(404));
    assertUpgradeRefused(internal, null);
    keepalive(internal, ServiceToken.of(TOKEN).authorization(), "10.7.0.1").close()
        .await(10, TimeUnit.SECONDS);
    assertThat(post(internal, "/report", "Bearer " + TOKEN).statusCode()).isEqualTo(400);

    assertThat(get(main, "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(main, "/metrics").statusCode()).isEqualTo(200);
    assertThat(get(internal, "/metrics").statusCode()).isEqualTo(404);
  }
}
