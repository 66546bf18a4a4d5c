package io.llumnix.enginesim.cache;

import com.carrotsearch.hppc.LongObjectHashMap;
import io.llumnix.enginesim.core.PrefixCacheListener;
import io.llumnix.kvs.hash.KvsKeyFormat;
import io.llumnix.kvs.hash.KvsKeys;
import io.llumnix.kvs.hash.TokenSource;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Publishes the engine's cached prefix to a KV store's metadata as the engines' KV connector
 * does: a chunk key (the scheduler's key format over {@code --kvs-chunk-size} tokens) is put
 * under the engine's transport endpoint once all blocks of the chunk are cached, and removed as
 * soon as any of them is evicted, so the store never advertises a chunk the engine lacks.
 *
 * <p>Design notes. Changes heard during a step are folded per key (the last state wins) and
 * written after the step is planned; writes are chained one after another, so a removal never
 * overtakes the put it follows. A partial last chunk is never published: its key depends on
 * where the prompt ends, which no later prompt shares. Runs on the engine's event loop.
 */
final class ChunkPublisher implements PrefixCacheListener {

  private static final System.Logger logger = System.getLogger(ChunkPublisher.class.getName());

  private final KvsKeys keys;
  private final int chunkSize;
  private final ChunkWriter writer;
  private final String endpoint;
  /** Block hash → the key of the chunk it completes a part of. */
  private final LongObjectHashMap<String> chunkOfBlock = new LongObjectHashMap<>();
  private final Set<String> advertised = new HashSet<>();
  /** Key → whether it is held, for the changes not written yet. */
  private final Map<String, Boolean> pending = new LinkedHashMap<>();
  private Future<Void> lastWrite = Future.succeededFuture();
  private boolean writing;
  private long failedWrites;
  /** Whether the store has forgotten what an earlier run under this endpoint left there. */
  private boolean cleared;
  private boolean closed;

  ChunkPublisher(KvsKeyFormat format, int blockSize, ChunkWriter writer, String endpoint) {
    if (format.chunkSize() % blockSize != 0) {
      throw new IllegalArgumentException("--kvs-chunk-size " + format.chunkSize()
          + " must be a multiple of --block-size " + blockSize);
    }
    this.keys = new KvsKeys(new KvsKeyFormat(format.algo(), format.chunkSize(), false,
        format.hashSeed(), format.irisMetaPrefix(), format.vllmBlockPrefix()));
    this.chunkSize = format.chunkSize();
    this.writer = writer;
    this.endpoint = endpoint;
  }

  /**
   * Clears what an earlier run under the same endpoint may have left. Until that succeeds
   * (the store may not be up yet), each write starts by trying again, and nothing of this run
   * is written before it.
   */
  Future<Void> start() {
    lastWrite = clear();
    return lastWrite;
  }

  private Future<Void> clear() {
    return writer.removeEndpoint(endpoint, List.of()).onSuccess(ignored -> cleared = true);
  }

  @Override
  public void stored(long[] hashes, int from, int to, int blockSize, TokenSource tokens) {
    int blocksPerChunk = chunkSize / blockSize;
    int firstChunk = from / blocksPerChunk;
    int endChunk = to / blocksPerChunk;
    if (endChunk <= firstChunk) {
      return; // no chunk became complete
    }
    int length = endChunk * chunkSize;
    int[] prefix = new int[length];
    for (int i = 0; i < length; i++) {
      prefix[i] = tokens.tokenAt(i);
    }
    List<String> chunkKeys = keys.keys(prefix, length);
    for (int c = firstChunk; c < endChunk; c++) {
      String key = chunkKeys.get(c);
      for (int b = c * blocksPerChunk; b < (c + 1) * blocksPerChunk; b++) {
        chunkOfBlock.put(hashes[b], key);
      }
      if (advertised.add(key)) {
        pending.put(key, true);
      }
    }
  }

  @Override
  public void removed(long hash) {
    String key = chunkOfBlock.remove(hash);
    if (key != null && advertised.remove(key)) {
      pending.put(key, false);
    }
  }

  @Override
  public void stepPlanned() {
    if (pending.isEmpty() || writing || closed) {
      return; // the write in flight takes what is pending when it ends
    }
    List<String> puts = new ArrayList<>();
    List<String> removes = new ArrayList<>();
    for (Map.Entry<String, Boolean> change : pending.entrySet()) {
      (change.getValue() ? puts : removes).add(change.getKey());
    }
    pending.clear();
    writing = true;
    long failedBefore = failedWrites;
    Future<Void> write = lastWrite.recover(e -> Future.succeededFuture());
    if (!cleared) {
      write = write.compose(ignored -> clear());
    }
    if (!removes.isEmpty()) {
      write = write.compose(ignored -> writer.remove(endpoint, removes));
    }
    if (!puts.isEmpty()) {
      write = write.compose(ignored -> writer.put(endpoint, puts));
    }
    lastWrite = write.recover(e -> {
      if (failedWrites++ % 100 == 0) {
        logger.log(System.Logger.Level.WARNING, "KV store metadata write failed (" + failedWrites
            + " so far; retried with the next step): " + e.getMessage());
      }
      // Written again with the next step, unless a newer change of the key came meanwhile: a
      // lost removal would leave the store advertising a chunk the engine no longer has.
      for (String key : removes) {
        pending.putIfAbsent(key, false);
      }
      for (String key : puts) {
        pending.putIfAbsent(key, true);
      }
      return Future.succeededFuture();
    }).onComplete(ignored -> {
      writing = false;
      if (failedWrites == failedBefore) {
        stepPlanned(); // what came during the write; after a failure, wait for the next step
      }
    });
  }

  /** Chunk keys advertised now (for tests). */
  Set<String> advertised() {
    return Set.copyOf(advertised);
  }

  /**
   * Removes everything this engine advertised, and what it meant to remove but had not
   * written yet, then closes the writer.
   */
  Future<Void> close() {
    closed = true;
    Set<String> held = new HashSet<>(advertised);
    pending.forEach((key, stillHeld) -> held.add(key));
    return lastWrite.recover(e -> Future.succeededFuture())
        .compose(ignored -> writer.removeEndpoint(endpoint, held))
        .recover(e -> Future.succeededFuture())
        .compose(ignored -> writer.close());
  }
}
