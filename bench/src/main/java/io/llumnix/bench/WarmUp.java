package io.llumnix.bench;

import io.llumnix.openai.MediaTypes;
import io.llumnix.openai.Sse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A loopback server of the bench's own that streams answers shaped like an OpenAI server's
 * ({@code --endpoint} chat or completions, a usage chunk, {@code [DONE]}), for the bench to
 * send its warm-up requests to before it sends the measured ones.
 *
 * <p>Why. The bench usually runs on the machine it measures, and a JVM started cold spends its
 * first second mostly loading classes, interpreting and JIT-compiling the request path. Sent
 * straight away, a burst of requests pays for that inside the measured window, with CPU the
 * servers under test then lack: a 50-request burst on a two-core {@code llumnix local} cost the
 * bench more CPU than the whole cluster, and the gateway's scheduling round trip waited for it.
 * Streams from this server run the same client, decoder and event reader first, while the servers
 * under test are idle.
 */
final class WarmUp {

  /** Events per answer: enough that the per-event path is compiled after a few requests. */
  static final int EVENTS = 16;

  private final HttpServer server;

  private WarmUp(HttpServer server) {
    this.server = server;
  }

  /** Listens on a free loopback port, answering in the chat shape or the completions one. */
  static Future<WarmUp> start(Vertx vertx, boolean chat) {
    Buffer token = Sse.event(chat
        ? "{\"id\":\"warm-up\",\"object\":\"chat.completion.chunk\",\"created\":0,"
            + "\"model\":\"warm-up\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" the\"},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}"
        : "{\"id\":\"warm-up\",\"object\":\"text_completion\",\"created\":0,"
            + "\"model\":\"warm-up\",\"choices\":[{\"index\":0,\"text\":\" the\","
            + "\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}],\"usage\":null}");
    Buffer usage = Sse.event("{\"id\":\"warm-up\",\"object\":\""
        + (chat ? "chat.completion.chunk" : "text_completion") + "\",\"created\":0,"
        + "\"model\":\"warm-up\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,"
        + "\"total_tokens\":" + (EVENTS + 1) + ",\"completion_tokens\":" + EVENTS + "}}");
    HttpServer server = vertx.createHttpServer()
        .requestHandler(request -> answer(request, token, usage));
    return server.listen(0, "127.0.0.1").map(WarmUp::new);
  }

  private static void answer(HttpServerRequest request, Buffer token, Buffer usage) {
    request.body().onSuccess(ignored -> {
      HttpServerResponse response = request.response().setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.EVENT_STREAM);
      for (int i = 0; i < EVENTS; i++) {
        response.write(token);
      }
      response.write(usage);
      response.end(Sse.done());
    });
  }

  int port() {
    return server.actualPort();
  }

  Future<Void> close() {
    return server.close();
  }
}
