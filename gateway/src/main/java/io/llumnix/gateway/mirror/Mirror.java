package io.llumnix.gateway.mirror;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.runtime.WatchedFile;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mirrors a share of the gateway's requests to another server, as the reference does: the
 * request's method, path and raw body, the client's headers (an {@code Authorization} from the
 * config replaces the client's), sent alongside the real request and forgotten — its answer is
 * read and dropped, and nothing about it reaches the client.
 *
 * <p>Design notes. A copy never delays, fails or alters the client's request: sampling and
 * starting the send are all the request path pays, on its own event loop. Copies have their
 * own connection pool, and at most {@code maxInFlight} are under way: beyond that a copy is
 * dropped and counted ({@code gateway_mirror_requests_total{result="dropped"}}), so a slow or
 * dead target costs a bounded amount of memory instead of piling up. The config is a file
 * ({@link MirrorConfig#watch}) re-read when it changes.
 */
public final class Mirror {

  private static final System.Logger logger = System.getLogger(Mirror.class.getName());
  /** The longest a copy may take when the config sets no timeout. */
  static final long DEFAULT_TIMEOUT_MILLIS = 60_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final WatchedFile<MirrorConfig> config;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CounterDataPoint answered;
  private final CounterDataPoint failed;
  private final CounterDataPoint dropped;

  /** @param maxInFlight copies under way at once; more are dropped */
  public Mirror(Vertx vertx, WatchedFile<MirrorConfig> config, int maxInFlight,
      ComponentMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.maxInFlight = maxInFlight;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(3000)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(1, maxInFlight)));
    var counter = metrics.counter(LlumnixMetrics.GATEWAY_MIRROR_REQUESTS_TOTAL);
    this.answered = counter.labels("answered");
    this.failed = counter.labels("failed");
    this.dropped = counter.labels("dropped");
  }

  /** Copies under way. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Sends a copy of the request when the config samples it; returns at once.
   *
   * @param path the request's path, without its query
   * @param body the raw body the client sent
   */
  public void offer(HttpMethod method, String path, MultiMap clientHeaders, Buffer body) {
    MirrorConfig current = config.current();
    if (!current.enabled() || ThreadLocalRandom.current().nextDouble() * 100 >= current.ratio()) {
      return;
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      dropped.inc();
      return;
    }
    RequestOptions options = new RequestOptions().setMethod(method)
        .setAbsoluteURI(current.target() + path);
    for (Map.Entry<String, String> header : clientHeaders) {
      String name = header.getKey();
      if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("host")) {
        options.addHeader(name, header.getValue());
      }
    }
    if (!current.authorization().isEmpty()) {
      options.putHeader(HttpHeaders.AUTHORIZATION, current.authorization());
    }
    // The whole copy, answer included, within the timeout: then it is cut off.
    long timeout = current.timeoutMillis() > 0 ? current.timeoutMillis() : DEFAULT_TIMEOUT_MILLIS;
    HttpClientRequest[] sent = new HttpClientRequest[1];
    boolean[] expired = {false};
    long timer = vertx.setTimer(timeout, id -> {
      expired[0] = true;
      if (sent[0] != null) {
        sent[0].reset();
      }
    });
    client.request(options)
        .compose(request -> {
          sent[0] = request;
          if (expired[0]) { // timed out while connecting
            request.reset();
          }
          return request.send(body);
        })
        .compose(response -> response.body().map(ignored -> response.statusCode()))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          inFlight.decrementAndGet();
          if (ar.succeeded()) {
            answered.inc();
          } else {
            failed.inc();
          }
          if (current.log()) {
            logger.log(System.Logger.Level.INFO, "mirror " + method + " " + current.target()
                + path + ": " + (ar.succeeded() ? ar.result() : "failed: "
                + ar.cause().getMessage()));
          }
        });
  }

  public void close() {
    config.close();
    client.close();
  }
}
