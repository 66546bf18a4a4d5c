package io.llumnix.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An external OpenAI-compatible server for the routing tests, over a real socket: it records
 * every request and answers a completion naming itself — or, while {@link #rateLimited} is
 * above 0, 429, or {@link #failWith} when that is set.
 */
final class Upstream implements AutoCloseable {

  /** A request as it arrived. */
  record Seen(String method, String uri, MultiMap headers, Buffer body) {}

  final String name;
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** Requests still to be answered 429. */
  final AtomicInteger rateLimited = new AtomicInteger();
  /** Answered instead of a completion when not 0. */
  volatile int failWith;
  private final HttpServer server;

  Upstream(Vertx vertx, String name) throws Exception {
    this.name = name;
    this.server = vertx.createHttpServer().requestHandler(request -> request.body()
        .onSuccess(body -> {
          seen.add(new Seen(request.method().name(), request.uri(),
              HttpHeaders.headers().addAll(request.headers()), body));
          var response = request.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
          if (rateLimited.getAndDecrement() > 0) {
            response.setStatusCode(429).end(error(429, "slow down"));
          } else if (failWith != 0) {
            response.setStatusCode(failWith).end(error(failWith, name + " failed"));
          } else {
            response.putHeader("X-Upstream", name).end(new JsonObject()
                .put("id", "cmpl-" + name).put("object", "text_completion")
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                    .put("text", name).put("finish_reason", "stop"))).encode());
          }
        })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  static String error(int status, String message) {
    return new JsonObject().put("error", new JsonObject().put("message", message)
        .put("code", status)).encode();
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Whether {@code answer} came from this server. */
  boolean answered(JsonObject answer) {
    return ("cmpl-" + name).equals(answer.getString("id"));
  }

  @Override
  public void close() {
    server.close();
  }
}
