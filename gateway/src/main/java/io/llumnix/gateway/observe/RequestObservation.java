package io.llumnix.gateway.observe;

/**
 * Everything measured about one request, recorded in one place. Times are the gateway clock's
 * nanoseconds; TTFT counts from arrival, what the client waits (the reference counts from the
 * scheduling decision). Not thread-safe: the request's event loop calls it.
 *
 * <ul>
 *   <li>{@code request_preprocess_duration}: arrival to admitted (parsed, tokenized);
 *   <li>{@code request_queue_duration}: admitted to taken by a queue worker;
 *   <li>{@code request_schedule_duration}: each scheduling decision (one per try);
 *   <li>{@code request_ttft}, {@code request_itl}: the first token, the gaps between tokens;
 *   <li>at the end, whatever the status: {@code request_total}; the token counters and
 *       histograms when the request produced tokens; {@code request_tpot} when it produced
 *       more than one; {@code request_e2e_latency} and {@code request_postprocess_duration}
 *       for a 200.
 * </ul>
 */
public final class RequestObservation {

  private final GatewayMetrics metrics;
  private final String model;
  private final GatewayMetrics.ModelPoints points;
  private final long arrivalNanos;
  private long queuedNanos;
  private long firstTokenNanos = -1;
  private long lastTokenNanos = -1;
  private int tokensSeen;
  private int promptTokens;
  private int usageOutputTokens = -1;
  private boolean ended;

  RequestObservation(GatewayMetrics metrics, String model, GatewayMetrics.ModelPoints points,
      long arrivalNanos) {
    this.metrics = metrics;
    this.model = model;
    this.points = points;
    this.arrivalNanos = arrivalNanos;
  }

  /** Admitted at {@code now}: its prompt has {@code promptTokens} tokens. */
  public void admitted(long now, int promptTokens) {
    this.promptTokens = promptTokens;
    points.preprocess().observe((now - arrivalNanos) / 1e6);
    queuedNanos = now;
  }

  /** A queue worker took it. */
  public void dequeued(long now) {
    points.queue().observe((now - queuedNanos) / 1e6);
  }

  /** One scheduling decision took from {@code startNanos} to {@code now}. */
  public void scheduled(long startNanos, long now) {
    points.schedule().observe((now - startNanos) / 1e6);
  }

  /** A try failed and is retried elsewhere; {@code cause} is the status or network_error. */
  public void retried(String cause) {
    metrics.retried(model, cause);
  }

  /** A content chunk with text arrived; returns whether it is the first. */
  public boolean token(long now) {
    tokensSeen++;
    boolean first = firstTokenNanos < 0;
    if (first) {
      firstTokenNanos = now;
      points.ttft().observe((now - arrivalNanos) / 1e6);
    } else {
      points.itl().observe((now - lastTokenNanos) / 1e6);
    }
    lastTokenNanos = now;
    return first;
  }

  /** Tokens the request holds so far: prompt plus the content chunks seen. */
  public long tokensSoFar() {
    return (long) promptTokens + tokensSeen;
  }

  /** The engine's usage: exact counts, which win over counting chunks. */
  public void usage(int prompt, int completion) {
    if (prompt >= 0) {
      promptTokens = prompt;
    }
    if (completion >= 0) {
      usageOutputTokens = completion;
    }
  }

  public int promptTokens() {
    return promptTokens;
  }

  /** Output tokens: the usage's count when the engine sent one, else the chunks seen. */
  public int outputTokens() {
    return usageOutputTokens >= 0 ? usageOutputTokens : tokensSeen;
  }

  /** The final response took from {@code startNanos} to {@code now} to write. */
  public void postprocessed(long startNanos, long now) {
    points.postprocess().observe((now - startNanos) / 1e6);
  }

  /** The request ended with {@code status} (499 when the client left); records once. */
  public void ended(int status, long now) {
    if (ended) {
      return;
    }
    ended = true;
    int output = outputTokens();
    if (output > 0) {
      points.inputTokensTotal().inc(promptTokens);
      points.outputTokensTotal().inc(output);
      points.inputTokens().observe(promptTokens);
      points.outputTokens().observe(output);
      if (output > 1 && firstTokenNanos >= 0) {
        points.tpot().observe((now - firstTokenNanos) / 1e6 / (output - 1));
      }
    }
    if (status == 200) {
      points.e2e().observe((now - arrivalNanos) / 1e9);
    }
    metrics.ended(model, status);
  }
}
