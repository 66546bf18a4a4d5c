package io.llumnix.enginesim.core;

import com.carrotsearch.hppc.LongIntHashMap;

/**
 * The paged KV cache's blocks (vLLM {@code block_pool.py}).
 *
 * <p>Design notes: block 0 is the null block vLLM reserves, so {@code numBlocks - 1} are usable.
 * Free blocks sit in an LRU queue kept as two {@code int[]} links (no node objects): a finished
 * request's blocks go to the tail, allocation pops the head, and popping a block that still has
 * a hash evicts that hash from the prefix cache. A cached block that is free stays findable, and a
 * hit on it takes it out of the queue again. Not thread-safe: the engine's single thread owns it.
 */
final class BlockPool {

  private static final int NIL = -1;

  private final int numBlocks;
  private final int[] refCount;
  private final long[] hash;
  private final boolean[] hashed;
  private final int[] prev;
  private final int[] next;
  private int head = NIL;
  private int tail = NIL;
  private int freeCount;
  /** Block hash to block: primitive keys, as boxing them cost a third of a simulation's time. */
  private final LongIntHashMap cached = new LongIntHashMap();
  private long evictions;
  private final PrefixCacheListener listener;

  BlockPool(int numBlocks, PrefixCacheListener listener) {
    this.listener = listener;
    if (numBlocks < 2) {
      throw new IllegalArgumentException("numBlocks: " + numBlocks + " (expected: >= 2)");
    }
    this.numBlocks = numBlocks;
    refCount = new int[numBlocks];
    hash = new long[numBlocks];
    hashed = new boolean[numBlocks];
    prev = new int[numBlocks];
    next = new int[numBlocks];
    refCount[0] = 1; // the null block is never free
    for (int b = 1; b < numBlocks; b++) {
      append(b);
    }
  }

  /** Usable blocks: all but the null block. */
  int capacity() {
    return numBlocks - 1;
  }

  /** Free blocks, cached-but-unreferenced ones included. */
  int freeCount() {
    return freeCount;
  }

  /** vLLM's {@code get_usage}: {@code 1 - free / (numBlocks - 1)}. */
  double usage() {
    return 1.0 - (double) freeCount / capacity();
  }

  long evictions() {
    return evictions;
  }

  /** Pops the least recently freed block, evicting its hash; -1 when none is free. */
  int allocate() {
    int b = head;
    if (b == NIL) {
      return NIL;
    }
    unlink(b);
    if (hashed[b]) {
      cached.remove(hash[b]); // a hashed block is the one its hash maps to (cache())
      hashed[b] = false;
      evictions++;
      listener.removed(hash[b]);
    }
    refCount[b] = 1;
    return b;
  }

  /** Takes a reference on the cached block with {@code blockHash}; -1 on a miss. */
  int touch(long blockHash) {
    int b = cached.getOrDefault(blockHash, NIL);
    if (b == NIL) {
      return NIL;
    }
    if (refCount[b] == 0) {
      unlink(b);
    }
    refCount[b]++;
    return b;
  }

  /** Whether a block with {@code blockHash} is cached, without taking it. */
  boolean contains(long blockHash) {
    return cached.containsKey(blockHash);
  }

  /** Drops one reference; a block nobody references goes to the tail of the free queue. */
  void release(int b) {
    if (--refCount[b] == 0) {
      append(b);
    } else if (refCount[b] < 0) {
      throw new IllegalStateException("block " + b + " released twice");
    }
  }

  /**
   * Records that full block {@code b} holds the tokens whose chained hash is {@code h}; false
   * when it was cached already or another block holds {@code h}.
   */
  boolean cache(int b, long h) {
    if (hashed[b]) {
      return false;
    }
    // A block computed twice (two requests with the same prefix in flight) is cached once.
    if (cached.putIfAbsent(h, b)) {
      hash[b] = h;
      hashed[b] = true;
      return true;
    }
    return false;
  }

  private void append(int b) {
    prev[b] = tail;
    next[b] = NIL;
    if (tail == NIL) {
      head = b;
    } else {
      next[tail] = b;
    }
    tail = b;
    freeCount++;
  }

  private void unlink(int b) {
    if (prev[b] == NIL) {
      head = next[b];
    } else {
      next[prev[b]] = next[b];
    }
    if (next[b] == NIL) {
      tail = prev[b];
    } else {
      prev[next[b]] = prev[b];
    }
    freeCount--;
  }
}
