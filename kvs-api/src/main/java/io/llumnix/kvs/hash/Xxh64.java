package io.llumnix.kvs.hash;

/**
 * Streaming XXH64 over a sequence of 8-byte little-endian words, whose {@link #value()} can be
 * read at any point without disturbing the stream: the {@code xxhash} KV-store keys need the
 * running digest after every chunk while the stream goes on.
 *
 * <p>Written here because hash4j 0.25 has XXH3 but not XXH64; the algorithm is the xxHash
 * specification's, restricted to inputs that are whole words (so there is no 4-byte or 1-byte
 * tail). Not thread-safe; allocates nothing.
 */
final class Xxh64 {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private final long seed;
  private long acc1;
  private long acc2;
  private long acc3;
  private long acc4;
  /** Words not yet in a 32-byte stripe: at most three. */
  private long pending0;
  private long pending1;
  private long pending2;
  private int pendingCount;
  private long totalBytes;

  Xxh64(long seed) {
    this.seed = seed;
    reset();
  }

  void reset() {
    acc1 = seed + P1 + P2;
    acc2 = seed + P2;
    acc3 = seed;
    acc4 = seed - P1;
    pendingCount = 0;
    totalBytes = 0;
  }

  /** Appends one word, as its 8 little-endian bytes. */
  void putLong(long word) {
    totalBytes += 8;
    switch (pendingCount) {
      case 0 -> pending0 = word;
      case 1 -> pending1 = word;
      case 2 -> pending2 = word;
      default -> {
        acc1 = round(acc1, pending0);
        acc2 = round(acc2, pending1);
        acc3 = round(acc3, pending2);
        acc4 = round(acc4, word);
        pendingCount = 0;
        return;
      }
    }
    pendingCount++;
  }

  /** The digest of every word appended so far; the stream can go on after. */
  long value() {
    long hash;
    if (totalBytes >= 32) {
      hash = Long.rotateLeft(acc1, 1) + Long.rotateLeft(acc2, 7) + Long.rotateLeft(acc3, 12)
          + Long.rotateLeft(acc4, 18);
      hash = merge(hash, acc1);
      hash = merge(hash, acc2);
      hash = merge(hash, acc3);
      hash = merge(hash, acc4);
    } else {
      hash = seed + P5;
    }
    hash += totalBytes;
    if (pendingCount > 0) {
      hash = tail(hash, pending0);
    }
    if (pendingCount > 1) {
      hash = tail(hash, pending1);
    }
    if (pendingCount > 2) {
      hash = tail(hash, pending2);
    }
    hash ^= hash >>> 33;
    hash *= P2;
    hash ^= hash >>> 29;
    hash *= P3;
    hash ^= hash >>> 32;
    return hash;
  }

  private static long round(long acc, long lane) {
    return Long.rotateLeft(acc + lane * P2, 31) * P1;
  }

  private static long merge(long hash, long acc) {
    return (hash ^ round(0, acc)) * P1 + P4;
  }

  private static long tail(long hash, long lane) {
    return Long.rotateLeft(hash ^ round(0, lane), 27) * P1 + P4;
  }
}
