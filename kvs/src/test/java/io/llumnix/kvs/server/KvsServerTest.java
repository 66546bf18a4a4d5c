package io.llumnix.kvs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.metrics.ComponentMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The metadata service over real HTTP, with its index in memory. */
class KvsServerTest {

  static Vertx vertx;
  static ComponentMetrics metrics;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    metrics = ComponentMetrics.create(1000);
    KvsServer server = new KvsServer(KvsSettings.memory("127.0.0.1", 0), metrics);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    http = new Http(server.actualPort());
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static String keys(String endpoint, String... keys) {
    return new JsonObject().put("endpoint", endpoint).put("keys", new JsonArray(List.of(keys)))
        .encode();
  }

  static List<String> endpoints(JsonObject reply, String key) {
    return reply.getJsonObject("data").getJsonObject(key).getJsonArray("values").stream()
        .map(v -> ((JsonObject) v).getString("transport_endpoint_")).toList();
  }

  @Test
  void putsQueriesRemovesAndDropsEndpoints() throws Exception {
    assertThat(http.post("/batch_put_keys", keys("10.0.0.1:28000", "a1", "a2", "a3")).status())
        .isEqualTo(200);
    Http.Answer put = http.post("/batch_put_keys", keys("10.0.0.2:28000", "a2", "a3"));
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.json().getBoolean("success")).isTrue();
    assertThat(put.response().headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));

    Http.Answer query = http.get("/batch_query_keys?keys=a1,a2,a3,missing");
    assertThat(query.status()).isEqualTo(200);
    JsonObject reply = query.json();
    assertThat(reply.getBoolean("success")).isTrue();
    assertThat(endpoints(reply, "a1")).containsExactly("10.0.0.1:28000");
    assertThat(endpoints(reply, "a2")).containsExactlyInAnyOrder("10.0.0.1:28000",
        "10.0.0.2:28000");
    assertThat(reply.getJsonObject("data").getJsonObject("a1").getBoolean("ok")).isTrue();
    // A key nobody holds: the master's per-key error, and no values.
    assertThat(reply.getJsonObject("data").getJsonObject("missing").getMap())
        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("ok", false,
            "error", "OBJECT_NOT_FOUND"));

    assertThat(http.post("/batch_remove_keys", keys("10.0.0.1:28000", "a2", "nope")).status())
        .isEqualTo(200);
    reply = http.get("/batch_query_keys?keys=a2").json();
    assertThat(endpoints(reply, "a2")).containsExactly("10.0.0.2:28000");

    assertThat(http.post("/remove_endpoint", "{\"endpoint\":\"10.0.0.2:28000\"}").status())
        .isEqualTo(200);
    reply = http.get("/batch_query_keys?keys=a1,a2,a3").json();
    assertThat(endpoints(reply, "a1")).containsExactly("10.0.0.1:28000");
    assertThat(reply.getJsonObject("data").getJsonObject("a2").getBoolean("ok")).isFalse();
    assertThat(endpoints(reply, "a3")).containsExactly("10.0.0.1:28000");

    // Removing an endpoint nobody knows, or keys it does not hold, is no error.
    assertThat(http.post("/remove_endpoint", "{\"endpoint\":\"10.9.9.9:1\"}").status())
        .isEqualTo(200);
  }

  @Test
  void answersEachKeyOnceAndUnescapesKeys() throws Exception {
    String odd = "k/with space+plus&amp=é";
    assertThat(http.post("/batch_put_keys", keys("10.0.0.3:28000", odd, "dup")).status())
        .isEqualTo(200);
    String query = "/batch_query_keys?keys=" + URLEncoder.encode(odd, StandardCharsets.UTF_8)
        + ",dup,dup,";
    JsonObject reply = http.get(query).json();
    assertThat(endpoints(reply, odd)).containsExactly("10.0.0.3:28000");
    assertThat(endpoints(reply, "dup")).containsExactly("10.0.0.3:28000");
    assertThat(reply.getJsonObject("data").fieldNames()).containsExactlyInAnyOrder(odd, "dup",
        "");
    assertThat(reply.getJsonObject("data").getJsonObject("").getBoolean("ok")).isFalse();
  }

  @Test
  void badRequestsAre400WithAJsonError() throws Exception {
    for (String query : List.of("/batch_query_keys", "/batch_query_keys?keys=",
        "/batch_query_keys?other=1")) {
      Http.Answer answer = http.get(query);
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.json().getBoolean("success")).isFalse();
      assertThat(answer.json().getString("error")).contains("No keys provided");
    }
    for (String query : List.of("/batch_query_keys?keys=%zz", "/batch_query_keys?keys=a%")) {
      Http.RawAnswer answer = http.raw("GET", query, "text/plain", "");
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.json().getBoolean("success")).isFalse();
    }
    // A form content type with a malformed query must still be answered.
    Http.RawAnswer form = http.raw("POST", "/batch_put_keys?x=%zz",
        "application/x-www-form-urlencoded", "{\"endpoint\":\"e:1\",\"keys\":[\"f\"]}");
    assertThat(form.status()).isEqualTo(200);
    List<String[]> bad = List.of(
        new String[] {"/batch_put_keys", ""},
        new String[] {"/batch_put_keys", "not json"},
        new String[] {"/batch_put_keys", "[1,2]"},
        new String[] {"/batch_put_keys", "{\"endpoint\":\"e:1\"}"},
        new String[] {"/batch_put_keys", "{\"keys\":[\"a\"]}"},
        new String[] {"/batch_put_keys", "{\"endpoint\":\"\",\"keys\":[\"a\"]}"},
        new String[] {"/batch_put_keys", "{\"endpoint\":5,\"keys\":[\"a\"]}"},
        new String[] {"/batch_put_keys", "{\"endpoint\":\"e:1\",\"keys\":\"a\"}"},
        new String[] {"/batch_put_keys", "{\"endpoint\":\"e:1\",\"keys\":[1]}"},
        new String[] {"/batch_put_keys", "{\"endpoint\":\"e:1\",\"keys\":[null]}"},
        new String[] {"/batch_put_keys", "{\"endpoint\":\"e:1\",\"keys\":[\"a,b\"]}"},
        new String[] {"/batch_put_keys", "{\"endpoint\":\"e:1\",\"keys\":[\"a\"]"},
        new String[] {"/batch_put_keys", "{\"endpoint\":\"e:1\",\"keys\":[\"a\"]} x"},
        new String[] {"/batch_remove_keys", "{\"endpoint\":\"e:1\"}"},
        new String[] {"/remove_endpoint", "{}"},
        new String[] {"/remove_endpoint", "{\"endpoint\":null}"},
        new String[] {"/remove_endpoint", "nope"});
    for (String[] request : bad) {
      Http.Answer answer = http.post(request[0], request[1]);
      assertThat(answer.status()).as(request[0] + " " + request[1]).isEqualTo(400);
      assertThat(answer.json().getBoolean("success")).isFalse();
      assertThat(answer.json().getString("error")).isNotEmpty();
    }
    // An empty key list is a valid no-op.
    assertThat(http.post("/batch_put_keys", "{\"endpoint\":\"e:1\",\"keys\":[]}").status())
        .isEqualTo(200);
  }

  @Test
  void unknownPathsAre404AndWrongMethods405() throws Exception {
    Http.Answer missing = http.get("/query_key?key=a");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getBoolean("success")).isFalse();

    Http.Answer post = http.post("/batch_query_keys?keys=a", "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.json().getBoolean("success")).isFalse();
    assertThat(post.response().headers().firstValue("allow")).hasValue("GET");
    for (String path : List.of("/batch_put_keys", "/batch_remove_keys", "/remove_endpoint")) {
      assertThat(http.get(path).status()).as(path).isEqualTo(405);
      assertThat(http.method("DELETE", path).status()).as(path).isEqualTo(405);
    }
  }

  @Test
  void servesHealthAndMetrics() throws Exception {
    assertThat(http.get("/healthz").status()).isEqualTo(200);
    http.post("/batch_put_keys", keys("10.0.0.4:28000", "m1", "m2"));
    http.get("/batch_query_keys?keys=m1,m2,m3");
    String text = http.get("/metrics").body();
    assertThat(text).contains("kvs_requests_total{path=\"/batch_query_keys\",status_code=\"200\"}")
        .contains("kvs_queried_keys_total").contains("kvs_hit_keys_total")
        .contains("kvs_written_keys_total{op=\"put\"}")
        .contains("kvs_request_duration_milliseconds_bucket").contains("kvs_store_up 1.0")
        .contains("uptime_seconds");
  }
}
