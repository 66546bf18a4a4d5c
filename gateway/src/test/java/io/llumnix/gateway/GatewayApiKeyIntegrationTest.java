package io.llumnix.gateway;

import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.gateway.auth.ApiKeys;
import io.llumnix.gateway.auth.AuthSettings;
import io.llumnix.gateway.scheduling.InstanceDirectory;
import io.llumnix.gateway.scheduling.RemoteSchedulerBalancer;
import io.llumnix.gateway.scheduling.RoundRobinBalancer;
import io.llumnix.gateway.scheduling.SchedulerSettings;
import io.llumnix.runtime.VertxClock;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.SchedulingJson;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.testing.Exposition;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys over real HTTP: a gateway in front of a recording scheduler and engine, so a refused
 * request is seen to reach neither.
 */
class GatewayApiKeyIntegrationTest {

  @TempDir static Path dir;
  static Vertx vertx;
  static WebClient web;
  static EngineSimulator engine;
  static HttpServer scheduler;
  static final AtomicInteger scheduled = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    engine = Fixtures.engine(50);
    scheduler = vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals(Keepalive.PATH)) {
        request.toWebSocket().onSuccess(ws -> ws.textMessageHandler(
            hello -> ws.writeTextMessage(Keepalive.ACCEPTED)));
        return;
      }
      request.body().onSuccess(body -> {
        if (request.path().equals("/schedule")) {
          scheduled.incrementAndGet();
          SchedulingRequest asked = SchedulingJson.decode(body);
          request.response().end(SchedulingJson.encode(asked.withResult(List.of(
              Fixtures.instance(engine)))));
        } else {
          request.response().end();
        }
      });
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
  }

  /** Requests the engine has served. */
  static double served() throws Exception {
    return Exposition.sum(web.get(engine.ports().get(0), "127.0.0.1", "/metrics").send()
        .await(10, TimeUnit.SECONDS).bodyAsString(), "vllm:request_success_total");
  }

  static int gateway(AuthSettings auth) throws Exception {
    RoundRobinBalancer roundRobin = new RoundRobinBalancer(InstanceDirectory.of(List.of()));
    RemoteSchedulerBalancer balancer = new RemoteSchedulerBalancer(vertx, VertxClock.of(vertx),
        SchedulerSettings.builder(List.of(new SchedulerEndpoint("127.0.0.1",
            scheduler.actualPort()))).build(), roundRobin);
    await().atMost(Duration.ofSeconds(10)).until(balancer::ready);
    return Fixtures.start(vertx, Fixtures.config().auth(auth).build(), balancer, roundRobin,
        null).actualPort();
  }

  static HttpResponse<Buffer> complete(int gateway, @Nullable String authorization)
      throws Exception {
    var request = web.post(gateway, "127.0.0.1", "/v1/completions");
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.sendJsonObject(new JsonObject().put("prompt", "let me in")
        .put("max_tokens", 1)).await(10, TimeUnit.SECONDS);
  }

  @Test
  void aWrongOrMissingKeyIs401AndReachesNeitherSchedulerNorEngine() throws Exception {
    Path keys = Files.writeString(dir.resolve("keys"), "# team keys\nteam-a sk-aaaa\nsk-bare\n");
    int gateway = gateway(new AuthSettings(keys.toString(), "ci sk-env", 50, true));
    double servedBefore = served();
    scheduled.set(0);
    for (String refused : new String[] {null, "Bearer sk-wrong", "Bearer sk-aaab", "sk-aaaa",
        "Basic c2stYWFhYQ==", "Bearer "}) {
      HttpResponse<Buffer> response = complete(gateway, refused);
      assertThat(response.statusCode()).as(refused).isEqualTo(401);
      assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getInteger("code")).isEqualTo(401);
      assertThat(error.getString("type")).isEqualTo("AuthenticationError");
    }
    assertThat(web.get(gateway, "127.0.0.1", "/v1/models").send().await(10, TimeUnit.SECONDS)
        .statusCode()).isEqualTo(401);
    assertThat(scheduled).hasValue(0); // and so no engine was chosen for them
    assertThat(served()).isEqualTo(servedBefore);

    for (String allowed : new String[] {"Bearer sk-aaaa", "bearer sk-bare", "Bearer sk-env"}) {
      assertThat(complete(gateway, allowed).statusCode()).as(allowed).isEqualTo(200);
    }
    assertThat(scheduled).hasValue(3);
    // Operator routes stay open.
    String metrics = web.get(gateway, "127.0.0.1", "/metrics").send()
        .await(10, TimeUnit.SECONDS).bodyAsString();
    assertThat(web.get(gateway, "127.0.0.1", "/healthz").send().await(10, TimeUnit.SECONDS)
        .statusCode()).isEqualTo(200);
    // By key name, never the key.
    assertThat(sample(metrics,
        "gateway_requests_by_key_total{key_name=\"team-a\",status_code=\"200\"}")).isEqualTo(1);
    assertThat(sample(metrics,
        "gateway_requests_by_key_total{key_name=\"unnamed\",status_code=\"200\"}")).isEqualTo(1);
    assertThat(sample(metrics,
        "gateway_requests_by_key_total{key_name=\"ci\",status_code=\"200\"}")).isEqualTo(1);
    assertThat(metrics).doesNotContain("sk-");
  }

  @Test
  void theKeysFileIsFollowedAndABadVersionKeepsTheLastGoodKeys() throws Exception {
    Path keys = Files.writeString(dir.resolve("rotating"), "old sk-old\n");
    int gateway = gateway(new AuthSettings(keys.toString(), "", 20, false));
    assertThat(complete(gateway, "Bearer sk-old").statusCode()).isEqualTo(200);
    replace(keys, "new sk-new\n");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        complete(gateway, "Bearer sk-new").statusCode() == 200);
    assertThat(complete(gateway, "Bearer sk-old").statusCode()).isEqualTo(401);
    replace(keys, "one two three words\n"); // not a key line: ignored
    Files.delete(keys); // and gone: the last good keys stay
    await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10)).until(() ->
        complete(gateway, "Bearer sk-new").statusCode() == 200);
  }

  static void replace(Path file, String content) throws Exception {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, content);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void keysAreParsedStrictlyAndNeverKept() {
    ApiKeys keys = ApiKeys.parse("a sk-1, sk-2\n\n# comment\n b  sk-3 ");
    assertThat(keys.size()).isEqualTo(3);
    assertThat(keys.nameOf("Bearer sk-1")).isEqualTo("a");
    assertThat(keys.nameOf("Bearer sk-2")).isEqualTo(ApiKeys.UNNAMED);
    assertThat(keys.nameOf("Bearer sk-3")).isEqualTo("b");
    assertThat(keys.nameOf("Bearer sk-4")).isNull();
    assertThat(keys.toString()).doesNotContain("sk-");
    assertThatThrownBy(() -> ApiKeys.parse("a b c")).hasMessageContaining("entry 1");
    assertThatThrownBy(() -> gateway(new AuthSettings(dir.resolve("none").toString(), "", 10,
        false))).hasMessageContaining("cannot read it");
    assertThatThrownBy(() -> gateway(new AuthSettings("", " , # nothing", 10, false)))
        .hasMessageContaining("name no key");
  }
}
