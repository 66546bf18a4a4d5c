package io.llumnix.enginesim.core;

import org.agrona.collections.Long2LongHashMap;

/**
 * The paged KV cache's blocks (vLLM {@code block_pool.py}).
 *
 * <p>Design notes: block 0 is the null block vLLM reserves, so {@code numBlocks - 1} are usable.
 * Free blocks sit in an LRU queue linked through the blocks' records (no node objects): a
 * finished request's blocks go to the tail, allocation pops the head, and popping a block that
 * still has a hash evicts that hash from the prefix cache. A cached block that is free stays
 * findable, and a hit on it takes it out of the queue again. Not thread-safe: the engine's
 * single thread owns it.
 */
final class BlockPool {

  private static final int NIL = -1;
  /** The prefix-cache index's load factor, Agrona's default. */
  private static final float INDEX_LOAD = 0.65f;
  /** Longs per block in {@link #slots}. */
  private static final int STRIDE = 3;
  private static final int HASH = 0;
  /** The free queue's links: the previous block in the high half, the next in the low. */
  private static final int LINKS = 1;
  /** References, shifted left once; the low bit says whether the block has a hash. */
  private static final int STATE = 2;

  private final int numBlocks;
  /**
   * Every block's state as one record of {@link #STRIDE} longs: allocation pops a block freed
   * long ago, whose state is out of the cache, and one record costs one fetch where an array per
   * field cost five (with 256 engines most blocks are cold).
   */
  private final long[] slots;
  private int head = NIL;
  private int tail = NIL;
  private int freeCount;
  /**
   * Block hash to block, with primitive keys (boxing them cost a third of a simulation's time)
   * and each key beside its value, so that a lookup, insert or removal costs one cache miss,
   * not one in the keys' array and one in the values'.
   */
  private final Long2LongHashMap cached;
  private long evictions;
  private final PrefixCacheListener listener;

  BlockPool(int numBlocks, PrefixCacheListener listener) {
    this.listener = listener;
    if (numBlocks < 2) {
      throw new IllegalArgumentException("numBlocks: " + numBlocks + " (expected: >= 2)");
    }
    this.numBlocks = numBlocks;
    // Sized once for every block: a full pool never rehashes.
    cached = new Long2LongHashMap((int) (numBlocks / INDEX_LOAD) + 1, INDEX_LOAD, NIL);
    slots = new long[numBlocks * STRIDE];
    setRefCount(0, 1); // the null block is never free
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
    if (hashed(b)) {
      long h = slots[b * STRIDE + HASH];
      cached.remove(h); // a hashed block is the one its hash maps to (cache())
      evictions++;
      listener.removed(h);
    }
    slots[b * STRIDE + STATE] = 1L << 1; // one reference, no hash
    return b;
  }

  /** Takes a reference on the cached block with {@code blockHash}; -1 on a miss. */
  int touch(long blockHash) {
    int b = (int) cached.get(blockHash);
    if (b == NIL) {
      return NIL;
    }
    if (refCount(b) == 0) {
      unlink(b);
    }
    setRefCount(b, refCount(b) + 1);
    return b;
  }

  /** Whether a block with {@code blockHash} is cached, without taking it. */
  boolean contains(long blockHash) {
    return cached.containsKey(blockHash);
  }

  /** Drops one reference; a block nobody references goes to the tail of the free queue. */
  void release(int b) {
    int references = refCount(b) - 1;
    if (references < 0) {
      throw new IllegalStateException("block " + b + " released twice");
    }
    setRefCount(b, references);
    if (references == 0) {
      append(b);
    }
  }

  /**
   * Records that full block {@code b} holds the tokens whose chained hash is {@code h}; false
   * when it was cached already or another block holds {@code h}.
   */
  boolean cache(int b, long h) {
    if (hashed(b)) {
      return false;
    }
    // A block computed twice (two requests with the same prefix in flight) is cached once.
    if (cached.putIfAbsent(h, b) == NIL) {
      slots[b * STRIDE + HASH] = h;
      slots[b * STRIDE + STATE] |= 1;
      return true;
    }
    return false;
  }

  private boolean hashed(int b) {
    return (slots[b * STRIDE + STATE] & 1) != 0;
  }

  private int refCount(int b) {
    return (int) (slots[b * STRIDE + STATE] >>> 1);
  }

  private void setRefCount(int b, int references) {
    int at = b * STRIDE + STATE;
    slots[at] = ((long) references << 1) | (slots[at] & 1);
  }

  private int prev(int b) {
    return (int) (slots[b * STRIDE + LINKS] >> 32);
  }

  private int next(int b) {
    return (int) slots[b * STRIDE + LINKS];
  }

  private void setLinks(int b, int prev, int next) {
    slots[b * STRIDE + LINKS] = ((long) prev << 32) | (next & 0xFFFF_FFFFL);
  }

  private void setPrev(int b, int prev) {
    setLinks(b, prev, next(b));
  }

  private void setNext(int b, int next) {
    setLinks(b, prev(b), next);
  }

  private void append(int b) {
    setLinks(b, tail, NIL);
    if (tail == NIL) {
      head = b;
    } else {
      setNext(tail, b);
    }
    tail = b;
    freeCount++;
  }

  /**
   * Takes {@code b} out of the free queue. The head's previous link is never read, so it is not
   * kept: popping the head (every allocation) then writes nothing into the next block's record,
   * a random one whose fetch cost an allocation a cache miss.
   */
  private void unlink(int b) {
    int next = next(b);
    if (b == head) {
      head = next;
      if (next == NIL) {
        tail = NIL;
      }
    } else {
      int prev = prev(b);
      setNext(prev, next);
      if (next == NIL) {
        tail = prev;
      } else {
        setPrev(next, prev);
      }
    }
    freeCount--;
  }
}
