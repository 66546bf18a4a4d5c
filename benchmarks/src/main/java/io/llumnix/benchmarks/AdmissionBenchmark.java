package io.llumnix.benchmarks;

import io.llumnix.gateway.admission.Admission;
import io.llumnix.openai.RequestRules;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's admission of one chat request with a prompt of {@code words} words: the chat
 * template rendered, the rendered text tokenized by the bundled Qwen3 tokenizer, and the whole
 * stage (parse, validate, render, tokenize, engine request).
 * Admission runs on the gateway's admission threads, so its cost per request bounds how fast a
 * burst gets through them.
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar AdmissionBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AdmissionBenchmark {

  private static final String[] WORDS = ("the of and to in is it on as at by an be or we he so "
      + "do if my up no go").split(" ");

  /** Prompt words: 64 as {@code gateway-overhead.sh} sends, 256 as {@code llumnix bench}. */
  @Param({"64", "256"})
  int words;

  private Tokenizer tokenizer;
  private Admission admission;
  private List<Map<String, Object>> messages;
  private String rendered;
  private Buffer body;
  private MultiMap headers;

  @Setup
  public void setUp() {
    tokenizer = TokenizerSource.DEFAULT.load();
    admission = new Admission(RequestRules.gateway(tokenizer, 0));
    SplittableRandom random = new SplittableRandom(1);
    StringBuilder prompt = new StringBuilder();
    for (int i = 0; i < words; i++) {
      prompt.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    messages = List.of(Map.of("role", "user", "content", prompt.toString()));
    rendered = tokenizer.chatTemplate().render(messages, Map.of());
    body = new JsonObject().put("model", "m").put("stream", true).put("max_tokens", 128)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", prompt.toString())))
        .toBuffer();
    headers = HttpHeaders.headers().add("content-type", "application/json");
  }

  @Benchmark
  public String render() {
    return tokenizer.chatTemplate().render(messages, Map.of());
  }

  @Benchmark
  public int[] encode() {
    return tokenizer.encode(rendered);
  }

  @Benchmark
  public Buffer admit() {
    return admission.admit(body, true, "bench", 0, headers).engineBody();
  }
}
