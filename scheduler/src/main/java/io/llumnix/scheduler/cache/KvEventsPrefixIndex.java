package io.llumnix.scheduler.cache;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.core.time.Clock;
import io.llumnix.kvs.events.AllBlocksCleared;
import io.llumnix.kvs.events.BlockRemoved;
import io.llumnix.kvs.events.BlockStored;
import io.llumnix.kvs.events.KvEvent;
import io.llumnix.kvs.events.KvEventBatch;
import io.llumnix.kvs.events.KvEventSubscriber;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Cache-aware scheduling without a KV store: the scheduler subscribes to every instance's vLLM
 * KV-cache event stream and keeps the {@link BlockIndex} itself, so a plain vLLM started with
 * {@code --kv-events-config} is enough. Instances come and go with the CMS; an instance that
 * restarts (a new {@code utc_create}, or its stream starting over) or whose stream has a gap
 * that cannot be replayed has its blocks dropped, so a hit is never stale. Events arrive on the
 * subscribers' threads and are applied on the scheduler's event loop, where lookups read.
 */
final class KvEventsPrefixIndex implements PrefixIndex {

  private static final System.Logger logger =
      System.getLogger(KvEventsPrefixIndex.class.getName());

  /**
   * One instance's subscription. Compared by identity: batches of a subscription already
   * replaced (the instance restarted at the same endpoint) are not applied.
   */
  private static final class Source {
    final String endpoint;
    final @Nullable String replayEndpoint;
    final double utcCreate;
    @Nullable KvEventSubscriber subscriber;

    Source(String endpoint, @Nullable String replayEndpoint, double utcCreate) {
      this.endpoint = endpoint;
      this.replayEndpoint = replayEndpoint;
      this.utcCreate = utcCreate;
    }

    String endpoint() {
      return endpoint;
    }

    double utcCreate() {
      return utcCreate;
    }
  }

  private final CacheAwareConfig.KvEventsSettings settings;
  private final Context context;
  private final LocalPrefixIndex index;
  private final Map<String, Source> sources = new HashMap<>();
  private boolean closed;

  KvEventsPrefixIndex(CacheAwareConfig.KvEventsSettings settings, Context context, Clock clock) {
    this.settings = settings;
    this.context = context;
    this.index = new LocalPrefixIndex(clock);
  }

  @Override
  public Future<PrefixHits> lookup(int[] tokens, int length, Timings timings) {
    return index.lookup(tokens, length, timings);
  }

  /** Follows the instances the CMS lists: new ones are subscribed to, gone ones dropped. */
  @Override
  public void instancesChanged(List<InstanceMetadata> instances) {
    if (closed) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (InstanceMetadata metadata : instances) {
      String id = metadata.getInstanceId();
      seen.add(id);
      String endpoint = endpoint(metadata, metadata.getKvEventsEndpoint(), settings.port());
      String replay = settings.replayPort() > 0 || !metadata.getKvEventsReplayEndpoint().isEmpty()
          ? endpoint(metadata, metadata.getKvEventsReplayEndpoint(), settings.replayPort())
          : null;
      Source known = sources.get(id);
      if (known != null && known.endpoint().equals(endpoint)
          && known.utcCreate() == metadata.getUtcCreate()) {
        continue;
      }
      if (known != null) {
        sources.remove(id);
        stop(id, known, "restarted or moved");
      }
      Source source = new Source(endpoint, replay, metadata.getUtcCreate());
      try {
        source.subscriber = subscribe(id, source);
      } catch (RuntimeException e) {
        // Tried again at the next metadata read; scheduling goes on without this instance's
        // blocks meanwhile.
        logger.log(System.Logger.Level.WARNING, "cannot follow the KV events of " + id + " ("
            + endpoint + "): " + e.getMessage());
        continue;
      }
      sources.put(id, source);
    }
    for (Iterator<Map.Entry<String, Source>> it = sources.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Source> e = it.next();
      if (!seen.contains(e.getKey())) {
        it.remove();
        stop(e.getKey(), e.getValue(), "left the CMS");
      }
    }
  }

  /** The instance's own endpoint when its metadata names one, else vLLM's port on its IP. */
  private static String endpoint(InstanceMetadata metadata, String named, int port) {
    if (!named.isEmpty()) {
      return named;
    }
    String ip = metadata.getIp();
    String host = ip.indexOf(':') >= 0 && !ip.startsWith("[") ? "[" + ip + "]" : ip; // IPv6
    return "tcp://" + host + ":" + (port + metadata.getDpRank());
  }

  private KvEventSubscriber subscribe(String id, Source source) {
    return new KvEventSubscriber(source.endpoint, source.replayEndpoint, settings.topic(),
        new KvEventSubscriber.Listener() {
          @Override
          public void onEvents(long seq, KvEventBatch batch) {
            context.runOnContext(ignored -> apply(id, source, batch));
          }

          @Override
          public void onReset(String reason) {
            context.runOnContext(ignored -> {
              if (isCurrent(id, source)) {
                logger.log(System.Logger.Level.INFO, "KV events of " + id + " ("
                    + source.endpoint + "): " + reason + "; its cached blocks are forgotten");
                index.drop(id);
              }
            });
          }
        });
  }

  private boolean isCurrent(String id, Source source) {
    return !closed && sources.get(id) == source;
  }

  private void apply(String id, Source source, KvEventBatch batch) {
    if (!isCurrent(id, source)) {
      return; // a late batch of a subscription already replaced
    }
    for (KvEvent event : batch.events()) {
      switch (event) {
        case BlockStored stored -> index.stored(id, stored);
        case BlockRemoved removed -> index.removed(id, removed);
        case AllBlocksCleared cleared -> index.drop(id);
      }
    }
  }

  private void stop(String id, Source source, String why) {
    close(source);
    index.drop(id);
    logger.log(System.Logger.Level.INFO, "stopped following the KV events of " + id + " ("
        + source.endpoint + "): " + why);
  }

  /** Off the event loop: a subscriber's close waits for its thread. */
  private void close(Source source) {
    KvEventSubscriber subscriber = source.subscriber;
    if (subscriber != null) {
      context.owner().executeBlocking(() -> {
        subscriber.close();
        return null;
      }, false);
    }
  }

  /** Blocks held for {@code instanceId} (for tests). */
  int blocks(String instanceId) {
    return index.blocks(instanceId);
  }

  @Override
  public void close() {
    closed = true;
    for (Source source : sources.values()) {
      close(source);
    }
    sources.clear();
  }
}
