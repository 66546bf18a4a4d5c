package io.llumnix.enginesim;

import io.llumnix.core.metrics.VllmMetrics;
import io.llumnix.enginesim.core.EngineStats;
import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.metrics.ComponentMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.EnumMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * vLLM's engine metrics for one engine, updated as vLLM's {@code PrometheusStatLogger} does:
 * gauges per step, token counters per step, latency and length histograms per request. Every
 * series is bound at construction, so all exist with 0 from startup and recording allocates
 * nothing.
 */
final class EngineMetrics implements EngineStats {

  private final boolean countAborted;
  private final io.llumnix.metrics.LabeledMetric<?> successMetric;
  private final String model;
  private final String engine;
  private final GaugeDataPoint running;
  private final GaugeDataPoint waiting;
  private final GaugeDataPoint kvCacheUsage;
  private final @Nullable GaugeDataPoint gpuCacheUsage;
  private final CounterDataPoint prefixQueries;
  private final CounterDataPoint prefixHits;
  private final CounterDataPoint preemptions;
  private final CounterDataPoint promptTokens;
  private final CounterDataPoint generationTokens;
  private final EnumMap<FinishReason, CounterDataPoint> success = new EnumMap<>(FinishReason.class);
  private final DistributionDataPoint requestPromptTokens;
  private final DistributionDataPoint requestGenerationTokens;
  private final DistributionDataPoint paramsMaxTokens;
  private final DistributionDataPoint maxNumGenerationTokens;
  private final DistributionDataPoint paramsN;
  private final DistributionDataPoint iterationTokens;
  private final DistributionDataPoint ttft;
  private final DistributionDataPoint itl;
  private final @Nullable DistributionDataPoint timePerOutputToken;
  private final DistributionDataPoint e2e;
  private final DistributionDataPoint queueTime;
  private final DistributionDataPoint inferenceTime;
  private final DistributionDataPoint prefillTime;
  private final DistributionDataPoint decodeTime;

  EngineMetrics(ComponentMetrics metrics, EngineSettings settings, String engine) {
    VllmMetrics.Compatibility compatibility = VllmMetrics.Compatibility.of(
        settings.vllmVersion(), settings.showHiddenMetricsForVersion());
    List<io.llumnix.core.metrics.MetricSpec> specs =
        VllmMetrics.specs(settings.maxModelLen(), compatibility);
    metrics.registerAll(specs);
    this.countAborted = settings.countAbortedRequests();
    String model = settings.modelName();
    running = gauge(metrics, VllmMetrics.NUM_REQUESTS_RUNNING, model, engine);
    waiting = gauge(metrics, VllmMetrics.NUM_REQUESTS_WAITING, model, engine);
    kvCacheUsage = gauge(metrics, VllmMetrics.KV_CACHE_USAGE_PERC, model, engine);
    gpuCacheUsage = compatibility.gpuCacheUsage()
        ? gauge(metrics, VllmMetrics.GPU_CACHE_USAGE_PERC, model, engine) : null;
    prefixQueries = counter(metrics, VllmMetrics.PREFIX_CACHE_QUERIES, model, engine);
    prefixHits = counter(metrics, VllmMetrics.PREFIX_CACHE_HITS, model, engine);
    preemptions = counter(metrics, VllmMetrics.NUM_PREEMPTIONS, model, engine);
    promptTokens = counter(metrics, VllmMetrics.PROMPT_TOKENS, model, engine);
    generationTokens = counter(metrics, VllmMetrics.GENERATION_TOKENS, model, engine);
    // vLLM 0.11 pre-binds stop, length and abort; "error" appears once one happens.
    for (FinishReason reason : FinishReason.values()) {
      if (reason != FinishReason.ERROR) {
        success.put(reason,
            counter(metrics, VllmMetrics.REQUEST_SUCCESS, model, engine, reason.label()));
      }
    }
    this.successMetric = metrics.get(VllmMetrics.REQUEST_SUCCESS);
    this.model = model;
    this.engine = engine;
    requestPromptTokens = histogram(metrics, VllmMetrics.REQUEST_PROMPT_TOKENS, model, engine);
    requestGenerationTokens =
        histogram(metrics, VllmMetrics.REQUEST_GENERATION_TOKENS, model, engine);
    paramsMaxTokens = histogram(metrics, VllmMetrics.REQUEST_PARAMS_MAX_TOKENS, model, engine);
    maxNumGenerationTokens =
        histogram(metrics, VllmMetrics.REQUEST_MAX_NUM_GENERATION_TOKENS, model, engine);
    paramsN = histogram(metrics, VllmMetrics.REQUEST_PARAMS_N, model, engine);
    iterationTokens = histogram(metrics, VllmMetrics.ITERATION_TOKENS, model, engine);
    ttft = histogram(metrics, VllmMetrics.TIME_TO_FIRST_TOKEN, model, engine);
    itl = histogram(metrics, VllmMetrics.INTER_TOKEN_LATENCY, model, engine);
    timePerOutputToken = compatibility.timePerOutputToken()
        ? histogram(metrics, VllmMetrics.TIME_PER_OUTPUT_TOKEN, model, engine) : null;
    e2e = histogram(metrics, VllmMetrics.E2E_REQUEST_LATENCY, model, engine);
    queueTime = histogram(metrics, VllmMetrics.REQUEST_QUEUE_TIME, model, engine);
    inferenceTime = histogram(metrics, VllmMetrics.REQUEST_INFERENCE_TIME, model, engine);
    prefillTime = histogram(metrics, VllmMetrics.REQUEST_PREFILL_TIME, model, engine);
    decodeTime = histogram(metrics, VllmMetrics.REQUEST_DECODE_TIME, model, engine);

    var core = settings.core();
    ((GaugeDataPoint) metrics.get(VllmMetrics.CACHE_CONFIG_INFO).labels(
        String.valueOf(core.blockSize()), "auto", String.valueOf(core.enablePrefixCaching()),
        "0.9", "0", String.valueOf(core.numGpuBlocks()), "None", "sha256_cbor", "4", engine))
        .set(1);
  }

