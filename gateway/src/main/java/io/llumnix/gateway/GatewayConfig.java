package io.llumnix.gateway;

import io.llumnix.gateway.auth.AuthSettings;
import io.llumnix.gateway.forward.Forwarders;
import io.llumnix.gateway.forward.NeutralForwarder;
import io.llumnix.gateway.health.EngineHealthSettings;
import io.llumnix.gateway.mirror.MirrorSettings;
import io.llumnix.gateway.route.RouteSettings;
import io.llumnix.openai.http.HttpLimits;

/**
 * The gateway's own settings (the balancer and discovery are passed in built). Built with
 * {@link #builder()}; the defaults are the reference's.
 *
 * @param maxModelLen the context length for validation and chat's default {@code max_tokens};
 *     0 leaves both to the engine
 * @param maxQueueSize {@code --max-queue-size}: requests waiting for an instance at once before
 *     new ones wait for room, then get 429
 * @param queueWorkers {@code --wait-queue-threads}: requests scheduled at once
 * @param queueFullWaitMillis {@code --wait-queue-interval}: how long a request waits for room in
 *     a full queue before 429
 * @param retryMaxCount {@code --retry-max-count}: retries on another instance of a request that
 *     failed before its first byte went to the client
 * @param http what the HTTP server accepts: request line, headers, body size and time, idle
 *     connections (each refusal in OpenAI's error JSON)
 * @param admissionThreads threads that parse, validate and tokenize requests (admission), so
 *     that the event loop only moves bytes and a scheduling answer never waits behind a
 *     tokenizer
 * @param forwarder how requests reach engines, a name of
 *     {@link io.llumnix.gateway.forward.Forwarders}: {@code neutral}, or a prefill/decode
 *     protocol ({@code --pd-disagg-protocol})
 * @param separatePdScheduling {@code --separate-pd-scheduling}: a prefill/decode request's
 *     decode instance is scheduled after its prefill (pd_staged), not with it (pd_batch)
 * @param mirror where the mirror config is, and how much mirroring may cost
 * @param engineHealth how a dead or frozen engine is found (idle timeout, health probe of a
 *     silent engine) and passed over afterwards: such an engine neither answers nor closes, and
 *     must not hold requests for minutes
 * @param auth which API keys clients must carry, if any
 * @param routes how requests are split between the local cluster and external servers, and
 *     where they fall back
 */
