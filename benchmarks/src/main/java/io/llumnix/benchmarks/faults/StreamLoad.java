package io.llumnix.benchmarks.faults;

import io.llumnix.openai.SseDecoder;
import io.llumnix.runtime.VertxFactory;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A client that keeps {@code streams} streaming {@code /v1/completions} going through one
 * gateway: each slot sends a request ({@code "stream":true}, {@code ignore_eos}, {@code
 * maxTokens} tokens) and, when it ends, the next one (after 500 ms when it did not end well),
 * until {@link #stopIssuing()}. Each stream's end is classified as one {@link Outcome}; the
 * engines must run with {@code --positional-output}, so that a stream whose tokens are not
 * exactly {@code " 0", " 1", ...} is caught ({@link Outcome#BAD_TOKENS}).
 *
 * <p>Design notes. One Vert.x instance, its event loops shared by the slots (each slot on one
 * context). A watchdog resets a stream without a byte for 60 s, which counts as hung; {@link
 * #abandon()} resets what is still open and counts it as hung too, so a run always ends.
 * Per-stream records are kept only when asked ({@code keepRecords}), for the fault suite's
 * grouping by the time of the fault; counters are kept always (the soak).
 */
final class StreamLoad implements AutoCloseable {

  /** One request's life; fields are written on its slot's context, read after it ended. */
  static final class Stream {
    final int slot;
    final boolean burst;
    final long sentNanos;
    private final Context context;
    volatile long firstTokenNanos;
    volatile long lastByteNanos;
    volatile long endNanos;
    volatile @Nullable Outcome outcome;
    volatile String detail = "";
    volatile int status;
    volatile int tokens;
    volatile boolean abandoned;
    /** The watchdog found it silent for the hung threshold and reset it. */
    volatile boolean silent;
    private int misplaced;
    private boolean errorEvent;
    private boolean done;
    private boolean finished;
    private @Nullable HttpClientRequest request;

    private Stream(Context context, int slot, boolean burst, long sentNanos) {
      this.context = context;
      this.slot = slot;
      this.burst = burst;
      this.sentNanos = sentNanos;
      this.lastByteNanos = sentNanos;
    }

    /** Whether it got a token before {@code nanos}. */
    boolean streamingBefore(long nanos) {
      long first = firstTokenNanos;
      return first != 0 && first < nanos;
    }

    /** Whether it was still open at {@code nanos}. */
    boolean openAt(long nanos) {
      long end = endNanos;
      return sentNanos <= nanos && (end == 0 || end >= nanos);
    }
  }

  /** Vert.x logs each reset idle pooled connection (the gateway going away) as SEVERE. */
  private static final java.util.logging.Logger CONNECTION_LOGGER =
      java.util.logging.Logger.getLogger("io.vertx.core.net.impl.ConnectionBase");

  static {
    // Logging through java.util.logging: without an SLF4J provider, Netty's and Vert.x's
    // probes of SLF4J print a warning.
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    if (System.getProperty("vertx.logger-delegate-factory-class-name") == null) {
      System.setProperty("vertx.logger-delegate-factory-class-name",
          "io.vertx.core.logging.JULLogDelegateFactory");
    }
    CONNECTION_LOGGER.setLevel(java.util.logging.Level.OFF);
  }

  /** No byte for this long: hung (system property {@code faults.hung-seconds}, default 60). */
  static final long IDLE_TIMEOUT_MILLIS = 1000 * Long.getLong("faults.hung-seconds", 60);
  private static final long BACKOFF_MILLIS = 500;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final int streams;
  private final int maxTokens;
  private final boolean keepRecords;
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Stream> records = new ConcurrentLinkedQueue<>();
  private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final LongAdder tokens = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private volatile boolean issuing = true;

  /**
   * A load of {@code streams} concurrent streams of {@code maxTokens} tokens against the
   * gateway on {@code port}; nothing is sent before {@link #start(Duration)}.
   */
  StreamLoad(int port, int streams, int maxTokens, boolean keepRecords) {
    if (streams < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("streams: " + streams + ", maxTokens: " + maxTokens
          + " (expected: > 0)");
    }
    this.streams = streams;
    this.maxTokens = maxTokens;
    this.keepRecords = keepRecords;
    this.vertx = VertxFactory.create();
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
            .setTcpNoDelay(true).setConnectTimeout(5000).setDefaultHost("127.0.0.1")
            .setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(streams + 256).setMaxWaitQueueSize(-1));
    vertx.setPeriodic(1000, t -> watch());
  }

  /** Starts the slots, spread evenly over {@code ramp}. */
  void start(Duration ramp) {
    long step = streams > 1 ? ramp.toMillis() / streams : 0;
    for (int slot = 0; slot < streams; slot++) {
      Context context = vertx.getOrCreateContext();
      int id = slot;
      long delay = slot * step;
      context.runOnContext(v -> {
        if (delay > 0) {
          vertx.setTimer(delay, t -> next(context, id));
        } else {
          next(context, id);
        }
      });
    }
  }

  /** Sends {@code count} one-off streams of {@code prompt} at once (not repeated). */
  void burst(int count, String prompt) {
    for (int i = 0; i < count; i++) {
      Context context = vertx.getOrCreateContext();
      int id = -1 - i;
      context.runOnContext(v -> send(context, id, true, prompt));
    }
  }

  private void next(Context context, int slot) {
    if (issuing) {
      send(context, slot, false, "stream " + slot + " " + sent.sum());
    }
  }

  private void send(Context context, int slot, boolean burst, String prompt) {
    Stream stream = new Stream(context, slot, burst, System.nanoTime());
    sent.increment();
    open.add(stream);
    if (keepRecords) {
      records.add(stream);
    }
    String body = "{\"model\":\"m\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens
        + ",\"ignore_eos\":true,\"stream\":true}";
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/completions")
            .putHeader("Content-Type", "application/json"))
        .compose(request -> {
          stream.request = request;
          if (stream.abandoned) {
            request.reset();
          }
          return request.send(body);
        })
        .onSuccess(response -> respond(context, stream, response))
        .onFailure(cause -> end(context, stream, noResponse(stream, cause),
            stream.silent ? "no response for " + IDLE_TIMEOUT_MILLIS / 1000 + " s"
                : String.valueOf(cause.getMessage())));
  }

  private static Outcome noResponse(Stream stream, Throwable cause) {
    if (stream.abandoned || stream.silent || cause instanceof TimeoutException) {
      return Outcome.HUNG;
    }
    return Outcome.CONN_FAILED;
  }

  /**
   * Resets every open stream that got no byte for {@link #IDLE_TIMEOUT_MILLIS}: it counts as
   * hung. (Vert.x's request idle timeout stops watching once the response has begun.)
   */
  private void watch() {
    long now = System.nanoTime();
    for (Stream stream : open) {
      if (!stream.silent && now - stream.lastByteNanos > IDLE_TIMEOUT_MILLIS * 1_000_000) {
        stream.silent = true;
        stream.context.runOnContext(v -> {
          HttpClientRequest request = stream.request;
          if (request != null) {
            request.reset();
          } else {
            stream.abandoned = true; // reset when its request is created
            end(stream.context, stream, Outcome.HUNG, "no connection for "
                + IDLE_TIMEOUT_MILLIS / 1000 + " s");
          }
        });
      }
    }
  }

  private void respond(Context context, Stream stream, HttpClientResponse response) {
    stream.status = response.statusCode();
    stream.lastByteNanos = System.nanoTime();
    if (response.statusCode() != 200) {
      response.body().onComplete(ar -> end(context, stream, Outcome.HTTP_ERROR,
          ar.succeeded() ? brief(ar.result().toString()) : "status " + response.statusCode()));
      return;
    }
    SseDecoder decoder = new SseDecoder(data -> event(stream, data));
    response.handler(piece -> {
      stream.lastByteNanos = System.nanoTime();
      decoder.feed(piece);
    });
    response.exceptionHandler(cause -> end(context, stream,
        stream.abandoned || stream.silent ? Outcome.HUNG : Outcome.TRUNCATED,
        stream.silent ? "no byte for " + IDLE_TIMEOUT_MILLIS / 1000 + " s after "
            + stream.tokens + " tokens"
            : stream.abandoned ? "still open when the run ended, after " + stream.tokens
            + " tokens" : "broke after " + stream.tokens + " tokens: " + cause));
    response.endHandler(v -> end(context, stream, verdict(stream),
        stream.done ? stream.detail : "ended without [DONE] after " + stream.tokens + " tokens"
            + (stream.errorEvent ? " and an error event: " + stream.detail : "")));
  }

  private void event(Stream stream, String data) {
    if (data.equals("[DONE]")) {
      stream.done = true;
      return;
    }
    if (data.startsWith("{\"error\"")) {
      stream.errorEvent = true;
      stream.detail = brief(data);
      return;
    }
    int text = data.indexOf("\"text\":\"");
    if (text < 0) {
      return; // usage or another chunk without text
    }
    int from = text + 8;
    int to = data.indexOf('"', from);
    String token = to < 0 ? "" : data.substring(from, to);
    if (!token.isEmpty()) {
      if (stream.firstTokenNanos == 0) {
        stream.firstTokenNanos = System.nanoTime();
      }
      if (!token.equals(" " + stream.tokens)) {
        stream.misplaced++;
      }
      stream.tokens++;
      tokens.increment();
    }
    if (data.contains("\"finish_reason\":\"")) {
      stream.finished = true;
    }
  }

  private Outcome verdict(Stream stream) {
    if (!stream.done) {
      return Outcome.TRUNCATED;
    }
    if (stream.errorEvent) {
      stream.detail = "after " + stream.tokens + " tokens: " + stream.detail;
      return Outcome.ERROR_EVENT;
    }
    if (stream.misplaced > 0 || stream.tokens != maxTokens || !stream.finished) {
      stream.detail = stream.tokens + " tokens, " + stream.misplaced + " out of place, finished "
          + stream.finished;
      return Outcome.BAD_TOKENS;
    }
    return Outcome.OK;
  }

  private void end(Context context, Stream stream, Outcome outcome, String detail) {
    synchronized (stream) { // abandon() may end it from another thread
      if (stream.outcome != null) {
        return;
      }
      stream.detail = detail;
      stream.endNanos = System.nanoTime();
      stream.outcome = outcome;
    }
    open.remove(stream);
    String key = outcome == Outcome.HTTP_ERROR ? "http " + stream.status : outcome.label;
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    if (!stream.burst && issuing) {
      if (outcome == Outcome.OK) {
        context.runOnContext(v -> next(context, stream.slot));
      } else {
        vertx.setTimer(BACKOFF_MILLIS, t -> next(context, stream.slot));
      }
    }
  }

  private static String brief(String text) {
    String line = text.replace('\n', ' ');
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** No slot sends another request; open streams go on. */
  void stopIssuing() {
    issuing = false;
  }

  /** Waits up to {@code timeout} for every open stream to end; whether they all did. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!open.isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  /** Resets every stream still open; each counts as hung ("not finished when the run ended"). */
  void abandon() throws InterruptedException {
    issuing = false;
    for (Stream stream : List.copyOf(open)) {
      stream.abandoned = true;
      stream.context.runOnContext(v -> {
        HttpClientRequest request = stream.request;
        if (request != null) {
          request.reset();
        }
      });
    }
    // Streams whose request was not created yet end when it is (send() resets it).
    awaitIdle(Duration.ofSeconds(5));
    for (Stream stream : List.copyOf(open)) {
      end(stream.context, stream, Outcome.HUNG, "still open when the run ended");
    }
  }

  int openCount() {
    return open.size();
  }

  /** Tokens received so far. */
  long tokens() {
    return tokens.sum();
  }

  /** Every stream sent so far (when records are kept). */
  List<Stream> records() {
    return new ArrayList<>(records);
  }

  /** Ended streams so far, by outcome ({@code http <status>} for HTTP errors). */
  Map<String, Long> counts() {
    Map<String, Long> snapshot = new TreeMap<>();
    counts.forEach((k, v) -> snapshot.put(k, v.sum()));
    return snapshot;
  }

  @Override
  public void close() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
