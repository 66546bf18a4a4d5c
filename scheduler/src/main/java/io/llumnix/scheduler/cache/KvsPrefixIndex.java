package io.llumnix.scheduler.cache;

import io.llumnix.core.time.Clock;
import io.llumnix.kvs.hash.KvsKeyFormat;
import io.llumnix.kvs.hash.KvsKeys;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A prefix index backed by a KV store's metadata: the prompt is hashed into chunk keys as the
 * engines' KV connector names them, the store says which transport endpoints hold each key, and
 * the hits are walked from the answer.
 */
final class KvsPrefixIndex implements PrefixIndex {

  private final KvsKeys keys;
  private final int chunkSize;
  private final Function<List<String>, Future<Map<String, List<String>>>> query;
  private final Runnable onClose;
  private final Clock clock;

  /**
   * @param query key → the endpoints holding it (absent keys are held by none)
   */
  KvsPrefixIndex(KvsKeyFormat format, Function<List<String>, Future<Map<String, List<String>>>>
      query, Runnable onClose, Clock clock) {
    this.keys = new KvsKeys(format);
    this.chunkSize = format.chunkSize();
    this.query = query;
    this.onClose = onClose;
    this.clock = clock;
  }

  @Override
  public Future<PrefixHits> lookup(int[] tokens, int length, Timings timings) {
    long start = clock.nanoTime();
    List<String> chunkKeys = keys.keys(tokens, length);
    double hashMillis = clock.millisSince(start);
    if (chunkKeys.isEmpty()) {
      timings.calculated(hashMillis);
      return Future.succeededFuture(PrefixHits.none(length));
    }
    long queryStart = clock.nanoTime();
    return query.apply(chunkKeys).map(held -> {
      timings.queried(clock.millisSince(queryStart));
      long walkStart = clock.nanoTime();
      List<List<String>> holders = new ArrayList<>(chunkKeys.size());
      for (String key : chunkKeys) {
        holders.add(held.get(key));
      }
      PrefixHits hits = PrefixHits.walk(length, chunkSize, holders, true);
      timings.calculated(hashMillis + clock.millisSince(walkStart));
      return hits;
    });
  }

  @Override
  public void close() {
    onClose.run();
  }
}
