package io.llumnix.enginesim.llumlet;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.core.time.Clock;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes one engine's metadata and status to the CMS, as the reference's llumlet does.
 *
 * <p>Metadata is written at start (retried) and refreshed every metadata interval. Status is
 * written after every load change — arrival, step scheduled, step done, finish, abort,
 * preemption, KV transfer done: the engine calls {@link #changed()} — coalesced so that the
 * events of one push interval make one write, each with a new {@code update_id}. A heartbeat
 * rewrites the last status with a fresh timestamp when nothing changed, so an idle instance
 * stays fresh; when the engine has work but no step has finished for the stall timeout, the
 * heartbeat says {@code schedulable=false}. A status write that finds no earlier status (the CMS
 * came back empty: a Redis restarted without persistence, or flushed) rewrites the metadata at
 * once rather than at the next metadata push, 20 s later by default: a scheduler that finds no
 * metadata drops the instance. Runs on the engine's event-loop context; not thread-safe.
 */
public final class Llumlet {

  private static final System.Logger logger = System.getLogger(Llumlet.class.getName());

  /**
   * How the llumlet publishes.
   *
   * @param expiredSeconds TTL of both records ({@code LLUMNIX_CMS_EXPIRED_TIME}); <= 0: none
   * @param statusPushMillis events within this interval make one status write
   *     ({@code LLUMNIX_STATUS_PUSH_INTERVAL})
   * @param metadataPushMillis metadata refresh interval ({@code LLUMNIX_METADATA_PUSH_INTERVAL})
   * @param heartbeatMillis the longest time between two status writes
   * @param stallMillis an engine with work that finished no step for this long is reported
   *     unschedulable
   * @param recentWaitingMillis how long a request stays in {@code recent_waiting_requests}
   *     after it arrived ({@code LLUMNIX_RECENT_WAITINGS_STALENESS_SECONDS})
   */
  public record Settings(long expiredSeconds, long statusPushMillis, long metadataPushMillis,
      long heartbeatMillis, long stallMillis, long recentWaitingMillis) {

    /** The reference's defaults, with a 1 s heartbeat and a 10 s stall timeout. */
    public static Settings defaults() {
      return new Settings(100, 40, 20_000, 1000, 10_000, 10_000);
    }
  }

  private final Clock clock;
  private final CmsStore store;
  private final Settings settings;
  private final InstanceMetadata metadata;
  private final EngineCore core;
  /** Ids of requests seen waiting, with when they arrived, oldest first. */
  private final RecentArrivals recentWaiting = new RecentArrivals();
  private int stepId;
  private int updateId;
  private long lastWriteMillis;
  private long lastProgressMillis;
  private boolean flushScheduled;
  private boolean writing;
  private boolean dirty;
  private boolean running;
  private InstanceStatus last = InstanceStatus.getDefaultInstance();
  private long heartbeatTimer = -1;
  private long metadataTimer = -1;
  private Migrations migrations = Migrations.NONE;
  private boolean draining;
  /** A status write succeeded: from then on, one that finds no earlier status means a loss. */
  private boolean statusWritten;
  private boolean writesFailing;

  /** What the llumlet reports of the engine's migrations. */
  public interface Migrations {
    Migrations NONE = status -> { };

    /** Sets the status's migration fields (requests moving in and out, free slots). */
    void fill(InstanceStatus.Builder status);
  }

  public Llumlet(Clock clock, CmsStore store, Settings settings, InstanceMetadata metadata,
      EngineCore core) {
    this.clock = clock;
    this.store = store;
    this.settings = settings;
    this.metadata = metadata;
    this.core = core;
  }

  /** Reports the engine's migrations from now on. */
  public void migrations(Migrations counts) {
    this.migrations = counts;
    changed();
  }

  /**
   * The instance is being stopped: from now on it reports itself unschedulable, so no request
   * is dispatched to it and the rescheduler's failover policies move its requests out.
   */
  public void drain() {
    draining = true;
    changed();
  }

  /** The CMS id of this instance. */
  public String instanceId() {
    return metadata.getInstanceId();
  }

  /**
   * Registers the instance (3 tries) and starts publishing. The first status goes out before
   * the metadata: a scheduler that sees the metadata must find a status too, or it drops the
   * instance until its next metadata read.
   */
  public Future<Void> start() {
    running = true;
    lastProgressMillis = clock.epochMillis();
    dirty = true;
    flush();
    return putMetadata(3).onSuccess(ignored -> {
      if (!running) {
        return;
      }
      metadataTimer = clock.setPeriodic(settings.metadataPushMillis(), () -> putMetadata(1));
      heartbeatTimer = clock.setPeriodic(settings.heartbeatMillis(), this::heartbeat);
    });
  }

  private Future<Void> putMetadata(int tries) {
    double now = clock.epochMillis() / 1000.0;
    InstanceMetadata current = metadata.toBuilder().setUtcUpdate(now).build();
    return store.putMetadata(current, settings.expiredSeconds()).recover(e -> {
      if (tries <= 1 || !running) {
        logger.log(System.Logger.Level.WARNING, "llumlet " + instanceId()
            + ": cannot write metadata to the CMS: " + e.getMessage());
        return Future.failedFuture(e);
      }
      return Future.future(p -> clock.setTimer(1000, () -> putMetadata(tries - 1).onComplete(p)));
    });
  }

  /** A request arrived: it is waiting now, whether or not a status shows it waiting. */
  public void onArrival(String requestId) {
    if (core.numRunning() + core.numWaiting() <= 1) {
      lastProgressMillis = clock.epochMillis(); // the engine was idle until now
    }
    recentWaiting.seen(vllmId(requestId), clock.epochMillis());
    changed();
  }

  /** A step finished. */
  public void onStepDone() {
    stepId++;
    lastProgressMillis = clock.epochMillis();
    changed();
  }

  /** The engine's load changed; a status write follows within the push interval. */
  public void changed() {
    dirty = true;
    if (!running || flushScheduled) {
      return;
    }
    flushScheduled = true;
    clock.setTimer(settings.statusPushMillis(), () -> {
      flushScheduled = false;
      flush();
    });
  }

  private void flush() {
    if (!running || !dirty) {
      return;
    }
    if (writing) { // one write at a time; the newest state goes next
      changed();
      return;
    }
    dirty = false;
    long now = clock.epochMillis();
    List<String> waiting = new ArrayList<>();
    for (SimRequest r : core.waitingRequests()) {
      String id = vllmId(r.id());
      waiting.add(id);
      recentWaiting.seenIfAbsent(id, now);
    }
    recentWaiting.expire(now, settings.recentWaitingMillis());
    updateId++;
    InstanceStatus.Builder builder = StatusSnapshot.of(core)
        .setInstanceId(instanceId())
        .setStepId(stepId)
        .setUpdateId(updateId)
        .setSchedulable(!draining)
        .addAllWaitingRequests(waiting)
        .addAllRecentWaitingRequests(recentWaiting.ids());
    migrations.fill(builder);
    InstanceStatus status = builder.build();
    write(status, now);
  }

  private void heartbeat() {
    long now = clock.epochMillis();
    boolean busy = core.numRunning() + core.numWaiting() > 0;
    if (!busy) {
      lastProgressMillis = now;
    }
    boolean stalled = busy && now - lastProgressMillis > settings.stallMillis();
    if (stalled && last.getSchedulable()) {
      logger.log(System.Logger.Level.WARNING, "llumlet " + instanceId() + ": no step finished"
          + " for " + (now - lastProgressMillis) + " ms with work queued; reporting it "
          + "unschedulable");
    }
    if (stalled || dirty || now - lastWriteMillis >= settings.heartbeatMillis()) {
      if (dirty && !stalled) {
        flush();
      } else if (!writing) {
        // Same update_id: readers take only the timestamp and schedulability from it.
        write(last.toBuilder().setSchedulable(!stalled && !draining).build(), now);
      }
    }
  }

  private void write(InstanceStatus status, long now) {
    InstanceStatus stamped = status.toBuilder().setTimestampMs(now).build();
    last = stamped;
    lastWriteMillis = now;
    writing = true;
    store.replaceStatus(stamped, settings.expiredSeconds()).onComplete(ar -> {
      writing = false;
      if (ar.failed()) {
        if (!writesFailing) {
          logger.log(System.Logger.Level.WARNING, "llumlet " + instanceId()
              + ": cannot write status to the CMS (" + ar.cause().getMessage()
              + "); retrying at every heartbeat");
        }
        writesFailing = true;
        dirty = true; // try again at the next event or heartbeat
        return;
      }
      writesFailing = false;
      boolean lost = statusWritten && !ar.result();
      statusWritten = true;
      if (lost && running) {
        logger.log(System.Logger.Level.INFO, "llumlet " + instanceId()
            + ": the CMS lost this instance's records; writing its metadata again");
        putMetadata(1);
      }
    });
  }

  /** Stops publishing without removing the records, as a llumlet that crashed. */
  public void halt() {
    running = false;
    clock.cancelTimer(heartbeatTimer);
    clock.cancelTimer(metadataTimer);
  }

  /** Stops publishing and deletes both records (graceful shutdown). */
  public Future<Void> close() {
    halt();
    return store.delete(instanceId());
  }

  /** The id vLLM gives a completion of request {@code id}: {@code cmpl-<id>-0}. */
  static String vllmId(String id) {
    return "cmpl-" + id + "-0";
  }
}
