package io.llumnix.kvs.mooncake;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Calls a metadata service (Mooncake master, or {@code llumnix kvs}): which endpoints hold
 * which keys, and the writes that say so. Each HTTP call has the reference's bounds: an attempt
 * fails after 3 s, a call after 5 s in all, and a transport error that is no timeout
 * (connection refused or reset) is retried at once, up to 3 times; a timeout is not retried,
 * since the service is then slow, not gone. A status other than 200, or {@code success:false},
 * fails the future with a {@link ServiceException}.
 *
 * <pre>{@code
 * MooncakeClient kvs = new MooncakeClient(vertx, "mooncake-master-service", 9003);
 * kvs.query(chunkKeys).onSuccess(holders -> ...); // key -> ["10.0.0.1:28000", ...]
 * }</pre>
 *
 * <p>Long key lists are split into several calls (run side by side), so that a lookup's URL
 * stays under {@link Settings#maxUriLength} and a write's body under
 * {@link Settings#maxKeysPerWrite} keys.
 */
public final class MooncakeClient {

  /**
   * How calls are made.
   *
   * @param attemptTimeoutMillis one attempt fails when no full answer came in this long
   * @param callTimeoutMillis no retry starts after this long since the call began
   * @param retries immediate retries of an attempt that failed without timing out
   * @param maxUriLength a lookup's path and query stay under this many characters
   * @param maxKeysPerWrite keys per write body
   * @param maxConnections connections to the service
   */
  public record Settings(long attemptTimeoutMillis, long callTimeoutMillis, int retries,
      int maxUriLength, int maxKeysPerWrite, int maxConnections) {

    /** The reference's: 3 s per attempt, 5 s per call, 3 retries; URLs under 7 kB. */
    public static final Settings DEFAULT = new Settings(3000, 5000, 3, 7000, 4096, 16);

    public Settings {
      if (attemptTimeoutMillis < 1 || callTimeoutMillis < attemptTimeoutMillis || retries < 0
          || maxUriLength < 256 || maxKeysPerWrite < 1 || maxConnections < 1) {
        throw new IllegalArgumentException("mooncake client settings: " + attemptTimeoutMillis
            + " ms per attempt, " + callTimeoutMillis + " ms per call, " + retries
            + " retries, " + maxUriLength + " chars per URL, " + maxKeysPerWrite
            + " keys per write, " + maxConnections + " connections (expected: attempt >= 1 "
            + "<= call, retries >= 0, URL >= 256, keys and connections >= 1)");
      }
    }

    /** These settings with other timeouts (tests use short ones). */
    public Settings withTimeouts(long attemptTimeoutMillis, long callTimeoutMillis) {
      return new Settings(attemptTimeoutMillis, callTimeoutMillis, retries, maxUriLength,
          maxKeysPerWrite, maxConnections);
    }
  }

  /** The service answered, but not with success: a status other than 200 or a failure. */
  public static final class ServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ServiceException(int status, String message) {
      super(message);
      this.status = status;
    }

    /** The HTTP status of the answer (200 when it said {@code success:false}). */
    public int status() {
      return status;
    }
  }

  private static final CharSequence APPLICATION_JSON =
      HttpHeaders.createOptimized("application/json");
  private static final String QUERY_PREFIX =
      MooncakeApi.BATCH_QUERY_KEYS + "?" + MooncakeApi.KEYS_PARAMETER + "=";

  private final Vertx vertx;
  private final HttpClient http;
  private final String host;
  private final int port;
  private final Settings settings;

  /** A client of the service on {@code host:port} with the reference's bounds. */
  public MooncakeClient(Vertx vertx, String host, int port) {
    this(vertx, host, port, Settings.DEFAULT);
  }

  /** A client of the service on {@code host:port}; keep one (it holds the connections). */
  public MooncakeClient(Vertx vertx, String host, int port, Settings settings) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.settings = settings;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
            .setTcpNoDelay(true).setConnectTimeout((int) settings.attemptTimeoutMillis()),
        new PoolOptions().setHttp1MaxSize(settings.maxConnections()));
  }

  /**
   * Which endpoints hold each of {@code keys}: only keys held by at least one endpoint are in
   * the map. No keys make no call.
   */
  public Future<Map<String, List<String>>> query(List<String> keys) {
    List<String> uris = queryUris(keys, settings.maxUriLength());
    if (uris.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Future<Map<String, List<String>>>> parts = new ArrayList<>(uris.size());
    for (String uri : uris) {
      parts.add(call(HttpMethod.GET, uri, null).map(body -> {
        MooncakeJson.QueryReply reply = MooncakeJson.decodeQueryReply(body);
        if (!reply.success()) {
          throw new ServiceException(200, where(uri) + ": success=false: " + reply.error());
        }
        return reply.endpoints();
      }));
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return Future.all(parts).map(all -> {
      Map<String, List<String>> merged = new HashMap<>();
      for (Future<Map<String, List<String>>> part : parts) {
        merged.putAll(part.result());
      }
      return merged;
    });
  }

  /** Says that {@code endpoint} holds {@code keys}. */
  public Future<Void> put(String endpoint, Collection<String> keys) {
    return write(MooncakeApi.BATCH_PUT_KEYS, endpoint, keys);
  }

  /** Says that {@code endpoint} no longer holds {@code keys}. */
  public Future<Void> remove(String endpoint, Collection<String> keys) {
    return write(MooncakeApi.BATCH_REMOVE_KEYS, endpoint, keys);
  }

  /** Says that {@code endpoint} holds nothing any more (its engine restarted or was cleared). */
  public Future<Void> removeEndpoint(String endpoint) {
    return post(MooncakeApi.REMOVE_ENDPOINT, MooncakeJson.encodeEndpoint(endpoint));
  }

  /** Closes the connections. */
  public Future<Void> close() {
    return http.close();
  }

  /**
   * The lookup URIs (path and query) of {@code keys}, each key once and query-escaped, every
   * URI under {@code maxUriLength} characters unless one key alone is longer.
   */
  public static List<String> queryUris(List<String> keys, int maxUriLength) {
    List<String> uris = new ArrayList<>();
    StringBuilder uri = new StringBuilder(QUERY_PREFIX);
    for (String key : new LinkedHashSet<>(keys)) {
      String escaped = URLEncoder.encode(key, StandardCharsets.UTF_8);
      boolean empty = uri.length() == QUERY_PREFIX.length();
      if (!empty && uri.length() + 1 + escaped.length() >= maxUriLength) {
        uris.add(uri.toString());
        uri.setLength(QUERY_PREFIX.length());
        empty = true;
      }
      if (!empty) {
        uri.append(',');
      }
      uri.append(escaped);
    }
    if (uri.length() > QUERY_PREFIX.length()) {
      uris.add(uri.toString());
    }
    return uris;
  }

  private Future<Void> write(String path, String endpoint, Collection<String> keys) {
    List<String> all = List.copyOf(new LinkedHashSet<>(keys));
    Future<Void> chain = Future.succeededFuture();
    // One body after the other: a big write does not take every connection at once.
    for (int from = 0; from < all.size(); from += settings.maxKeysPerWrite()) {
      List<String> part =
          all.subList(from, Math.min(all.size(), from + settings.maxKeysPerWrite()));
      chain = chain.compose(ignored -> post(path, MooncakeJson.encodeKeys(endpoint, part)));
    }
    return chain;
  }

  private Future<Void> post(String path, Buffer body) {
    return call(HttpMethod.POST, path, body).map(answer -> {
      MooncakeJson.Reply reply = MooncakeJson.decodeReply(answer);
      if (!reply.success()) {
        throw new ServiceException(200, where(path) + ": success=false: " + reply.error());
      }
      return null;
    });
  }

  /** One call: attempts until one answers 200, one times out, or the retries are spent. */
  private Future<Buffer> call(HttpMethod method, String uri, @Nullable Buffer body) {
    Promise<Buffer> result = Promise.promise();
    long deadline =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.callTimeoutMillis());
    attempt(method, uri, body, deadline, 0, result);
    return result.future();
  }

  private void attempt(HttpMethod method, String uri, @Nullable Buffer body, long deadline,
      int retried, Promise<Buffer> result) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    long timeout = Math.max(1, Math.min(settings.attemptTimeoutMillis(), left));
    exchange(method, uri, body, timeout).onComplete(result::complete, failure -> {
      if (retried < settings.retries() && retryable(failure) && deadline > System.nanoTime()) {
        attempt(method, uri, body, deadline, retried + 1, result);
      } else {
        result.fail(failure);
      }
    });
  }

  /** A transport error that is no timeout: the service may answer the next connection. */
  private static boolean retryable(Throwable failure) {
    return !(failure instanceof TimeoutException || failure instanceof SocketTimeoutException
        || failure instanceof ConnectTimeoutException
        || failure instanceof ServiceException || failure instanceof IllegalArgumentException);
  }

  /** One request and its whole answer within {@code timeoutMillis}; a 200's body. */
  private Future<Buffer> exchange(HttpMethod method, String uri, @Nullable Buffer body,
      long timeoutMillis) {
    Promise<Buffer> done = Promise.promise();
    AtomicReference<@Nullable HttpClientRequest> sent = new AtomicReference<>();
    long timer = vertx.setTimer(timeoutMillis, id -> {
      TimeoutException timeout = new TimeoutException(where(uri) + ": no answer in "
          + timeoutMillis + " ms");
      if (done.tryFail(timeout)) {
        HttpClientRequest request = sent.get();
        if (request != null) {
          request.reset(0, timeout); // frees the connection instead of waiting on it
        }
      }
    });
    RequestOptions options = new RequestOptions().setMethod(method).setHost(host).setPort(port)
        .setURI(uri).setConnectTimeout(timeoutMillis)
        .putHeader(HttpHeaders.ACCEPT, APPLICATION_JSON);
    if (body != null) {
      options.putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    }
    http.request(options).compose(request -> {
      sent.set(request);
      if (done.future().isComplete()) {
        request.reset(); // timed out while connecting
      }
      return body == null ? request.send() : request.send(body);
    }).compose(response -> response.body().map(answer -> {
      if (response.statusCode() != 200) {
        MooncakeJson.Reply reply = MooncakeJson.decodeReply(answer);
        String text = reply.error().isEmpty() ? answer.toString(StandardCharsets.UTF_8)
            : reply.error();
        throw new ServiceException(response.statusCode(), where(uri) + ": HTTP "
            + response.statusCode() + ": " + (text.length() <= 200 ? text
                : text.substring(0, 200) + "..."));
      }
      return answer;
    })).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        done.tryComplete(ar.result());
      } else {
        done.tryFail(ar.cause());
      }
    });
    return done.future();
  }

  private String where(String uri) {
    int query = uri.indexOf('?');
    return "mooncake " + host + ":" + port + (query < 0 ? uri : uri.substring(0, query));
  }
}