public record GatewayConfig(String host, int port, int maxModelLen, int maxQueueSize,
    int queueWorkers, long queueFullWaitMillis, int retryMaxCount, HttpLimits http,
    int admissionThreads, String forwarder, boolean separatePdScheduling,
    MirrorSettings mirror, EngineHealthSettings engineHealth, AuthSettings auth,
    RouteSettings routes) {

  /** {@value} */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** {@value}: the port the deployments use. */
  public static final int DEFAULT_PORT = 8089;
  /** {@value} */
  public static final int DEFAULT_MAX_QUEUE_SIZE = 512;
  /** {@value} */
  public static final int DEFAULT_QUEUE_WORKERS = 5;
  /** {@value} */
  public static final long DEFAULT_QUEUE_FULL_WAIT_MILLIS = 1000;
  /** 64 MiB. */
  public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = HttpLimits.DEFAULT.maxBodyBytes();
  /**
   * Half the cores, at least one: rendering and tokenizing a burst on every core would leave
   * none for the event loops that schedule and relay.
   */
  public static final int DEFAULT_ADMISSION_THREADS =
      Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  public GatewayConfig {
    if (maxQueueSize < 1) {
      throw new IllegalArgumentException("--max-queue-size: " + maxQueueSize + " (expected: >= 1)");
    }
    if (queueWorkers < 1) {
      throw new IllegalArgumentException(
          "--wait-queue-threads: " + queueWorkers + " (expected: >= 1)");
    }
    if (retryMaxCount < 0) {
      throw new IllegalArgumentException(
          "--retry-max-count: " + retryMaxCount + " (expected: >= 0)");
    }
    if (admissionThreads < 1) {
      throw new IllegalArgumentException(
          "admission threads: " + admissionThreads + " (expected: >= 1)");
    }
    if (!Forwarders.builtins().names().contains(forwarder)) {
      throw new IllegalArgumentException("--pd-disagg-protocol: " + forwarder
          + " (expected one of: [vllm-kvt, vllm-mooncake], or empty for none)");
    }
    if (maxModelLen < 0) {
      throw new IllegalArgumentException("--max-model-len: " + maxModelLen + " (expected: >= 0)");
    }
  }

  /** {@code --engine-idle-timeout} in seconds. */
  public int engineIdleSeconds() {
    return engineHealth.idleSeconds();
  }

  /** Whether requests go to a prefill and a decode instance rather than a neutral one. */
  public boolean disaggregated() {
    return !forwarder.equals(NeutralForwarder.NAME);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link GatewayConfig}; unset values are the defaults. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private int maxModelLen;
    private int maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
    private int queueWorkers = DEFAULT_QUEUE_WORKERS;
    private long queueFullWaitMillis = DEFAULT_QUEUE_FULL_WAIT_MILLIS;
    private int retryMaxCount;
    private HttpLimits http = HttpLimits.DEFAULT;
    private int admissionThreads = DEFAULT_ADMISSION_THREADS;
    private String forwarder = NeutralForwarder.NAME;
    private boolean separatePdScheduling;
    private MirrorSettings mirror = MirrorSettings.DEFAULT;
    private RouteSettings routes = RouteSettings.LOCAL_ONLY;
    private AuthSettings auth = AuthSettings.OPEN;
    private EngineHealthSettings engineHealth = EngineHealthSettings.DEFAULT;

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder maxModelLen(int tokens) {
      this.maxModelLen = tokens;
      return this;
    }

    public Builder maxQueueSize(int requests) {
      this.maxQueueSize = requests;
      return this;
    }

    public Builder queueWorkers(int workers) {
      this.queueWorkers = workers;
      return this;
    }

    public Builder queueFullWaitMillis(long millis) {
      this.queueFullWaitMillis = millis;
      return this;
    }

    public Builder retryMaxCount(int retries) {
      this.retryMaxCount = retries;
      return this;
    }

    public Builder maxRequestBodyBytes(long bytes) {
      this.http = http.withMaxBodyBytes(bytes);
      return this;
    }

    public Builder http(HttpLimits limits) {
      this.http = limits;
      return this;
    }

    public Builder admissionThreads(int threads) {
      this.admissionThreads = threads;
      return this;
    }

    /** A name of {@link Forwarders}; empty means {@value NeutralForwarder#NAME}. */
    public Builder forwarder(String name) {
      this.forwarder = name.isEmpty() ? NeutralForwarder.NAME : name;
      return this;
    }

    public Builder separatePdScheduling(boolean separate) {
      this.separatePdScheduling = separate;
      return this;
    }

    public Builder mirror(MirrorSettings settings) {
      this.mirror = settings;
      return this;
    }

    public Builder engineIdleSeconds(int seconds) {
      this.engineHealth = engineHealth.withIdleSeconds(seconds);
      return this;
    }

    public Builder engineHealth(EngineHealthSettings settings) {
      this.engineHealth = settings;
      return this;
    }

    public Builder auth(AuthSettings settings) {
      this.auth = settings;
      return this;
    }

    public Builder routes(RouteSettings settings) {
      this.routes = settings;
      return this;
    }

    public GatewayConfig build() {
      return new GatewayConfig(host, port, maxModelLen, maxQueueSize, queueWorkers,
          queueFullWaitMillis, retryMaxCount, http, admissionThreads,
          forwarder, separatePdScheduling, mirror, engineHealth, auth, routes);
    }
  }
}
