package io.llumnix.kvs.server;

import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A plain JDK HTTP client for the tests, independent of the code under test. */
final class Http {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int port;

  Http(int port) {
    this.port = port;
  }

  /** An answer: status and body. */
  record Answer(int status, String body, HttpResponse<String> response) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  Answer get(String pathAndQuery) throws Exception {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
  }

  Answer post(String path, String body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Answer method(String method, String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path))
        .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  /** A status and body read off a raw socket. */
  record RawAnswer(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /**
   * Sends a request as written, even one no HTTP client would (a malformed escape in the
   * target), and reads the answer until the server closes.
   */
  RawAnswer raw(String method, String target, String contentType, String body)
      throws Exception {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + "Content-Type: " + contentType + "\r\nContent-Length: " + content.length
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      String answer = new String(socket.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      return new RawAnswer(status, answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }
  }

  private static Answer send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response = CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body(), response);
  }
}
