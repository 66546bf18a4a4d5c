package io.llumnix.scheduler;

import io.llumnix.cms.CmsStore;
import io.llumnix.core.instance.Cooldown;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.cache.CacheAwareLookup;
import io.llumnix.scheduler.cache.PrefixIndex;
import io.llumnix.scheduler.cms.CmsInstance;
import io.llumnix.scheduler.cms.CmsReader;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.dispatch.Dispatcher;
import io.llumnix.scheduler.dispatch.Mode;
import io.llumnix.scheduler.dispatch.PolicyRegistry;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import io.llumnix.scheduler.lrs.LrsInstance;
import io.llumnix.scheduler.policy.DispatchPolicy;
import io.llumnix.scheduler.rescheduling.LlumletClient;
import io.llumnix.scheduler.rescheduling.Rescheduler;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What the scheduler's HTTP API drives: the dispatcher over the mode's view, the view's
 * background work, and, in lite mode only, the {@link LiteTracking} calls. Runs on the
 * scheduler's event loop.
 */
public final class SchedulingService {

  private final Dispatcher<?> dispatcher;
  private final @Nullable LiteTracking lite;
  private final @Nullable CmsReader reader;
  private final @Nullable CacheAwareLookup cacheAware;
  private final @Nullable Rescheduler rescheduler;

  private SchedulingService(Dispatcher<?> dispatcher, @Nullable LiteTracking lite,
      @Nullable CmsReader reader, @Nullable CacheAwareLookup cacheAware,
      @Nullable Rescheduler rescheduler) {
    this.dispatcher = dispatcher;
    this.lite = lite;
    this.reader = reader;
    this.cacheAware = cacheAware;
    this.rescheduler = rescheduler;
  }

  /** The scheduling service {@code config} describes, without a prefix index. */
  public static SchedulingService create(SchedulerConfig config, ComponentMetrics metrics,
      Clock clock, @Nullable CmsStore cmsStore) {
    return create(config, metrics, clock, cmsStore, null);
  }

  /**
   * The scheduling service {@code config} describes, on {@code clock}: lite mode over a new
   * LRS, or full mode over a CMS view that {@code cmsStore} (required in full mode) refreshes,
   * cache-aware when the config enables it (then {@code prefixIndex} is required), with the
   * rescheduler over that view under {@code --colocated-rescheduling-mode}. The one way to
   * build a scheduler: the server and the simulator both call it.
   */
  public static SchedulingService create(SchedulerConfig config, ComponentMetrics metrics,
      Clock clock, @Nullable CmsStore cmsStore, @Nullable PrefixIndex prefixIndex) {
    return create(config, metrics, clock, cmsStore, prefixIndex, null);
  }

  /**
   * As {@link #create(SchedulerConfig, ComponentMetrics, Clock, CmsStore, PrefixIndex)}, the
   * rescheduler reaching llumlets through {@code llumlets} (null: over gRPC) — a simulation's
   * engines, say.
   */
  public static SchedulingService create(SchedulerConfig config, ComponentMetrics metrics,
      Clock clock, @Nullable CmsStore cmsStore, @Nullable PrefixIndex prefixIndex,
      @Nullable LlumletClient llumlets) {
    if (!config.fullMode()) {
      LocalRealtimeState lrs = new LocalRealtimeState(metrics);
      DispatchPolicy<LrsInstance> policy = PolicyRegistry.builtins().create(Mode.LITE,
          config.policy(), config.policyConfig(), clock);
      return lite(new Dispatcher<>(policy, lrs, metrics, clock, cooldown(config, clock)), lrs);
    }
    if (cmsStore == null) {
      throw new IllegalArgumentException("full mode needs a CMS store");
    }
    boolean cacheAware = config.cacheAware().enabled();
    if (cacheAware && prefixIndex == null) {
      throw new IllegalArgumentException("cache-aware scheduling needs a prefix index");
    }
    CmsView view = new CmsView(metrics, config.localAccount(), config.accountStalenessSeconds(),
        cacheAware, clock);
    DispatchPolicy<CmsInstance> policy = PolicyRegistry.builtins().create(Mode.FULL,
        config.policy(), config.policyConfig(), clock);
    CmsReader reader = new CmsReader(view, cmsStore, config.cmsIntervals(), clock, metrics);
    CacheAwareLookup lookup = null;
    if (cacheAware) {
      lookup = new CacheAwareLookup(config.cacheAware(), prefixIndex, clock, metrics);
      view.onMetadata(prefixIndex::instancesChanged);
    }
    // Colocated: the rescheduler shares the view, so it sees the local account's dispatches.
    Rescheduler rescheduler = null;
    if (config.rescheduling().mode() == ReschedulingConfig.Mode.COLOCATED) {
      rescheduler = llumlets == null
          ? new Rescheduler(view, config.rescheduling(), config.policyConfig(), clock, metrics)
          : new Rescheduler(view, config.rescheduling(), config.policyConfig(), clock, metrics,
              llumlets);
    }
    return new SchedulingService(new Dispatcher<>(policy, view, metrics, clock,
        cooldown(config, clock)), null, reader, lookup, rescheduler);
  }

