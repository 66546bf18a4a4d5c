package io.llumnix.bench;

import io.llumnix.bench.trace.TraceEntry;
import io.llumnix.openai.Sse;
import io.llumnix.openai.SseDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Sends a bench run's requests and measures them.
 *
 * <p>Design notes. Arrival times are drawn up front from the seed (Poisson: exponential gaps;
 * fixed: even gaps; infinite rate: all at once), so two runs with one seed send the same load.
 * A request whose arrival comes while {@code maxConcurrency} are in flight waits in a FIFO
 * queue, and its latencies count from its send. Every request streams with usage, so TTFT is
 * the first content chunk, ITL the gaps between content chunks, and the output length the
 * server's {@code completion_tokens}. All of it runs on one event loop. The report carries the
 * trace of what was sent, so {@code llumnix simulate} can replay the same load.
 */
public final class LoadGenerator {

  /** Hears progress, on the event loop. */
  public interface Progress {
    void update(int finished, int failed, int total);
  }

  /** Short words: one token each for BPE tokenizers and the built-in one. */
  private static final String[] WORDS = ("the of and to in is it on as at by an be or we he so"
      + " do if my up no go me us am hi oh ok yes can one two six ten red big new old all any"
      + " day way far few how out our sun sea sky top war car dog cat man men end use own set"
      + " run let put say see try ask own hot low air art law box key job").split(" ");

  private final Vertx vertx;
  private final BenchSettings settings;
  private final Progress progress;
  private final HttpClient client;
  private final List<String> prompts = new ArrayList<>();
  private final int[] promptWords;
  private final int[] prefixGroups;
  private final int[] outputLengths;
  private final long[] arrivalNanos;
  private final RequestResult[] results;
  private final ArrayDeque<Integer> queue = new ArrayDeque<>();
  private final AtomicInteger failed = new AtomicInteger();
  private final Promise<BenchReport> done = Promise.promise();
  private String model;
  private int inFlight;
  private int finished;
  private int nextArrival;
  private int warmedUp;
  private long startNanos;

