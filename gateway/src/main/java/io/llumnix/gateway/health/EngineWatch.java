package io.llumnix.gateway.health;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.Clock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds engines that stopped answering while requests wait on them, without waiting out the
 * idle timeout. A frozen engine (a stopped process, a hung host) keeps its connections open and
 * says nothing; a busy one says nothing either while it prefills a long prompt or queues the
 * request. The engine's {@code /health} tells them apart: vLLM answers it from its event loop
 * whatever its load.
 *
 * <p>Every half probe interval, requests whose engine has sent nothing for the probe interval
 * are suspects; each engine with suspects is asked {@code /health} once, however many wait on
 * it. An engine that does not answer 200 within the probe timeout fails its suspects (those
 * still silent) as a transport failure: retried elsewhere when nothing reached the client, an
 * error event otherwise, and the engine cools down. Runs on the gateway's event loop; costs
 * nothing per chunk beyond the timestamp the request keeps anyway.
 */
public final class EngineWatch {

  private static final System.Logger logger = System.getLogger(EngineWatch.class.getName());

  /** A request the watch looks after. */
  public interface Watched {

    /**
     * When the engines it waits on last sent something (or were first asked), as
     * {@link Clock#nanoTime()}; {@link Long#MAX_VALUE} while it waits on no engine.
     */
    long engineActiveNanos();

    /** The instances it waits on now. */
    List<LlmInstance> engines();

    /** {@code endpoint} did not answer its health check: the request fails over. */
    void engineUnresponsive(String endpoint, String message);
  }

  private final Clock clock;
  private final EngineHealthSettings settings;
  private final HttpClient probes;
  private final Set<Watched> watched = new HashSet<>();
  private final Set<String> probing = new HashSet<>();
  /** The sweep's periodic timer while any request is watched; -1 otherwise. */
  private long timer = -1;
  private boolean closed;

  public EngineWatch(Vertx vertx, Clock clock, EngineHealthSettings settings) {
    this.clock = clock;
    this.settings = settings;
    int timeout = (int) Math.min(Integer.MAX_VALUE, settings.probeTimeoutMillis());
    this.probes = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
        .setConnectTimeout(timeout));
  }

  public void close() {
    closed = true;
    stopSweeping();
    probes.close();
  }

  /**
   * Looks after {@code request} until {@link #forget} (nothing when probing is off). The sweep
   * runs only while some request is watched: an idle gateway has no timer.
   */
  public void watch(Watched request) {
    if (settings.probeAfterMillis() <= 0 || closed) {
      return;
    }
    watched.add(request);
    if (timer == -1) {
      timer = clock.setPeriodic(Math.max(100, settings.probeAfterMillis() / 2), this::sweep);
    }
  }

  public void forget(Watched request) {
    if (watched.remove(request) && watched.isEmpty()) {
      stopSweeping();
    }
  }

  private void stopSweeping() {
    if (timer != -1) {
      clock.cancelTimer(timer);
      timer = -1;
    }
  }

  private void sweep() {
    if (watched.isEmpty()) {
      return;
    }
    // Silent since before this: a request that hears from its engine later is no suspect.
    long cutoff = clock.nanoTime() - TimeUnit.MILLISECONDS.toNanos(settings.probeAfterMillis());
    Map<String, List<Watched>> suspects = null;
    for (Watched request : watched) {
      long active = request.engineActiveNanos();
      if (active == Long.MAX_VALUE || active - cutoff > 0) {
        continue;
      }
      for (LlmInstance engine : request.engines()) {
        if (suspects == null) {
          suspects = new HashMap<>();
        }
        suspects.computeIfAbsent(engine.endpoint(), e -> new ArrayList<>()).add(request);
      }
    }
    if (suspects == null) {
      return;
    }
    for (Map.Entry<String, List<Watched>> entry : suspects.entrySet()) {
      String endpoint = entry.getKey();
      if (!probing.add(endpoint)) {
        continue; // a probe of it is under way
      }
      List<Watched> waiting = entry.getValue();
      LlmInstance engine = waiting.get(0).engines().stream()
          .filter(i -> i.endpoint().equals(endpoint)).findFirst().orElseThrow();
      probe(engine).onComplete(ar -> {
        probing.remove(endpoint);
        if (ar.succeeded()) {
          return; // alive, only slow: the requests wait on
        }
        String message = "engine " + endpoint + " sent nothing for "
            + settings.probeAfterMillis() / 1000.0 + " s and did not answer its health check ("
            + ar.cause().getMessage() + ")";
        logger.log(System.Logger.Level.WARNING, message + "; failing its " + waiting.size()
            + " silent requests over");
        for (Watched request : waiting) {
          long active = request.engineActiveNanos();
          if (watched.contains(request) && active != Long.MAX_VALUE && active - cutoff <= 0) {
            request.engineUnresponsive(endpoint, message);
          }
        }
      });
    }
  }

  private Future<Void> probe(LlmInstance engine) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setHost(engine.host()).setPort(engine.port()).setURI("/health")
        .setIdleTimeout(settings.probeTimeoutMillis());
    return probes.request(options).compose(HttpClientRequest::send).compose(response -> {
      if (response.statusCode() != 200) {
        return Future.failedFuture("status " + response.statusCode());
      }
      return response.body().mapEmpty();
    });
  }
}
