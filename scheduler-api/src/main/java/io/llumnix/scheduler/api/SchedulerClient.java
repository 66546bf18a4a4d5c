package io.llumnix.scheduler.api;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
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

  private final Vertx vertx;
  private final HttpClient http;
  private final Settings settings;
  private final @Nullable InProcessScheduler local;
  private final @Nullable CharSequence authorization;

  private SchedulerClient(Vertx vertx, HttpClient http, Settings settings,
      @Nullable InProcessScheduler local) {
    this.vertx = vertx;
    this.http = http;
    this.settings = settings;
    this.local = local;
    ServiceToken token = ServiceToken.of(settings.serviceToken());
    this.authorization = token.enabled()
        ? HttpHeaders.createOptimized(token.authorization()) : null;
  }

  /** A client on {@code vertx}; keep one per gateway (it holds the connection pools). */
  public static SchedulerClient create(Vertx vertx, Settings settings) {
    return create(vertx, settings, null);
  }

  /** As {@link #create(Vertx, Settings)}, calling {@code local}'s endpoint in process. */
  public static SchedulerClient create(Vertx vertx, Settings settings,
      @Nullable InProcessScheduler local) {
    // Keep-alive connections with no pipelining: a /schedule never waits behind another.
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
            .setTcpNoDelay(true).setConnectTimeout((int) settings.timeoutMillis()),
        new PoolOptions().setHttp1MaxSize(settings.maxConnections()));
    return new SchedulerClient(vertx, http, settings, local);
  }

  /** Asks for instances. */
  public Future<Outcome> schedule(SchedulerEndpoint endpoint, SchedulingRequest request) {
    InProcessScheduler scheduler = inProcess(endpoint);
    return scheduler != null
        ? inProcess(scheduler, (s, abandoned) -> s.schedule(request, abandoned))
        : call(endpoint, "/schedule", SchedulingJson.encode(request));
  }

  /** Releases a request from the one instance its result names. */
  public Future<Outcome> release(SchedulerEndpoint endpoint, SchedulingRequest request) {
    InProcessScheduler scheduler = inProcess(endpoint);
    return scheduler != null ? inProcess(scheduler, (s, abandoned) -> s.release(request))
        : call(endpoint, "/release", SchedulingJson.encode(request));
  }

  /** Reports lite-mode progress; the scheduler answers 200 whatever it applied. */
  public Future<Void> report(SchedulerEndpoint endpoint, List<ReportItem> items) {
    InProcessScheduler scheduler = inProcess(endpoint);
    return scheduler != null ? inProcess(scheduler, (s, abandoned) -> s.report(items))
        : post(endpoint, "/report", SchedulingJson.encodeReport(items)).mapEmpty();
  }

  /** Closes the connections. */
  public Future<Void> close() {
    return http.close();
  }

  private @Nullable InProcessScheduler inProcess(SchedulerEndpoint endpoint) {
    return local != null && local.endpoint().equals(endpoint) ? local : null;
  }

  /** A call of the scheduler, told whether its caller stopped waiting. */
  private interface Call<T> {
    Future<T> on(InProcessScheduler scheduler, BooleanSupplier abandoned);
  }

  /**
   * Runs {@code call} on the scheduler's loop, as a task of its own even when already there
   * (so a queue worker's next request never runs inside this one's call), and answers on the
   * caller's loop, within the call timeout (whose timer, set here, fires on that loop too).
   */
  private <T> Future<T> inProcess(InProcessScheduler scheduler, Call<T> call) {
    Context caller = Vertx.currentContext();
    Thread callingThread = Thread.currentThread();
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(settings.timeoutMillis(), id -> result.tryFail(
        new TimeoutException("the scheduler did not answer in " + settings.timeoutMillis()
            + " ms")));
    scheduler.context().runOnContext(ignored -> {
      Future<T> answer;
      try {
        answer = call.on(scheduler, () -> result.future().isComplete());
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onComplete(ar -> {
        vertx.cancelTimer(timer);
        if (caller == null || Thread.currentThread() == callingThread) {
          settle(result, ar);
        } else {
          caller.runOnContext(back -> settle(result, ar));
        }
      });
    });
    return result.future();
  }

  private static <T> void settle(Promise<T> result, AsyncResult<T> answer) {
    if (answer.succeeded()) {
      result.tryComplete(answer.result());
    } else {
      result.tryFail(answer.cause());
    }
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
    if (Vertx.currentContext() == null) {
      // Called off every event loop (a tool's or a test's main thread), the HTTP client now and
      // then lost the answer to a call on a pooled connection; on a context, as a gateway
      // calls it, it does not.
      Promise<Answer> answer = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> post(endpoint, path, body).onComplete(answer));
      return answer.future();
    }
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
