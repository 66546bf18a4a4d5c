package io.llumnix.gateway.auth;

import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.LabeledMetric;
import io.llumnix.openai.OpenAiError;
import io.llumnix.runtime.WatchedFile;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Lets through only requests carrying one of the API keys ({@code Authorization: Bearer
 * <key>}); others get 401 in OpenAI's error JSON before their body is read, so nothing of
 * theirs reaches the scheduler or an engine. The keys are those of {@code --api-keys} (a file,
 * followed as it changes; a bad new version keeps the last good keys) and of
 * {@code LLUMNIX_API_KEYS}.
 */
public final class ApiKeyCheck {

  private static final System.Logger logger = System.getLogger(ApiKeyCheck.class.getName());

  private final AuthSettings settings;
  private final ApiKeys environment;
  private final ApiKeys fromFile;
  private final Buffer fileContent;
  private @Nullable WatchedFile<ApiKeys> file;
  private @Nullable LabeledMetric<CounterDataPoint> byKey;

  /** @throws IllegalArgumentException when the keys file cannot be read or is not valid */
  public ApiKeyCheck(AuthSettings settings) {
    this.settings = settings;
    this.environment = ApiKeys.parse(settings.environmentKeys());
    if (settings.keysFile().isBlank()) {
      fileContent = Buffer.buffer();
      fromFile = ApiKeys.NONE;
    } else {
      try {
        fileContent = Buffer.buffer(Files.readAllBytes(Path.of(settings.keysFile())));
      } catch (IOException e) {
        throw new IllegalArgumentException("--api-keys " + settings.keysFile()
            + ": cannot read it (" + e + ")", e);
      }
      fromFile = ApiKeys.parse(fileContent.toString());
    }
    if (settings.required() && fromFile.isEmpty() && environment.isEmpty()) {
      throw new IllegalArgumentException("--api-keys / LLUMNIX_API_KEYS name no key: every "
          + "request would be refused");
    }
  }

  /** Starts following the keys file; says in the log whether keys are required. */
  public void start(Vertx vertx, ComponentMetrics metrics, String where) {
    if (!settings.required()) {
      logger.log(System.Logger.Level.WARNING, "API keys: off — anyone who reaches " + where
          + " may use it (--api-keys FILE or LLUMNIX_API_KEYS to require one)");
      return;
    }
    if (!settings.keysFile().isBlank()) {
      file = new WatchedFile<>(vertx, Path.of(settings.keysFile()), "API keys",
          content -> ApiKeys.parse(content.toString()), fromFile, fileContent, null,
          ApiKeys::toString).start(settings.checkMillis());
    }
    if (settings.metricsPerKey()) {
      byKey = metrics.counter(LlumnixMetrics.GATEWAY_REQUESTS_BY_KEY_TOTAL);
    }
    logger.log(System.Logger.Level.INFO, "API keys: on, " + keys() + (settings.keysFile()
        .isBlank() ? "" : " (" + settings.keysFile() + " and LLUMNIX_API_KEYS)"));
  }

  /** Whether requests must carry a key. */
  public boolean required() {
    return settings.required();
  }

  private ApiKeys keys() {
    WatchedFile<ApiKeys> watched = file;
    return (watched == null ? fromFile : watched.current()).and(environment);
  }

  /** The route handler: on to the next one with a known key, else 401. */
  public void handle(RoutingContext ctx) {
    String name = keys().nameOf(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (name == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      OpenAiError.of(401, ctx.request().getHeader(HttpHeaders.AUTHORIZATION) == null
          ? "Missing API key: send Authorization: Bearer <key>" : "Invalid API key")
          .send(ctx.response());
      return;
    }
    LabeledMetric<CounterDataPoint> counter = byKey;
    if (counter != null) {
      ctx.addEndHandler(ended -> counter.labels(name, ended.succeeded()
          ? Integer.toString(ctx.response().getStatusCode()) : "499").inc());
    }
    ctx.next();
  }

  public void close() {
    if (file != null) {
      file.close();
    }
  }
}
