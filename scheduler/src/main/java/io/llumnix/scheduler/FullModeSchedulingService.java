package io.llumnix.scheduler;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.SchedulingService.ErrorType;
import io.llumnix.scheduler.SchedulingService.Outcome;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.cms.CmsInstance;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.policy.PolicyProfile;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Full-mode scheduling (llumnix.md §2.1, §4, §5): instances and their load come from the CMS,
 * which llumlets write; dispatches the status does not show yet are kept in a local account, so
 * a burst is spread instead of herded onto the instance that looked idle. Two loops read the CMS
 * (metadata every {@code --cms-pull-metadata-interval-ms}, status every
 * {@code --cms-pull-status-interval-ms}); while the CMS cannot be read, {@code /schedule}
 * answers 400 {@code cms not available} (a gateway then falls back to round-robin) and the loops
 * keep trying, so scheduling resumes by itself. Runs on the scheduler's event loop.
 */
public final class FullModeSchedulingService implements Scheduling {

  private static final System.Logger logger =
      System.getLogger(FullModeSchedulingService.class.getName());

  /**
   * The CMS reader's intervals.
   *
   * @param statusIntervalMillis {@code --cms-pull-status-interval-ms}
   * @param metadataIntervalMillis {@code --cms-pull-metadata-interval-ms}
   */
  public record Intervals(long statusIntervalMillis, long metadataIntervalMillis) {}

  private final DispatchPolicy policy;
  private final CmsView view;
  private final CmsStore store;
  private final Intervals intervals;
  private final SchedulingCounters counters;
  private final DistributionDataPoint scheduleDuration;
  private final DistributionDataPoint metadataDuration;
  private final DistributionDataPoint statusDuration;
  private final Map<InferType, Selected> selected = new EnumMap<>(InferType.class);
  private @Nullable Vertx vertx;
  private long metadataTimer = -1;
  private long statusTimer = -1;
  private boolean readingMetadata;
  private boolean readingStatus;
  private boolean metadataLoaded;
  private boolean everRead;

  /** The {@code selected_instance_*} histograms of one infer type. */
  private record Selected(DistributionDataPoint kvUsage, DistributionDataPoint batchSize,
      DistributionDataPoint prefillTokens, DistributionDataPoint decodeTokens) {}

  public FullModeSchedulingService(DispatchPolicy policy, CmsView view, CmsStore store,
      Intervals intervals, ComponentMetrics metrics) {
    this.policy = policy;
    this.view = view;
    this.store = store;
    this.intervals = intervals;
    this.counters = new SchedulingCounters(metrics);
    this.scheduleDuration = metrics.histogram(
        LlumnixMetrics.REQUEST_FULL_MODE_SCHEDULE_DURATION_MILLISECONDS).labels();
    this.metadataDuration = metrics.histogram(
        LlumnixMetrics.SCHEDULER_CMS_REFRESH_METADATA_DURATION_MILLISECONDS).labels();
    this.statusDuration = metrics.histogram(
        LlumnixMetrics.SCHEDULER_CMS_REFRESH_STATUS_DURATION_MILLISECONDS).labels();
    for (InferType type : InferType.values()) {
      String label = type.label();
      selected.put(type, new Selected(
          metrics.histogram(LlumnixMetrics.SELECTED_INSTANCE_KV_CACHE_USAGE_RATIO_PROJECTED)
              .labels(label),
          metrics.histogram(LlumnixMetrics.SELECTED_INSTANCE_DECODE_BATCH_SIZE).labels(label),
          metrics.histogram(LlumnixMetrics.SELECTED_INSTANCE_ALL_PREFILLS_TOKENS_NUM)
              .labels(label),
          metrics.histogram(LlumnixMetrics.SELECTED_INSTANCE_ALL_DECODES_TOKENS_NUM)
              .labels(label)));
    }
  }

  public CmsView view() {
    return view;
  }

  // ---- the CMS reader

  @Override
  public void start(Vertx vertx) {
    this.vertx = vertx;
    refreshMetadata();
    metadataTimer = vertx.setPeriodic(Math.max(1, intervals.metadataIntervalMillis()),
        id -> refreshMetadata());
    statusTimer = vertx.setPeriodic(Math.max(1, intervals.statusIntervalMillis()),
        id -> refreshStatus());
  }

  @Override
  public void stop() {
    if (vertx != null) {
      vertx.cancelTimer(metadataTimer);
      vertx.cancelTimer(statusTimer);
    }
    store.close();
  }

  private void refreshMetadata() {
    if (readingMetadata) {
      return;
    }
    readingMetadata = true;
    long start = System.nanoTime();
    store.allMetadata().onComplete(ar -> {
      readingMetadata = false;
      metadataDuration.observe((System.nanoTime() - start) / 1e6);
      if (ar.failed()) {
        cmsFailed(ar.cause());
        return;
      }
      view.applyMetadata(ar.result());
      if (!metadataLoaded) {
        metadataLoaded = true;
        refreshStatus(); // new instances get their status now, not one interval later
      }
    });
  }

