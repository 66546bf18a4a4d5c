package io.llumnix.kvs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.kvs.mooncake.MooncakeClient;
import io.llumnix.metrics.ComponentMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link MooncakeClient} against the metadata service, and against broken services. */
class MooncakeClientTest {

  /** Short timeouts, yet long enough for a cold JVM's first request on a busy machine. */
  static final MooncakeClient.Settings FAST =
      MooncakeClient.Settings.DEFAULT.withTimeouts(2000, 4000);

  static Vertx vertx;
  static ComponentMetrics metrics;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    metrics = ComponentMetrics.create(1000);
    KvsServer server = new KvsServer(KvsSettings.memory("127.0.0.1", 0), metrics);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * Makes the call on a Vert.x context, as the scheduler and the engines do (they call from
   * their event loops), and waits for it. Called from the test's own thread instead, a request
   * among many in flight sometimes got no answer until its timeout.
   */
  static <T> T await(Supplier<Future<T>> call) throws Exception {
    Promise<T> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(ignored -> call.get().onComplete(done));
    return done.future().await(20, TimeUnit.SECONDS);
  }

  /** A key as the scheduler makes them: 66 characters. */
  static String key(String prefix, int i) {
    return prefix + String.format("%064x", i);
  }

  /** The value of the counter series {@code labels} of {@code kvs_requests_total}. */
  static double requests(String path, String status) {
    Matcher m = Pattern.compile("kvs_requests_total\\{path=\"" + Pattern.quote(path)
        + "\",status_code=\"" + status + "\"} (\\S+)").matcher(metrics.scrape(null));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** A stub service answering every request with {@code status} and {@code body}. */
  static HttpServer stub(int status, String body, AtomicInteger hits) throws Exception {
    // The answer goes after the request's body is read, as a real server's would.
    return vertx.createHttpServer().requestHandler(request -> request.body().onComplete(b -> {
      hits.incrementAndGet();
      request.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(body);
    })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @Test
  void putsQueriesAndRemovesThroughTheService() throws Exception {
    MooncakeClient client = new MooncakeClient(vertx, "127.0.0.1", port);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      keys.add(key("hp", i));
    }
    await(() -> client.put("10.0.0.1:28000", keys));
    await(() -> client.put("10.0.0.2:28000", keys.subList(0, 5)));

    double lookups = requests("/batch_query_keys", "200");
    List<String> asked = new ArrayList<>(keys);
    asked.add("missing");
    Map<String, List<String>> found = await(() -> client.query(asked));
    assertThat(found).hasSize(1000).doesNotContainKey("missing");
    assertThat(found.get(keys.get(0))).containsExactlyInAnyOrder("10.0.0.1:28000",
        "10.0.0.2:28000");
    assertThat(found.get(keys.get(999))).containsExactly("10.0.0.1:28000");
    // 1001 keys of ~66 characters do not fit one URL.
    assertThat(requests("/batch_query_keys", "200") - lookups).isGreaterThanOrEqualTo(9);

    await(() -> client.remove("10.0.0.2:28000", keys.subList(0, 2)));
    await(() -> client.removeEndpoint("10.0.0.1:28000"));
    found = await(() -> client.query(keys.subList(0, 10)));
    assertThat(found).containsOnlyKeys(keys.subList(2, 5));
    assertThat(await(() -> client.query(List.of()))).isEmpty();
    await(() -> client.close());
  }

  @Test
  void splitsWritesAndLookups() throws Exception {
    MooncakeClient.Settings small = new MooncakeClient.Settings(3000, 5000, 3, 1000, 100, 4);
    MooncakeClient client = new MooncakeClient(vertx, "127.0.0.1", port, small);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      keys.add(key("sp", i));
    }
    double puts = requests("/batch_put_keys", "200");
    await(() -> client.put("10.0.0.3:28000", keys));
    assertThat(requests("/batch_put_keys", "200") - puts).isEqualTo(10);

    List<String> uris = MooncakeClient.queryUris(keys, 1000);
    assertThat(uris).hasSizeGreaterThan(60).allSatisfy(uri ->
        assertThat(uri).startsWith("/batch_query_keys?keys=").hasSizeLessThan(1000));
    assertThat(String.join(",", uris).replace("/batch_query_keys?keys=", "").split(","))
        .containsExactlyElementsOf(keys);
    assertThat(await(() -> client.query(keys))).hasSize(1000);
    await(() -> client.close());
  }

  @Test
  void anErrorStatusFailsWithoutRetry() throws Exception {
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = stub(500, "{\"success\":false,\"error\":\"boom\"}", hits);
    MooncakeClient client = new MooncakeClient(vertx, "127.0.0.1", server.actualPort(), FAST);
    assertThatThrownBy(() -> await(() -> client.query(List.of("a"))))
        .isInstanceOfSatisfying(MooncakeClient.ServiceException.class, e -> {
          assertThat(e.status()).isEqualTo(500);
          assertThat(e.getMessage()).contains("boom");
        });
    assertThatThrownBy(() -> await(() -> client.put("e:1", List.of("a"))))
        .isInstanceOf(MooncakeClient.ServiceException.class);
    assertThat(hits.get()).isEqualTo(2);
    server.close();
  }

  @Test
  void successFalseFails() throws Exception {
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = stub(200, "{\"success\":false,\"error\":\"not serving\"}", hits);
    MooncakeClient client = new MooncakeClient(vertx, "127.0.0.1", server.actualPort(), FAST);
    assertThatThrownBy(() -> await(() -> client.query(List.of("a"))))
        .isInstanceOfSatisfying(MooncakeClient.ServiceException.class, e -> {
          assertThat(e.status()).isEqualTo(200);
          assertThat(e.getMessage()).contains("not serving");
        });
    assertThatThrownBy(() -> await(() -> client.removeEndpoint("e:1")))
        .isInstanceOf(MooncakeClient.ServiceException.class);
    server.close();

    HttpServer garbage = stub(200, "<html>", hits);
    MooncakeClient other = new MooncakeClient(vertx, "127.0.0.1", garbage.actualPort(), FAST);
    assertThatThrownBy(() -> await(() -> other.query(List.of("a"))))
        .isInstanceOf(IllegalArgumentException.class);
    garbage.close();
  }

  @Test
  void aResetConnectionIsRetriedThreeTimes() throws Exception {
    try (RawServer server = RawServer.resetting()) {
      MooncakeClient client = new MooncakeClient(vertx, "127.0.0.1", server.port(), FAST);
      assertThatThrownBy(() -> await(() -> client.query(List.of("a")))).isNotNull();
      assertThat(server.accepted()).isEqualTo(4); // the attempt and 3 retries
    }
    String reply = "{\"success\":true,\"data\":{\"a\":{\"ok\":true,\"values\":"
        + "[{\"transport_endpoint_\":\"10.0.0.9:28000\"}]}}}";
    try (RawServer server = RawServer.resettingThenAnswering(2, reply)) {
      MooncakeClient client = new MooncakeClient(vertx, "127.0.0.1", server.port(), FAST);
      assertThat(await(() -> client.query(List.of("a")))).containsEntry("a",
          List.of("10.0.0.9:28000"));
      assertThat(server.accepted()).isEqualTo(3);
    }
  }

  @Test
  void aRefusedConnectionFailsFast() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    MooncakeClient client = new MooncakeClient(vertx, "127.0.0.1", closed, FAST);
    long started = System.nanoTime();
    assertThatThrownBy(() -> await(() -> client.query(List.of("a"))))
        .isInstanceOf(ConnectException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2000);
  }

  @Test
  void aServiceThatNeverAnswersTimesOutWithoutRetry() throws Exception {
    try (RawServer server = RawServer.silent()) {
      MooncakeClient client = new MooncakeClient(vertx, "127.0.0.1", server.port(),
          MooncakeClient.Settings.DEFAULT.withTimeouts(300, 600));
      long started = System.nanoTime();
      assertThatThrownBy(() -> await(() -> client.query(List.of("a"))))
          .isInstanceOf(TimeoutException.class);
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(elapsed).isBetween(250L, 2000L);
      assertThat(server.accepted()).isEqualTo(1);
    }
  }
}
