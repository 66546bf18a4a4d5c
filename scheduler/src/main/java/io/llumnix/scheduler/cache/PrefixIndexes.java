package io.llumnix.scheduler.cache;

import io.llumnix.core.time.Clock;
import io.llumnix.kvs.mooncake.MooncakeClient;
import io.vertx.core.Vertx;

/** Builds the prefix index {@code --kvs-backend} names. */
public final class PrefixIndexes {

  private PrefixIndexes() {}

  /** The index for {@code config}, on the calling Vert.x context (the scheduler's). */
  public static PrefixIndex create(Vertx vertx, CacheAwareConfig config, Clock clock) {
    return switch (config.backend()) {
      case MOONCAKE -> {
        MooncakeClient client = new MooncakeClient(vertx, config.mooncakeHost(),
            config.mooncakePort());
        yield new KvsPrefixIndex(config.effectiveKeyFormat(), client::query, client::close,
            clock);
      }
      case V6D -> V6dPrefixIndex.create(vertx, config.v6d(), config.effectiveKeyFormat(), clock);
      case KV_EVENTS -> new KvEventsPrefixIndex(config.kvEvents(), vertx.getOrCreateContext(),
          clock);
    };
  }
}
