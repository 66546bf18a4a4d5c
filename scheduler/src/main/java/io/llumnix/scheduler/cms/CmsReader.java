package io.llumnix.scheduler.cms;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.core.time.Clock;
import io.llumnix.metrics.ComponentMetrics;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a {@link CmsView} in step with the CMS: the metadata every
 * {@code --cms-pull-metadata-interval-ms} (which instances exist), the statuses of those every
 * {@code --cms-pull-status-interval-ms}. A failed read marks the view unavailable
 * ({@code /schedule} answers {@code cms not available}, and gateways fall back to round-robin);
 * the loops keep trying, so scheduling resumes by itself. One read of each kind at a time.
 * Runs on the scheduler's event loop.
 *
 * <p>Design notes. A CMS that comes back from an outage may come back empty (a Redis restarted
 * without persistence) while its engines are alive and about to write again: llumlets rewrite
 * their status within a heartbeat, and their metadata as soon as a status write finds the CMS
 * emptied. For a grace period after the outage (two metadata intervals) the view keeps the
 * instances it knew when their records are missing, and metadata is read on every status tick,
 * so scheduling goes on from the last known statuses (still subject to the staleness filter)
 * instead of answering "no available endpoint" until the next metadata push; afterwards,
 * missing means gone again.
 */
public final class CmsReader {

  private static final System.Logger logger = System.getLogger(CmsReader.class.getName());

  /**
   * The loops' intervals.
   *
   * @param statusMillis {@code --cms-pull-status-interval-ms}
   * @param metadataMillis {@code --cms-pull-metadata-interval-ms}
   */
  public record Intervals(long statusMillis, long metadataMillis) {
    public Intervals {
      if (statusMillis < 1 || metadataMillis < 1) {
        throw new IllegalArgumentException("--cms-pull-status-interval-ms " + statusMillis
            + " and --cms-pull-metadata-interval-ms " + metadataMillis + " (expected: >= 1)");
      }
    }
  }

  private final CmsView view;
  private final CmsStore store;
  private final Intervals intervals;
  private final Clock clock;
  private final DistributionDataPoint metadataDuration;
  private final DistributionDataPoint statusDuration;
  private long metadataTimer = -1;
  private long statusTimer = -1;
  private boolean readingMetadata;
  private boolean readingStatus;
  private boolean metadataLoaded;
  private boolean everRead;
  private boolean failing;
  /** While {@link Clock#nanoTime()} is before this, missing records do not remove instances. */
  private long graceUntilNanos;

  public CmsReader(CmsView view, CmsStore store, Intervals intervals, Clock clock,
      ComponentMetrics metrics) {
    this.view = view;
    this.store = store;
    this.intervals = intervals;
    this.clock = clock;
    this.metadataDuration = metrics.histogram(
        LlumnixMetrics.SCHEDULER_CMS_REFRESH_METADATA_DURATION_MILLISECONDS).labels();
    this.statusDuration = metrics.histogram(
        LlumnixMetrics.SCHEDULER_CMS_REFRESH_STATUS_DURATION_MILLISECONDS).labels();
  }

  /** Starts both loops; the first metadata read starts at once. */
  public void start() {
    refreshMetadata();
    metadataTimer = clock.setPeriodic(intervals.metadataMillis(), this::refreshMetadata);
    statusTimer = clock.setPeriodic(intervals.statusMillis(), this::refreshStatus);
  }

  /** Stops the loops and closes the store. */
  public void stop() {
    clock.cancelTimer(metadataTimer);
    clock.cancelTimer(statusTimer);
    store.close();
  }

  private void refreshMetadata() {
    if (readingMetadata) {
      return;
    }
    readingMetadata = true;
    long start = clock.nanoTime();
    store.allMetadata().onComplete(ar -> {
      readingMetadata = false;
      metadataDuration.observe(clock.millisSince(start));
      if (ar.failed()) {
        failed(ar.cause());
        return;
      }
      readable();
      view.applyMetadata(ar.result(), inGrace());
      if (!metadataLoaded) {
        metadataLoaded = true;
        refreshStatus(); // new instances get their status now, not one interval later
      }
    });
  }

  private void refreshStatus() {
    if (inGrace()) {
      refreshMetadata(); // instances come back as soon as their llumlets write again
    }
    if (readingStatus || !metadataLoaded) {
      return;
    }
    readingStatus = true;
    List<String> ids = view.ids();
    long start = clock.nanoTime();
    store.statuses(ids).onComplete(ar -> {
      readingStatus = false;
      statusDuration.observe(clock.millisSince(start));
      if (ar.failed()) {
        failed(ar.cause());
        return;
      }
      if (!view.available() && everRead) {
        logger.log(System.Logger.Level.INFO, "cms: readable again; scheduling resumes ("
            + ids.size() + " instances)");
      }
      readable();
      everRead = true;
      boolean keep = inGrace();
      view.alive(true);
      List<@Nullable InstanceStatus> statuses = ar.result();
      for (int i = 0; i < ids.size(); i++) {
        InstanceStatus status = statuses.get(i);
        if (status == null) {
          if (!keep) {
            view.remove(ids.get(i)); // expired or deleted: the instance has left
          }
        } else {
          view.acceptStatus(status);
        }
      }
    });
  }

  /** A read succeeded: an outage, if there was one, is over and its grace period starts. */
  private void readable() {
    if (failing) {
      failing = false;
      graceUntilNanos = clock.nanoTime() + 2_000_000L * intervals.metadataMillis();
    }
  }

  private boolean inGrace() {
    return graceUntilNanos != 0 && clock.nanoTime() - graceUntilNanos < 0;
  }

  private void failed(Throwable cause) {
    failing = true;
    if (view.available()) {
      logger.log(System.Logger.Level.WARNING, "cms: cannot read (" + cause.getMessage()
          + "); /schedule answers 'cms not available' until it can");
    }
    view.alive(false);
  }
}