  private static Cooldown cooldown(SchedulerConfig config, Clock clock) {
    return new Cooldown(config.failureCooldownMillis(), clock::nanoTime);
  }

  /** Lite mode: the dispatcher counts into the LRS, which reports and releases keep current. */
  public static SchedulingService lite(Dispatcher<?> dispatcher, LocalRealtimeState lrs) {
    return new SchedulingService(dispatcher, new LrsTracking(lrs), null, null, null);
  }

  /**
   * Full mode: the dispatcher reads the CMS view that {@code reader} refreshes; while the CMS
   * cannot be read, {@code /schedule} answers 400 {@code cms not available}.
   */
  public static SchedulingService full(Dispatcher<?> dispatcher, CmsReader reader) {
    return new SchedulingService(dispatcher, null, reader, null, null);
  }

  /**
   * Chooses instances for {@code request}: at once, or after the prefix lookup when
   * cache-aware scheduling looks the request up. Never a failed future.
   */
  public Future<Outcome> schedule(SchedulingRequest request) {
    return schedule(request, () -> false);
  }

  /**
   * {@link #schedule(SchedulingRequest)}, unless {@code abandoned} says, once the prefix lookup
   * is done, that the caller stopped waiting: then nothing is dispatched (an instance chosen
   * for nobody would count a request in its account until that went stale).
   */
  public Future<Outcome> schedule(SchedulingRequest request, BooleanSupplier abandoned) {
    if (cacheAware == null) {
      return Future.succeededFuture(dispatcher.schedule(request));
    }
    return cacheAware.lookup(request).map(hits -> abandoned.getAsBoolean()
        ? new Outcome.Failed(499, "abandoned") : dispatcher.schedule(request, hits));
  }

  /** {@code request} ended on the instance its result names. */
  public Outcome release(SchedulingRequest request) {
    return dispatcher.release(request);
  }

  /** A gateway saw {@code instanceId} fail a request at the transport level. */
  public void failed(String instanceId) {
    dispatcher.failed(instanceId);
  }

  /** Counts a {@code /schedule} that could not even be parsed. */
  public void invalidRequest() {
    dispatcher.invalidRequest();
  }

  /** Starts background work (full mode's CMS loops, the colocated rescheduler). */
  public void start() {
    if (reader != null) {
      reader.start();
    }
    if (rescheduler != null) {
      rescheduler.start();
    }
  }

  /** Stops background work. */
  public void stop() {
    if (rescheduler != null) {
      rescheduler.stop();
    }
    if (reader != null) {
      reader.stop();
    }
    if (cacheAware != null) {
      cacheAware.close();
    }
  }

  /** Lite mode's reports, gateways and instances; null in full mode, which needs none. */
  public @Nullable LiteTracking lite() {
    return lite;
  }
}