  @Override
  public void onStep(int numRunning, int numWaiting, double usage, int tokens) {
    running.set(numRunning);
    waiting.set(numWaiting);
    kvCacheUsage.set(usage);
    if (gpuCacheUsage != null) {
      gpuCacheUsage.set(usage);
    }
    if (tokens > 0) {
      iterationTokens.observe(tokens);
    }
  }

  /** Queue sizes changed outside a step (arrival, abort). */
  void onQueues(int numRunning, int numWaiting, double usage) {
    running.set(numRunning);
    waiting.set(numWaiting);
    kvCacheUsage.set(usage);
    if (gpuCacheUsage != null) {
      gpuCacheUsage.set(usage);
    }
  }

  @Override
  public void onPrefixCacheLookup(int queriedTokens, int hitTokens) {
    prefixQueries.inc(queriedTokens);
    prefixHits.inc(hitTokens);
  }

  @Override
  public void onPreemption() {
    preemptions.inc();
  }

  @Override
  public void onFirstToken(double ttftSeconds, int prompt) {
    ttft.observe(ttftSeconds);
    promptTokens.inc(prompt);
    generationTokens.inc();
  }

  @Override
  public void onDecodeToken(double itlSeconds) {
    itl.observe(itlSeconds);
    if (timePerOutputToken != null) {
      timePerOutputToken.observe(itlSeconds);
    }
    generationTokens.inc();
  }

  @Override
  public void onFinish(SimRequest request, FinishReason reason, double nowSeconds) {
    if (reason == FinishReason.ABORT && !countAborted) {
      return;
    }
    success.computeIfAbsent(reason,
        r -> (CounterDataPoint) successMetric.labels(model, engine, r.label())).inc();
    e2e.observe(nowSeconds - request.arrivalNanos() / 1e9);
    requestPromptTokens.observe(request.numPromptTokens());
    requestGenerationTokens.observe(request.numOutputTokens());
    paramsN.observe(1);
    maxNumGenerationTokens.observe(request.maxTokens());
    if (request.maxTokensSet()) {
      paramsMaxTokens.observe(request.maxTokens());
    }
    if (request.scheduledNanos() >= 0) {
      double scheduled = request.scheduledNanos() / 1e9;
      queueTime.observe(scheduled - request.arrivalNanos() / 1e9);
      if (request.firstTokenNanos() >= 0) {
        double first = request.firstTokenNanos() / 1e9;
        double last = request.lastTokenNanos() / 1e9;
        prefillTime.observe(first - scheduled);
        decodeTime.observe(last - first);
        inferenceTime.observe(last - scheduled);
      }
    }
  }

  private static GaugeDataPoint gauge(ComponentMetrics m, String name, String... labels) {
    return (GaugeDataPoint) m.get(name).labels(labels);
  }

  private static CounterDataPoint counter(ComponentMetrics m, String name, String... labels) {
    return (CounterDataPoint) m.get(name).labels(labels);
  }

  private static DistributionDataPoint histogram(ComponentMetrics m, String name,
      String... labels) {
    return (DistributionDataPoint) m.get(name).labels(labels);
  }
}