  private LoadGenerator(Vertx vertx, BenchSettings settings, Progress progress) {
    this.vertx = vertx;
    this.settings = settings;
    this.progress = progress;
    this.model = settings.model();
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(settings.maxConcurrency()));
    SplittableRandom random = new SplittableRandom(settings.seed());
    List<String> prefixes = new ArrayList<>();
    for (int g = 0; g < settings.sharedPrefixGroups(); g++) {
      prefixes.add(words(settings.sharedPrefixTokens(), random));
    }
    int n = settings.numRequests();
    promptWords = new int[n];
    prefixGroups = new int[n];
    outputLengths = new int[n];
    arrivalNanos = new long[n];
    results = new RequestResult[n];
    double t = 0;
    for (int i = 0; i < n; i++) {
      prefixGroups[i] = prefixes.isEmpty() ? -1 : random.nextInt(prefixes.size());
      String prefix = prefixes.isEmpty() ? "" : prefixes.get(prefixGroups[i]);
      int length = settings.promptDistribution().sample(settings.promptTokens(), random);
      prompts.add(prefix + words(length, random));
      promptWords[i] = (prefixes.isEmpty() ? 0 : settings.sharedPrefixTokens()) + length;
      outputLengths[i] = settings.outputDistribution().sample(settings.outputTokens(), random);
      if (!Double.isInfinite(settings.requestRate()) && i > 0) {
        double mean = 1e9 / settings.requestRate();
        t += settings.poisson() ? -mean * Math.log(1 - random.nextDouble()) : mean;
      }
      arrivalNanos[i] = (long) t;
    }
  }

  /** Runs {@code settings} against its server; the future completes with the report. */
  public static Future<BenchReport> run(Vertx vertx, BenchSettings settings, Progress progress) {
    LoadGenerator generator = new LoadGenerator(vertx, settings, progress);
    vertx.runOnContext(ignored -> generator.start());
    return generator.done.future();
  }

  private void start() {
    Future<String> resolved = model.isEmpty() ? firstModel() : Future.succeededFuture(model);
    resolved.onSuccess(name -> {
      model = name;
      warmUp().onComplete(ignored -> {
        startNanos = System.nanoTime();
        arrive();
      });
    }).onFailure(e -> {
      client.close();
      done.fail(new IllegalStateException("cannot list the models of " + settings.baseUrl()
          + " (pass --model): " + e.getMessage(), e));
    });
  }

  /**
   * Sends {@code --warmup-requests} to a {@link WarmUp} server of our own, as many at once as
   * the measured run will; their results are dropped. A warm-up that cannot run is skipped.
   */
  private Future<Void> warmUp() {
    if (settings.warmupRequests() == 0) {
      return Future.succeededFuture();
    }
    return WarmUp.start(vertx, settings.chat()).compose(server -> {
      int[] left = {settings.warmupRequests()};
      List<Future<Void>> chains = new ArrayList<>();
      for (int i = 0; i < Math.min(left[0], settings.maxConcurrency()); i++) {
        chains.add(warmUpChain(server.port(), left));
      }
      return Future.join(chains).eventually(server::close).<Void>mapEmpty();
    }).recover(e -> Future.succeededFuture());
  }

  private Future<Void> warmUpChain(int port, int[] left) {
    if (left[0] == 0) {
      return Future.succeededFuture();
    }
    left[0]--;
    return stream("127.0.0.1", port, body("warm up", WarmUp.EVENTS)).compose(result -> {
      if (result.succeeded()) {
        warmedUp++;
      }
      return warmUpChain(port, left);
    });
  }

  private Future<String> firstModel() {
    return client.request(HttpMethod.GET, settings.port(), settings.baseUrl().getHost(),
            settings.pathPrefix() + "/v1/models")
        .compose(HttpClientRequest::send)
        .compose(response -> response.body().map(body -> {
          JsonArray data = body.toJsonObject().getJsonArray("data");
          if (response.statusCode() != 200 || data == null || data.isEmpty()) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + body);
          }
          return data.getJsonObject(0).getString("id");
        }));
  }

  /** Queues every request whose arrival time has come, then waits for the next one. */
  private void arrive() {
    long elapsed = System.nanoTime() - startNanos;
    while (nextArrival < arrivalNanos.length && arrivalNanos[nextArrival] <= elapsed) {
      queue.addLast(nextArrival++);
    }
    dispatch();
    if (nextArrival < arrivalNanos.length) {
      long waitMillis = Math.max(1, (arrivalNanos[nextArrival] - elapsed) / 1_000_000);
      vertx.setTimer(waitMillis, t -> arrive());
    }
  }

  private void dispatch() {
    while (inFlight < settings.maxConcurrency() && !queue.isEmpty()) {
      int index = queue.pollFirst();
      inFlight++;
      send(index).onComplete(ar -> {
        results[index] = ar.succeeded() ? ar.result()
            : new RequestResult(0, 0, Double.NaN, Double.NaN, new double[0], "internal");
        inFlight--;
        finished++;
        if (!results[index].succeeded()) {
          failed.incrementAndGet();
        }
        progress.update(finished, failed.get(), results.length);
        if (finished == results.length) {
          client.close();
          done.complete(BenchReport.of(List.of(results), trace(),
              (System.nanoTime() - startNanos) / 1e9, settings.goodputTtftMillis(),
              settings.goodputTpotMillis(), warmedUp));
        } else {
          dispatch();
        }
      });
    }
  }

  private Future<RequestResult> send(int index) {
    return stream(settings.baseUrl().getHost(), settings.port(),
        body(prompts.get(index), outputLengths[index]));
  }

  private JsonObject body(String prompt, int maxTokens) {
    JsonObject body = new JsonObject().put("model", model).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("max_tokens", maxTokens);
    if (settings.ignoreEos()) {
      body.put("ignore_eos", true);
    }
    if (settings.chat()) {
      body.put("messages", new JsonArray().add(new JsonObject().put("role", "user")
          .put("content", prompt)));
    } else {
      body.put("prompt", prompt);
    }
    return body;
  }

  /** Streams one request to {@code host:port} and measures it. */
  private Future<RequestResult> stream(String host, int port, JsonObject body) {
    String path = settings.pathPrefix()
        + (settings.chat() ? "/v1/chat/completions" : "/v1/completions");
    Measurement m = new Measurement(System.nanoTime());
    Promise<RequestResult> result = Promise.promise();
    long timer = vertx.setTimer(settings.timeoutMillis(), t -> {
      HttpClientRequest request = m.request;
      if (request != null) {
        request.reset();
      }
      result.tryComplete(m.failure("timeout"));
    });
    client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost(host).setPort(port).setURI(path)
            .putHeader("Content-Type", "application/json"))
        .compose(request -> {
          m.request = request;
          return request.send(body.toBuffer());
        })
        .onSuccess(response -> {
          if (response.statusCode() != 200) {
            response.body().onComplete(ignored ->
                result.tryComplete(m.failure("http_" + response.statusCode())));
            return;
          }
          response.handler(m::chunk);
          response.exceptionHandler(e -> result.tryComplete(m.failure("stream_broken")));
          response.endHandler(ignored -> result.tryComplete(m.finish()));
        })
        .onFailure(e -> result.tryComplete(m.failure("connection")));
    return result.future().onComplete(ignored -> vertx.cancelTimer(timer));
  }

  /**
   * What was sent, in arrival order. The server's token counts win over our own where it
   * reported them: its tokenizer and chat template are what a replay should see.
   */
  private List<TraceEntry> trace() {
    List<TraceEntry> trace = new ArrayList<>(results.length);
    boolean prefixed = settings.sharedPrefixGroups() > 0 && settings.sharedPrefixTokens() > 0;
    for (int i = 0; i < results.length; i++) {
      RequestResult r = results[i];
      int prompt = r.succeeded() && r.promptTokens() > 0 ? r.promptTokens() : promptWords[i];
      int output = settings.ignoreEos() ? outputLengths[i] : Math.max(1, r.outputTokens());
      trace.add(new TraceEntry(arrivalNanos[i] / 1e6, prompt, output, null,
          prefixed ? "g" + prefixGroups[i] : null,
          // A server's tokenizer may merge words, so its prompt can be shorter than the prefix.
          prefixed ? Math.min(settings.sharedPrefixTokens(), prompt) : 0, null));
    }
    return trace;
  }

  private static String words(int count, SplittableRandom random) {
    StringBuilder text = new StringBuilder(count * 4);
    for (int i = 0; i < count; i++) {
      text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }

  /** One request's stream, parsed as it arrives. */
  private final class Measurement {
    private final long sentNanos;
    private final SseDecoder events = new SseDecoder(this::event);
    private double[] gaps = new double[64];
    private int gapCount;
    private @Nullable HttpClientRequest request;
    private long firstNanos = -1;
    private long lastNanos = -1;
    private int chunks;
    private int promptTokens;
    private int completionTokens = -1;
    private boolean done;
    private @Nullable String error;

    Measurement(long sentNanos) {
      this.sentNanos = sentNanos;
    }

    void chunk(Buffer buffer) {
      events.feed(buffer);
    }

    private void event(String data) {
      if (data.equals(Sse.DONE_DATA)) {
        done = true;
        return;
      }
      StreamedEvent event;
      try {
        event = StreamedEvent.read(data, settings.chat());
      } catch (IllegalArgumentException e) {
        error = "bad_event";
        return;
      }
      if (event.error()) {
        error = "stream_error";
        return;
      }
      if (event.promptTokens() >= 0 || event.completionTokens() >= 0) {
        promptTokens = Math.max(0, event.promptTokens());
        completionTokens = event.completionTokens();
      }
      if (event.content()) {
        long now = System.nanoTime();
        if (firstNanos < 0) {
          firstNanos = now;
        } else {
          if (gapCount == gaps.length) {
            gaps = Arrays.copyOf(gaps, gapCount * 2);
          }
          gaps[gapCount++] = (now - lastNanos) / 1e6;
        }
        lastNanos = now;
        chunks++;
      }
    }

    RequestResult finish() {
      if (error != null) {
        return failure(error);
      }
      if (!done) {
        return failure("stream_incomplete");
      }
      long end = System.nanoTime();
      double[] itl = Arrays.copyOf(gaps, gapCount);
      return new RequestResult(promptTokens, completionTokens >= 0 ? completionTokens : chunks,
          firstNanos < 0 ? Double.NaN : (firstNanos - sentNanos) / 1e6, (end - sentNanos) / 1e6,
          itl, null);
    }

    RequestResult failure(String kind) {
      return new RequestResult(0, 0, Double.NaN, Double.NaN, new double[0], kind);
    }
  }
}
