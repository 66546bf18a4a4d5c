package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.core.instance.LlmInstance;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading a long stream: the gateway stops reading the engine (which then
 * waits on its own socket) instead of buffering the answer, and the client that reads again
 * gets all of it, in order. Over real sockets: an engine that writes as fast as its socket
 * takes, and a raw client with a small receive buffer.
 */
class GatewayBackpressureIntegrationTest {

  /** 8 KiB of text a chunk, 8,000 chunks: 64 MiB, far more than the sockets in between hold. */
  private static final int CHUNKS = 8000;
  private static final String TEXT = "x".repeat(8192);

  @Test
  void aClientThatStopsReadingPausesTheEngineAndLosesNothing() throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicLong written = new AtomicLong();
    AtomicBoolean finished = new AtomicBoolean();
    HttpServer engine = vertx.createHttpServer().requestHandler(request -> request.body()
        .onSuccess(body -> {
          HttpServerResponse response = request.response().setChunked(true)
              .putHeader("content-type", "text/event-stream");
          stream(response, 0, written, finished);
        })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    GatewayServer gateway = Fixtures.roundRobin(vertx,
        List.of(LlmInstance.ofEndpoint("127.0.0.1", engine.actualPort())),
        Fixtures.config().build(), null);
    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(8192);
      client.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.actualPort()));
      byte[] body = "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":1000,\"stream\":true}"
          .getBytes(StandardCharsets.UTF_8);
      OutputStream out = client.getOutputStream();
      out.write(("POST /v1/completions HTTP/1.1\r\nHost: gateway\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      out.write(body);
      out.flush();

      // Not reading: the engine gets a few socket buffers' worth out, then has to wait.
      await().atMost(Duration.ofSeconds(20)).until(() -> written.get() > 100);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
          .until(() -> !finished.get());
      assertThat(written.get()).as("chunks the engine wrote while the client read nothing")
          .isLessThan(CHUNKS / 2);

      // Reading again: every chunk arrives, in order, then [DONE].
      long events = countEvents(client.getInputStream());
      assertThat(events).isEqualTo(CHUNKS);
      assertThat(finished).isTrue();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Writes chunks from {@code next} on while the engine's own socket takes them. */
  private static void stream(HttpServerResponse response, int next, AtomicLong written,
      AtomicBoolean finished) {
    for (int i = next; i < CHUNKS; i++) {
      String finish = i == CHUNKS - 1 ? "\"length\"" : "null";
      response.write("data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,"
          + "\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\"" + i + TEXT + "\","
          + "\"finish_reason\":" + finish + "}]}\n\n");
      written.incrementAndGet();
      if (response.writeQueueFull() && i < CHUNKS - 1) {
        int from = i + 1;
        response.drainHandler(v -> {
          response.drainHandler(null);
          stream(response, from, written, finished);
        });
        return;
      }
    }
    response.end("data: [DONE]\n\n");
    finished.set(true);
  }

  /** Reads the answer to its end; the number of text events, each checked to be the next. */
  private static long countEvents(InputStream in) throws Exception {
    byte[] buffer = new byte[1 << 16];
    StringBuilder pending = new StringBuilder();
    long events = 0;
    int n;
    while ((n = in.read(buffer)) > 0) {
      pending.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      int at;
      while ((at = pending.indexOf("\"text\":\"")) >= 0) {
        int end = pending.indexOf("x", at + 8);
        if (end < 0) {
          break;
        }
        assertThat(pending.substring(at + 8, end)).isEqualTo(Long.toString(events));
        events++;
        pending.delete(0, end);
      }
      if (pending.indexOf("[DONE]") >= 0) {
        return events;
      }
      if (pending.length() > 1 << 16) {
        pending.delete(0, pending.length() - 64);
      }
    }
    return events;
  }
}
