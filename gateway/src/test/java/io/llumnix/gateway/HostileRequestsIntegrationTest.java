package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.openai.http.HttpLimits;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and hostile requests, written byte for byte on a raw socket, to the gateway and to
 * the engine simulator: each must be answered a 4xx in OpenAI's error JSON (its {@code code}
 * the status), and the server must be healthy after it.
 */
class HostileRequestsIntegrationTest {

  static Vertx vertx;
  static EngineSimulator engine;
  static int gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    engine = Fixtures.engine(50);
    gateway = Fixtures.roundRobin(vertx, List.of(Fixtures.instance(engine)), Fixtures.config()
        .http(new HttpLimits(8192, 16_384, 100, 1 << 20, 30_000, 600)).build(), null)
        .actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
  }

  /** One hostile request: its raw bytes and the status it must get. */
  record Case(String name, byte[] request, int status) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case raw(String name, String request, int status) {
    return new Case(name, request.getBytes(StandardCharsets.ISO_8859_1), status);
  }

  static Case call(String name, String method, String path, int status) {
    return raw(name, method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        status);
  }

  static Case post(String name, String path, byte[] body, int status) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
        + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    bytes.writeBytes(body);
    return new Case(name, bytes.toByteArray(), status);
  }

  static Case completion(String name, String json) {
    return post(name, "/v1/completions", json.getBytes(StandardCharsets.UTF_8), 400);
  }

  static Case chat(String name, String json) {
    return post(name, "/v1/chat/completions", json.getBytes(StandardCharsets.UTF_8), 400);
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    // Methods and paths.
    cases.add(call("GET on chat", "GET", "/v1/chat/completions", 405));
    cases.add(call("PUT on completions", "PUT", "/v1/completions", 405));
    cases.add(call("DELETE on completions", "DELETE", "/v1/completions", 405));
    cases.add(call("PATCH on chat", "PATCH", "/v1/chat/completions", 405));
    cases.add(call("POST on models", "POST", "/v1/models", 405));
    cases.add(call("unknown path", "GET", "/nope", 404));
    cases.add(call("unknown version", "POST", "/v2/completions", 404));
    cases.add(call("path below an endpoint", "POST", "/v1/completions/extra", 404));
    cases.add(call("path traversal", "GET", "/v1/../../etc/passwd", 404));
    cases.add(call("unknown method", "BREW", "/v1/completions", 405));
    cases.add(call("request line too long", "GET", "/" + "a".repeat(10_000), 414));
    cases.add(raw("malformed request line", "GARBAGE\r\n\r\n", 400));
    cases.add(raw("header without a colon", "GET /v1/models HTTP/1.1\r\nHost: x\r\n"
        + "no colon here\r\n\r\n", 400));
    // Headers.
    StringBuilder many = new StringBuilder("GET /v1/models HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 150; i++) {
      many.append("X-Filler-").append(i).append(": y\r\n");
    }
    cases.add(raw("too many headers", many.append("\r\n").toString(), 431));
    cases.add(raw("headers too large", "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: "
        + "b".repeat(20_000) + "\r\n\r\n", 431));
    // Bodies that are not a JSON object.
    cases.add(completion("empty body", ""));
    cases.add(completion("not JSON", "not json"));
    cases.add(completion("JSON array", "[]"));
    cases.add(completion("JSON null", "null"));
    cases.add(completion("JSON string", "\"prompt\""));
    cases.add(completion("truncated JSON", "{\"prompt\": \"x\""));
    cases.add(completion("trailing garbage", "{\"prompt\": \"x\"} {}"));
    cases.add(completion("nested 5000 deep", "{\"prompt\": \"x\", \"extra\": "
        + "[".repeat(5000) + "]".repeat(5000) + "}"));
    cases.add(post("invalid UTF-8", "/v1/completions", new byte[] {'{', '"', 'p', 'r', 'o', 'm',
        'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, 400));
    cases.add(post("overlong UTF-8", "/v1/completions", new byte[] {'{', '"', 'p', 'r', 'o', 'm',
        'p', 't', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'}, 400));
    cases.add(completion("unicode key, no prompt", "{\"prómpt\": \"x\"}"));
    // Prompts.
    cases.add(completion("no prompt", "{\"max_tokens\": 1}"));
    cases.add(completion("number prompt", "{\"prompt\": 3}"));
    cases.add(completion("null prompt", "{\"prompt\": null}"));
    cases.add(completion("empty prompt list", "{\"prompt\": []}"));
    cases.add(completion("object prompt", "{\"prompt\": {\"text\": \"x\"}}"));
    cases.add(completion("negative token id", "{\"prompt\": [-1]}"));
    cases.add(completion("token id beyond the vocabulary", "{\"prompt\": [999999999]}"));
    cases.add(completion("fractional token id", "{\"prompt\": [1.5]}"));
    cases.add(completion("mixed prompt list", "{\"prompt\": [1, \"a\"]}"));
    // Sampling fields.
    cases.add(completion("negative max_tokens", "{\"prompt\": \"x\", \"max_tokens\": -1}"));
    cases.add(completion("string max_tokens", "{\"prompt\": \"x\", \"max_tokens\": \"10\"}"));
    cases.add(completion("huge max_tokens", "{\"prompt\": \"x\", \"max_tokens\": 1e20}"));
    cases.add(completion("max_tokens beyond the context",
        "{\"prompt\": \"x\", \"max_tokens\": 100000}"));
    cases.add(completion("negative temperature", "{\"prompt\": \"x\", \"temperature\": -1}"));
    cases.add(completion("string temperature", "{\"prompt\": \"x\", \"temperature\": \"hot\"}"));
    cases.add(completion("top_p above 1", "{\"prompt\": \"x\", \"top_p\": 2}"));
    cases.add(completion("n of 0", "{\"prompt\": \"x\", \"n\": 0}"));
    cases.add(completion("string stream", "{\"prompt\": \"x\", \"stream\": \"yes\"}"));
    cases.add(completion("number stop", "{\"prompt\": \"x\", \"stop\": 5}"));
    cases.add(completion("number model", "{\"prompt\": \"x\", \"model\": 5}"));
    cases.add(completion("string priority", "{\"prompt\": \"x\", \"priority\": \"high\"}"));
    // Chats.
    cases.add(chat("no messages", "{}"));
    cases.add(chat("string messages", "{\"messages\": \"hi\"}"));
    cases.add(chat("empty messages", "{\"messages\": []}"));
    cases.add(chat("number role", "{\"messages\": [{\"role\": 5, \"content\": \"x\"}]}"));
    cases.add(chat("number content", "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}"));
    cases.add(chat("message not an object", "{\"messages\": [\"hello\"]}"));
    cases.add(chat("negative max_completion_tokens", "{\"messages\": [{\"role\": \"user\", "
        + "\"content\": \"x\"}], \"max_completion_tokens\": -5}"));
    cases.add(chat("string tools", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], "
        + "\"tools\": \"nope\"}"));
    // Sizes and time.
    byte[] large = new byte[(1 << 20) + 1];
    java.util.Arrays.fill(large, (byte) 'a');
    cases.add(post("body over the limit", "/v1/completions", large, 413));
    return cases;
  }

  static Stream<Arguments> targets() {
    List<Arguments> all = new ArrayList<>();
    for (Case c : cases()) {
      all.add(Arguments.of("gateway", c));
      if (!(c.name().equals("body over the limit"))) { // the engine takes 64 MiB
        all.add(Arguments.of("engine", c));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("targets")
  void isRefusedInOpenAisShapeAndTheServerStaysHealthy(String target, Case hostile)
      throws Exception {
    int port = target.equals("gateway") ? gateway : engine.ports().get(0);
    Response response = send(port, hostile.request());
    assertThat(response.status()).as(response.body()).isEqualTo(hostile.status());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getString("type")).isNotBlank();
    assertThat(error.getInteger("code")).isEqualTo(hostile.status());
    assertThat(error.containsKey("param")).isTrue();
    String health = target.equals("gateway") ? "/healthz" : "/health";
    assertThat(send(port, ("GET " + health + " HTTP/1.1\r\nHost: x\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII)).status()).isEqualTo(200);
  }

  @org.junit.jupiter.api.Test
  void aBodyThatNeverArrivesIs408() throws Exception {
    int slow = Fixtures.roundRobin(vertx, List.of(Fixtures.instance(engine)), Fixtures.config()
        .http(new HttpLimits(8192, 16_384, 100, 1 << 20, 300, 600)).build(), null).actualPort();
    Response response = send(slow, ("POST /v1/completions HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":")
        .getBytes(StandardCharsets.US_ASCII));
    assertThat(response.status()).isEqualTo(408);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getInteger("code"))
        .isEqualTo(408);
  }

  record Response(int status, String body) {}

  /** Writes {@code request} on a new connection and reads one response. */
  static Response send(int port, byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      int status = Integer.parseInt(head.split(" ", 3)[1]);
      String lower = head.toLowerCase(Locale.ROOT);
      byte[] body;
      if (lower.contains("transfer-encoding: chunked")) {
        body = readChunked(in);
      } else {
        int at = lower.indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(
            lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        body = in.readNBytes(length);
      }
      return new Response(status, new String(body, StandardCharsets.UTF_8));
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.write(b);
      matched = (b == '\r' || b == '\n') && (matched % 2 == 0 ? b == '\r' : b == '\n')
          ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = readLine(in);
      int length = Integer.parseInt(size.trim(), 16);
      if (length == 0) {
        readLine(in);
        return body.toByteArray();
      }
      body.writeBytes(in.readNBytes(length));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
