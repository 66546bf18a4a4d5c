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
import java.util.ArrayList;
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
  /** The rendered prompt around its content, which each operation makes new (see below). */
  private String renderedHead;
  private String renderedTail;
  /** The same for a conversation of seven earlier messages, resent with a new question. */
  private String conversationHead;
  private String conversationTail;
  private String bodyHead;
  private String bodyTail;
  private MultiMap headers;
  /**
   * Makes each operation's prompt one the tokenizer has not seen: it remembers the text between
   * added tokens, and a benchmark repeating one prompt would measure only that memory.
   */
  private long serial;

  @Setup
  public void setUp() {
    tokenizer = TokenizerSource.DEFAULT.load();
    admission = new Admission(RequestRules.gateway(tokenizer, 0));
    SplittableRandom random = new SplittableRandom(1);
    String prompt = words(random);
    String mark = "@@MARK@@";
    messages = List.of(Map.of("role", "user", "content", prompt));
    String rendered = tokenizer.chatTemplate().render(
        List.of(Map.of("role", "user", "content", mark)), Map.of());
    renderedHead = rendered.substring(0, rendered.indexOf(mark));
    renderedTail = prompt + rendered.substring(rendered.indexOf(mark) + mark.length());
    List<Map<String, Object>> conversation = new ArrayList<>();
    conversation.add(Map.of("role", "system", "content", words(random)));
    for (int turn = 0; turn < 3; turn++) {
      conversation.add(Map.of("role", "user", "content", words(random)));
      conversation.add(Map.of("role", "assistant", "content", words(random)));
    }
    conversation.add(Map.of("role", "user", "content", mark));
    String whole = tokenizer.chatTemplate().render(conversation, Map.of());
    conversationHead = whole.substring(0, whole.indexOf(mark));
    conversationTail = prompt + whole.substring(whole.indexOf(mark) + mark.length());
    String body = new JsonObject().put("model", "m").put("stream", true).put("max_tokens", 128)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", mark)))
        .encode();
    bodyHead = body.substring(0, body.indexOf(mark));
    bodyTail = prompt + body.substring(body.indexOf(mark) + mark.length());
    headers = HttpHeaders.headers().add("content-type", "application/json");
  }

  private String words(SplittableRandom random) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < words; i++) {
      text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }

  @Benchmark
  public String render() {
    return tokenizer.chatTemplate().render(messages, Map.of());
  }

  /** A new single-message prompt: nothing to remember. */
  @Benchmark
  public int[] encode() {
    return tokenizer.encode(renderedHead + serial++ + renderedTail);
  }

  /** Seven messages seen before and a new question: only the question is tokenized anew. */
  @Benchmark
  public int[] encodeConversation() {
    return tokenizer.encode(conversationHead + serial++ + conversationTail);
  }

  /** A new request (its body, a few hundred bytes, is made for each operation too). */
  @Benchmark
  public Buffer admit() {
    return admission.admit(Buffer.buffer(bodyHead + serial++ + bodyTail), true, "bench", 0,
        headers).engineBody();
  }
}
