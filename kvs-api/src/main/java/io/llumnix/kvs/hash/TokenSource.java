package io.llumnix.kvs.hash;

/**
 * The token ids a block is hashed from, by position, so that a caller can hash straight out of
 * its own storage (an {@code int[]}, a growing sequence) without copying a block out first.
 * Token ids are uint32: a negative {@code int} stands for its unsigned value.
 */
@FunctionalInterface
public interface TokenSource {

  /** The token id at {@code position}. */
  int tokenAt(int position);
}
