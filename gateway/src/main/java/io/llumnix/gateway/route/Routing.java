package io.llumnix.gateway.route;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Traffic between the gateway's own cluster and external OpenAI-compatible servers: the route
 * policy over the (hot-reloaded) route config chooses where a request goes, and the config's
 * fallback entries take the requests whose route failed — no instance free, an internal
 * failure that outlived its retries, or an external server's error — one try each, in order,
 * with a 429 retry queue for rate-limited ones.
 *
 * <p>Built with the gateway, so a bad {@code --route-config} stops it starting; {@link #start}
 * on its event loop, where every external request then runs.
 */
public final class Routing {

  private final RouteSource source;
  private final RetryQueueSettings queueSettings;
  private @Nullable HttpClient client;
  private @Nullable Clock clock;
  private @Nullable RateLimitRetryQueue retryQueue;
  private @Nullable LabeledMetric<CounterDataPoint> fallbackTotal;
  private @Nullable LabeledMetric<CounterDataPoint> retrySuccessTotal;

  /** @throws IllegalArgumentException when the route config cannot be read or is not valid */
  public Routing(RouteSettings settings) {
    this.source = new RouteSource(settings);
    this.queueSettings = settings.retryQueue();
  }

  /** Starts following the config and opens the connections to external servers. */
  public void start(Vertx vertx, Clock clock, ComponentMetrics metrics) {
    this.clock = clock;
    source.watch(vertx);
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(256));
    retryQueue = queueSettings.enabled() ? new RateLimitRetryQueue(clock, queueSettings) : null;
    fallbackTotal = metrics.counter(LlumnixMetrics.REQUEST_FALLBACK_TOTAL);
    retrySuccessTotal = metrics.counter(LlumnixMetrics.REQUEST_FALLBACK_RETRY_SUCCESS_TOTAL);
  }

  /** The table in force. */
  public RouteTable table() {
    return source.current();
  }

  /**
   * Sends a request to external servers of {@code table}: {@code entry} when there is one,
   * then the table's fallback entries until one answers; with none left, the client gets the
   * last error (404 when nothing matched the request at all).
   *
   * @param entry the request's route; null for a request the local cluster could not serve,
   *     or one no entry matched
   * @param ended gets the status the client got (499 when it left), once
   */
  public void external(RouteTable table, @Nullable RouteEntry entry,
      HttpServerResponse response, RawRequest request, IntConsumer ended) {
    new ExternalRequest(this, table, response, request, ended).start(entry);
  }

  /** Whether a request the local cluster cannot serve has somewhere else to go. */
  public boolean canFallback() {
    return !source.current().fallbacks().isEmpty();
  }

  HttpClient client() {
    return require(client);
  }

  Clock clock() {
    return require(clock);
  }

  @Nullable RateLimitRetryQueue retryQueue() {
    return retryQueue;
  }

  void fellBack(String model, String result) {
    require(fallbackTotal).labels(model, result).inc();
  }

  void retrySucceeded(String model) {
    require(retrySuccessTotal).labels(model).inc();
  }

  private static <T> T require(@Nullable T started) {
    if (started == null) {
      throw new IllegalStateException("routing is not started");
    }
    return started;
  }

  public void close() {
    source.close();
    if (client != null) {
      client.close();
    }
  }
}
