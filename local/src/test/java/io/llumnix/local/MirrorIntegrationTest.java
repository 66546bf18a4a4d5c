package io.llumnix.local;

import static io.llumnix.testing.Exposition.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.gateway.mirror.MirrorSettings;
import io.llumnix.runtime.process.ChildProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirroring over real HTTP: a gateway whose mirror file changes while it serves, a target that
 * records the copies, one that never answers and one that is down. Copies never change the
 * client's answer.
 */
class MirrorIntegrationTest {

  @TempDir static Path dir;
  static Path file;
  static LocalCluster cluster;
  static Vertx vertx;
  static WebClient web;
  static HttpServer target;
  static HttpServer silent;
  /** What the recording target got: "METHOD path auth body". */
  static final List<String> copies = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    file = dir.resolve("mirror.json");
    cluster = Clusters.liteCluster(2, 20).gatewayRoundRobin(true)
        .gateway(Clusters.gateway().mirror(new MirrorSettings(file.toString(), 50, 8)).build())
        .start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(b -> {
      copies.add(request.method() + " " + request.path() + " "
          + request.getHeader("Authorization") + " " + b);
      request.response().end("ignored");
    })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    silent = vertx.createHttpServer().requestHandler(request -> { })
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    cluster.close();
  }

  @BeforeEach
  void mirrorOff() throws Exception {
    configure("{\"Enable\": false}");
    copies.clear();
  }

  static void configure(String json) throws Exception {
    Files.writeString(file, json);
  }

  static String body(int i) {
    return "{\"model\":\"m\",\"prompt\":\"mirror " + i + "\",\"max_tokens\":2}";
  }

  static Future<HttpResponse<Buffer>> send(int i) {
    return web.post(cluster.gatewayPort(), "127.0.0.1", "/v1/completions?x=1")
        .putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer client")
        .sendBuffer(Buffer.buffer(body(i)));
  }

  static double mirrored(String result) throws Exception {
    return sample(Clusters.metrics(web, cluster.gatewayPort()),
        "gateway_mirror_requests_total{result=\"" + result + "\"}");
  }

  /** Sends {@code n} requests, at most 16 at once; each must be a full answer. */
  static List<Long> run(int n) throws Exception {
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    for (int start = 0; start < n; start += 16) {
      List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
      for (int i = start; i < Math.min(n, start + 16); i++) {
        long sent = System.nanoTime();
        batch.add(send(i).onSuccess(r -> latencies.add(System.nanoTime() - sent)));
      }
      Future.all(batch).await(30, TimeUnit.SECONDS);
      for (var response : batch) {
        assertThat(response.result().statusCode()).isEqualTo(200);
        assertThat(response.result().bodyAsJsonObject().getJsonObject("usage")
            .getInteger("completion_tokens")).isEqualTo(2);
      }
    }
    return latencies;
  }

  @Test
  void aShareOfRequestsIsCopiedWithItsBodyPathAndTheConfiguredAuthorization() throws Exception {
    configure("{\"enable\": true, \"target\": \"http://127.0.0.1:" + target.actualPort()
        + "/\", \"ratio\": 100, \"authorization\": \"Bearer mirror\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      send(-1).await(10, TimeUnit.SECONDS);
      return !copies.isEmpty();
    });
    copies.clear();
    configure("{\"Enable\": true, \"Target\": \"http://127.0.0.1:" + target.actualPort()
        + "\", \"Ratio\": 50, \"Authorization\": \"Bearer mirror\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      copies.clear();
      run(40);
      return copies.size() < 36; // the 50 % config is in force
    });
    copies.clear();
    run(400);
    // Binomial(400, 0.5): 200 ± 10; ±4 standard deviations.
    await().atMost(Duration.ofSeconds(5)).until(() -> copies.size() >= 160);
    assertThat(copies.size()).isBetween(160, 240);
    assertThat(copies).allSatisfy(copy -> assertThat(copy)
        .startsWith("POST /v1/completions Bearer mirror {\"model\":\"m\",\"prompt\":\"mirror "));
  }

  @Test
  void aSilentTargetCostsBoundedCopiesAndTheClientsNothing() throws Exception {
    List<Long> off = run(160);
    double droppedBefore = mirrored("dropped");
    double failedBefore = mirrored("failed");
    configure("{\"Enable\": true, \"Target\": \"http://127.0.0.1:" + silent.actualPort()
        + "\", \"Ratio\": 100, \"Timeout\": 3000}");
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      run(16);
      return mirrored("dropped") > droppedBefore;
    });
    List<Long> on = run(160);
    // At most 8 copies wait on the silent target; every other one was dropped.
    assertThat(mirrored("dropped") - droppedBefore).isGreaterThanOrEqualTo(160 + 16 - 8);
    Collections.sort(off);
    Collections.sort(on);
    long p50Off = off.get(off.size() / 2);
    long p50On = on.get(on.size() / 2);
    assertThat(p50On).as("p50 %d ns with the mirror, %d without", p50On, p50Off)
        .isLessThan(2 * p50Off + 50_000_000L);
    // The copies waiting on the silent target time out, and their slots come back.
    configure("{\"Enable\": false}");
    await().atMost(Duration.ofSeconds(15)).until(() -> mirrored("failed") >= failedBefore + 8);
  }

  @Test
  void aDownTargetIsCountedAsFailedAndABadFileKeepsTheLastGoodConfig() throws Exception {
    int closed = ChildProcess.freePort();
    double failedBefore = mirrored("failed");
    configure("{\"Enable\": true, \"Target\": \"http://127.0.0.1:" + closed
        + "\", \"Ratio\": 100, \"Timeout\": 1000}");
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      run(4);
      return mirrored("failed") > failedBefore;
    });
    configure("{\"Enable\": true, \"Ratio\": 500}"); // out of range: ignored
    double failedNow = mirrored("failed");
    // Past several reads of the file (every 50 ms): the bad one has been seen by then.
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> {
      run(4);
      return mirrored("failed") >= failedNow + 4; // still mirroring to the down target
    });
  }
}
