package io.llumnix.scheduler;

import io.llumnix.scheduler.api.Outcome;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.cms.CmsReader;
import io.llumnix.scheduler.dispatch.Dispatcher;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
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

  private SchedulingService(Dispatcher<?> dispatcher, @Nullable LiteTracking lite,
      @Nullable CmsReader reader) {
    this.dispatcher = dispatcher;
    this.lite = lite;
    this.reader = reader;
  }

  /** Lite mode: the dispatcher counts into the LRS, which reports and releases keep current. */
  public static SchedulingService lite(Dispatcher<?> dispatcher, LocalRealtimeState lrs) {
    return new SchedulingService(dispatcher, new LrsTracking(lrs), null);
  }

  /**
   * Full mode: the dispatcher reads the CMS view that {@code reader} refreshes; while the CMS
   * cannot be read, {@code /schedule} answers 400 {@code cms not available}.
   */
  public static SchedulingService full(Dispatcher<?> dispatcher, CmsReader reader) {
    return new SchedulingService(dispatcher, null, reader);
  }

  /** Chooses instances for {@code request}. */
  public Outcome schedule(SchedulingRequest request) {
    return dispatcher.schedule(request);
  }

  /** {@code request} ended on the instance its result names. */
  public Outcome release(SchedulingRequest request) {
    return dispatcher.release(request);
  }

  /** Counts a {@code /schedule} that could not even be parsed. */
  public void invalidRequest() {
    dispatcher.invalidRequest();
  }

  /** Starts background work (full mode's CMS loops). */
  public void start() {
    if (reader != null) {
      reader.start();
    }
  }

  /** Stops background work. */
  public void stop() {
    if (reader != null) {
      reader.stop();
    }
  }

  /** Lite mode's reports, gateways and instances; null in full mode, which needs none. */
  public @Nullable LiteTracking lite() {
    return lite;
  }
}
