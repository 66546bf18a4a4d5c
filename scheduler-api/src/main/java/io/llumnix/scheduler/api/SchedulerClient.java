package io.llumnix.scheduler.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Calls a scheduler's {@code /schedule}, {@code /release} and {@code /report}, with typed
 * bodies and answers. Transport failures fail the future; HTTP errors are answers
 * ({@link Outcome.Failed} with the scheduler's plain-text message).
 *
 * <pre>{@code
 * SchedulerClient client = SchedulerClient.create(vertx, SchedulerClient.Settings.DEFAULT);
 * client.schedule(endpoint, request).onSuccess(outcome -> ...);
 * }</pre>
 */
public final class SchedulerClient {

  /**
   * How calls are made.
   *
   * @param timeoutMillis a call fails when no answer came in this long (the reference: 2 s)
   * @param serviceToken sent as {@code Authorization: Bearer <token>} when not empty (see
   *     {@link ServiceToken})
   * @param maxConnections connections per scheduler; every request makes at least one call
   */
  public record Settings(long timeoutMillis, String serviceToken, int maxConnections) {
    /** The reference's 2 s timeout, no token, 64 connections. */
    public static final Settings DEFAULT = new Settings(2000, "", 64);

    public Settings {
      if (timeoutMillis < 1 || maxConnections < 1) {
        throw new IllegalArgumentException("scheduler client: timeout " + timeoutMillis
            + " ms and " + maxConnections + " connections (expected: both >= 1)");
      }
      ServiceToken.of(serviceToken); // checks it
    }

    /** Without the token, which must not reach a log. */
    @Override
    public String toString() {
      return "Settings[timeoutMillis=" + timeoutMillis + ", serviceToken="
          + ServiceToken.of(serviceToken) + ", maxConnections=" + maxConnections + "]";
    }
  }

  private static final CharSequence APPLICATION_JSON =
      HttpHeaders.createOptimized("application/json");

  private final HttpClient http;
  private final Settings settings;
  private final @Nullable CharSequence authorization;

  private SchedulerClient(HttpClient http, Settings settings) {
    this.http = http;
    this.settings = settings;
    ServiceToken token = ServiceToken.of(settings.serviceToken());
    this.authorization = token.enabled()
        ? HttpHeaders.createOptimized(token.authorization()) : null;
  }

  /** A client on {@code vertx}; keep one per gateway (it holds the connection pools). */
  public static SchedulerClient create(Vertx vertx, Settings settings) {
    // Keep-alive connections with no pipelining: a /schedule never waits behind another.
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
            .setTcpNoDelay(true).setConnectTimeout((int) settings.timeoutMillis()),
        new PoolOptions().setHttp1MaxSize(settings.maxConnections()));
    return new SchedulerClient(http, settings);
  }

  /** Asks for instances. */
  public Future<Outcome> schedule(SchedulerEndpoint endpoint, SchedulingRequest request) {
    return call(endpoint, "/schedule", SchedulingJson.encode(request));
  }

  /** Releases a request from the one instance its result names. */
  public Future<Outcome> release(SchedulerEndpoint endpoint, SchedulingRequest request) {
    return call(endpoint, "/release", SchedulingJson.encode(request));
  }

  /** Reports lite-mode progress; the scheduler answers 200 whatever it applied. */
  public Future<Void> report(SchedulerEndpoint endpoint, List<ReportItem> items) {
    return post(endpoint, "/report", SchedulingJson.encodeReport(items)).mapEmpty();
  }

  /** Closes the connections. */
  public Future<Void> close() {
    return http.close();
  }

  private Future<Outcome> call(SchedulerEndpoint endpoint, String path, Buffer body) {
    return post(endpoint, path, body).map(answer -> {
      if (answer.status() != 200) {
        return new Outcome.Failed(answer.status(), answer.body().toString());
      }
      try {
        return new Outcome.Scheduled(SchedulingJson.decode(answer.body()));
      } catch (IllegalArgumentException e) {
        return new Outcome.Failed(200, "unreadable answer: " + e.getMessage());
      }
    });
  }

  private record Answer(int status, Buffer body) {}

  private Future<Answer> post(SchedulerEndpoint endpoint, String path, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setHost(endpoint.host()).setPort(endpoint.port()).setURI(path)
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .setTimeout(settings.timeoutMillis());
    if (authorization != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    }
    // The request's own timeout runs from when it has a connection; the whole call (waiting
    // for a pooled connection, connecting) is bounded too, so a call never outlives it.
    return http.request(options)
        .compose(request -> request.send(body))
        .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)))
        .timeout(settings.timeoutMillis(), TimeUnit.MILLISECONDS);
  }
}
