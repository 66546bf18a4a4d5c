package io.llumnix.enginesim.core;

import io.llumnix.kvs.hash.BlockHasher;
import org.jspecify.annotations.Nullable;

/**
 * The paged KV cache of one engine, as vLLM's {@code KVCacheManager} keeps it: blocks are
 * allocated only for the tokens scheduled now; a full block is found again by the chain hash of
 * its tokens (the hash of the previous block and its own tokens, rooted in the seed) while it
 * stays in the pool; freed blocks stay cached until evicted in LRU order. Not thread-safe.
 */
final class KvCacheManager {

  private final CoreConfig config;
  private final EngineStats stats;
  private final BlockPool pool;
  private final PrefixCacheListener listener;
  /** vLLM's block hash, or null for the fast chain. */
  private final @Nullable BlockHasher hasher;
  private final long noneHash;

  KvCacheManager(CoreConfig config, EngineStats stats, PrefixCacheListener listener) {
    this.config = config;
    this.stats = stats;
    this.listener = listener;
    this.pool = new BlockPool(config.numGpuBlocks(), listener);
    this.hasher = config.prefixHashAlgo() == null ? null
        : new BlockHasher(config.prefixHashAlgo(), config.hashSeed());
    // The fast chain's root; vLLM's chain starts from the hasher's NONE_HASH instead.
    this.noneHash = OutputWords.mix(config.seed() ^ 0x6C6C756D6E6978L);
  }

  int freeCount() {
    return pool.freeCount();
  }

  double usage() {
    return pool.usage();
  }

  /** Blocks for the tokens scheduled now; false when the pool has too few free. */
  boolean allocateSlots(SimRequest request, int numNewTokens) {
    int bs = config.blockSize();
    int needed = (request.numComputed + numNewTokens + bs - 1) / bs - request.numBlocks;
    if (needed <= 0) {
      return true;
    }
    if (needed > pool.freeCount()) {
      return false;
    }
    for (int i = 0; i < needed; i++) {
      request.addBlock(pool.allocate());
    }
    return true;
  }

  /** A new request finds its prompt's full blocks in the prefix cache (all but the last token). */
  void lookupPrefixCache(SimRequest request) {
    // Room for the blocks of the whole answer the simulated model will give.
    int tokens = request.numPromptTokens() + request.plannedOutputTokens(config.maxModelLen());
    request.reserveBlocks((tokens + config.blockSize() - 1) / config.blockSize());
    int hitBlocks = 0;
    if (config.enablePrefixCaching()) {
      int maxBlocks = (request.numTokens - 1) / config.blockSize();
      hashBlocks(request, maxBlocks);
      for (int b = 0; b < maxBlocks; b++) {
        int block = pool.touch(request.blockHashes[b]);
        if (block < 0) {
          break;
        }
        request.addBlock(block);
        hitBlocks++;
      }
      request.numCachedBlocks = hitBlocks;
      if (request.numCachedTokens < 0) {
        stats.onPrefixCacheLookup(request.numTokens, hitBlocks * config.blockSize());
      }
    }
    request.numComputed = hitBlocks * config.blockSize();
    if (request.numCachedTokens < 0) {
      request.numCachedTokens = request.numComputed;
    }
  }

  /**
   * A decode request's KV arrived from the prefill instance: all prompt tokens but the last
   * count as computed (vLLM recomputes one token to get logits), with blocks for them.
   */
  void loadRemoteKv(SimRequest request) {
    request.status = SimRequest.Status.WAITING;
    int computed = request.numTokens - 1;
    int blocks = (computed + config.blockSize() - 1) / config.blockSize();
    if (blocks > pool.freeCount()) {
      return; // allocateSlots fails below, and the queue waits for blocks
    }
    for (int i = 0; i < blocks; i++) {
      request.addBlock(pool.allocate());
    }
    request.numComputed = computed;
    request.numCachedTokens = 0;
    cacheFullBlocks(request, computed);
  }

  private void hashBlocks(SimRequest request, int upTo) {
    int bs = config.blockSize();
    if (hasher != null) {
      while (request.numHashedBlocks < upTo) {
        int b = request.numHashedBlocks;
        if (request.chainDigest == null) {
          request.chainDigest = new byte[32];
        }
        // Block 0 hangs off NONE_HASH; later ones chain in place on the request's digest.
        hasher.hash(b == 0 ? null : request.chainDigest, request, b * bs, (b + 1) * bs,
            request.chainDigest);
        request.addBlockHash(BlockHasher.toInt64(request.chainDigest));
      }
      return;
    }
    // A multiply-add per token and one mix per block: a mix per token put a chain of two
    // multiplications per token on the path of every block that fills.
    while (request.numHashedBlocks < upTo) {
      int b = request.numHashedBlocks;
      long h = b == 0 ? noneHash : request.blockHashes[b - 1];
      for (int t = b * bs, end = t + bs; t < end; t++) {
        h = (h + request.tokenAt(t)) * 0x9E3779B97F4A7C15L;
      }
      request.addBlockHash(OutputWords.mix(h));
    }
  }

  /**
   * The request's blocks that are full once {@code computed} tokens are computed join the
   * prefix cache. Called when the tokens are scheduled, as vLLM enters blocks at allocation:
   * a second request with the same prefix in the same step already finds them.
   */
  void cacheFullBlocks(SimRequest request, int computed) {
    if (!config.enablePrefixCaching()) {
      return;
    }
    int full = computed / config.blockSize();
    if (full <= request.numCachedBlocks) {
      return;
    }
    hashBlocks(request, full);
    int run = -1; // the first block of the current run of newly cached blocks
    for (int b = request.numCachedBlocks; b < full; b++) {
      if (pool.cache(request.blocks[b], request.blockHashes[b])) {
        if (run < 0) {
          run = b;
        }
      } else if (run >= 0) {
        listener.stored(request.blockHashes, run, b, config.blockSize(), request);
        run = -1;
      }
    }
    if (run >= 0) {
      listener.stored(request.blockHashes, run, full, config.blockSize(), request);
    }
    request.numCachedBlocks = full;
  }

  void freeBlocks(SimRequest request) {
    // Freed in reverse so that a prefix's first blocks are evicted last.
    for (int i = request.numBlocks - 1; i >= 0; i--) {
      pool.release(request.blocks[i]);
    }
    request.numBlocks = 0;
    request.numCachedBlocks = 0;
  }
}