  private void refreshStatus() {
    if (readingStatus || !metadataLoaded) {
      return;
    }
    readingStatus = true;
    List<String> ids = view.ids();
    long start = System.nanoTime();
    store.statuses(ids).onComplete(ar -> {
      readingStatus = false;
      statusDuration.observe((System.nanoTime() - start) / 1e6);
      if (ar.failed()) {
        cmsFailed(ar.cause());
        return;
      }
      if (!view.alive() && everRead) {
        logger.log(System.Logger.Level.INFO, "cms: readable again; scheduling resumes ("
            + ids.size() + " instances)");
      }
      everRead = true;
      view.alive(true);
      List<@Nullable InstanceStatus> statuses = ar.result();
      for (int i = 0; i < ids.size(); i++) {
        InstanceStatus status = statuses.get(i);
        if (status == null) {
          view.remove(ids.get(i)); // expired or deleted: the instance has left
        } else {
          view.acceptStatus(status);
        }
      }
    });
  }

  private void cmsFailed(Throwable cause) {
    if (view.alive()) {
      logger.log(System.Logger.Level.WARNING, "cms: cannot read (" + cause.getMessage()
          + "); /schedule answers 'cms not available' until it can");
    }
    view.alive(false);
  }

  // ---- the API

  @Override
  public Outcome schedule(SchedulingRequest request) {
    if (!view.alive()) {
      return fail(ErrorType.CMS_NOT_AVAILABLE, 400, "cms not available");
    }
    long start = System.nanoTime();
    try {
      return dispatch(request);
    } finally {
      scheduleDuration.observe((System.nanoTime() - start) / 1e6);
    }
  }

  private Outcome dispatch(SchedulingRequest request) {
    int tokens = request.promptNumTokens();
    List<LlmInstance> result = new ArrayList<>(2);
    switch (request.schedulingMode()) {
      case SchedulingRequest.NEUTRAL -> {
        CmsInstance neutral = pick(InferType.NEUTRAL);
        if (neutral != null) {
          view.add(neutral, request.id(), InferType.NEUTRAL, tokens, tokens);
          observe(InferType.NEUTRAL, neutral);
          result.add(neutral.instance());
        }
      }
      case SchedulingRequest.PD_BATCH, SchedulingRequest.PD_STAGED -> {
        if (view.instances(InferType.PREFILL).isEmpty()
            || view.instances(InferType.DECODE).isEmpty()) {
          return fail(ErrorType.NO_MATCH_INFER_TYPE, 429, "no available endpoint");
        }
        boolean batch = request.schedulingMode().equals(SchedulingRequest.PD_BATCH);
        boolean decodeStage = request.schedulingStage().equals("decode");
        CmsInstance prefill = null;
        if (batch || !decodeStage) {
          prefill = pick(InferType.PREFILL);
          if (prefill != null) {
            view.add(prefill, request.id(), InferType.PREFILL, tokens, tokens);
            observe(InferType.PREFILL, prefill);
            result.add(prefill.instance());
          }
        }
        if (batch || decodeStage) {
          CmsInstance decode = pick(InferType.DECODE);
          if (decode != null) {
            view.add(decode, request.id(), InferType.DECODE, tokens, tokens);
            observe(InferType.DECODE, decode);
            result.add(decode.instance());
          } else if (batch && prefill != null) {
            view.revertPrefill(prefill, request.id()); // no decode side: take the prefill back
          }
        }
      }
      default -> {
        return fail(ErrorType.UNKNOWN, 400, "invalid scheduling req");
      }
    }
    if (result.isEmpty()) {
      return fail(ErrorType.NO_AVAILABLE_ENDPOINT, 429, "no available endpoint");
    }
    counters.scheduled();
    return new Outcome.Scheduled(request.withResult(result));
  }

  private @Nullable CmsInstance pick(InferType type) {
    PolicyProfile profile = policy.profile(type);
    List<CmsInstance> candidates = view.instances(type);
    if (profile == null || candidates.isEmpty()) {
      return null;
    }
    for (CmsInstance candidate : candidates) {
      candidate.needsFailover(false);
    }
    int index = profile.select(candidates);
    return index < 0 ? null : candidates.get(index);
  }

  /** A neutral pick is observed once, under {@code neutral} (not under prefill and decode). */
  private void observe(InferType type, CmsInstance instance) {
    Selected histograms = selected.get(type);
    histograms.kvUsage().observe(instance.kvCacheUsageRatioProjected());
    histograms.batchSize().observe(instance.decodeBatchSize());
    histograms.prefillTokens().observe(instance.allPrefillsTokensNum());
    histograms.decodeTokens().observe(instance.allDecodesTokensNum());
  }

  /** Full mode: the request leaves the local account of every instance. */
  @Override
  public Outcome release(SchedulingRequest request) {
    if (request.schedulingResult().isEmpty()) {
      return new Outcome.Failed(400, "ignore, release 0 request.");
    }
    view.release(request.id());
    return new Outcome.Scheduled(request);
  }

  /** Full mode takes no reports: the engines' statuses carry the load. */
  @Override
  public int report(JsonArray items) {
    return 0;
  }

  @Override
  public void invalidRequest() {
    counters.invalid();
  }

  /** Full mode finds instances in the CMS; discovery's view is not used for scheduling. */
  @Override
  public void up(LlmInstance instance) {}

  @Override
  public void down(String instanceId) {}

  @Override
  public void registerGateway(String gatewayId) {}

  @Override
  public int gatewayGone(String gatewayId) {
    return 0;
  }

  private Outcome fail(ErrorType type, int status, String message) {
    return counters.fail(type, status, message);
  }
}
