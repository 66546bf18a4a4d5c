package io.llumnix.scheduler.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.kvs.events.BlockRemoved;
import io.llumnix.kvs.events.BlockStored;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The scheduler's own prefix index, fed the instances' KV-cache events. */
class BlockIndexTest {

  static final int BS = 4;
  /** 16 tokens: four blocks of 4. */
  static final int[] PROMPT = IntStream.range(100, 116).toArray();

  final BlockIndex index = new BlockIndex();

  /** BlockStored for blocks [from, to) of {@code tokens}, engine hashes {@code base + b}. */
  static BlockStored stored(long base, Long parent, int[] tokens, int from, int to, int bs) {
    long[] hashes = LongStream.range(base + from, base + to).toArray();
    return new BlockStored(hashes, parent, Arrays.copyOfRange(tokens, from * bs, to * bs), bs);
  }

  Map<String, Integer> hits(int[] tokens, int length) {
    PrefixHits hits = index.hits(tokens, length);
    assertThat(hits.holdersAreEndpoints()).isFalse();
    assertThat(hits.promptTokens()).isEqualTo(length);
    return hits.byHolder();
  }

  // Two instances with different engine hashes for the same content: both are found, each with
  // the blocks it holds from block 0; only whole blocks within the length count.
  @Test
  void hitsCountWholeBlocksHeldFromBlockZero() {
    index.stored("a", stored(1000, null, PROMPT, 0, 4, BS));
    index.stored("b", stored(2000, null, PROMPT, 0, 2, BS));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 16, "b", 8));
    assertThat(hits(PROMPT, 14)).isEqualTo(Map.of("a", 12, "b", 8));
    assertThat(hits(PROMPT, 3)).isEmpty();
    // A prompt that differs in block 1 matches block 0 only.
    int[] other = PROMPT.clone();
    other[5] = 7;
    assertThat(hits(other, 16)).isEqualTo(Map.of("a", 4, "b", 4));
    // One differing in block 0 matches nothing, although later blocks' tokens are equal.
    other[1] = 7;
    assertThat(hits(other, 16)).isEmpty();
  }

  // Blocks stored in several events chain through their parent's engine hash.
  @Test
  void laterEventsChainOnTheirParent() {
    index.stored("a", stored(1000, null, PROMPT, 0, 1, BS));
    index.stored("a", stored(1000, 1000L, PROMPT, 1, 3, BS));
    index.stored("a", stored(1000, 1002L, PROMPT, 3, 4, BS));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 16));
    assertThat(index.size("a")).isEqualTo(4);
  }

  // Removing a middle block stops the instance's run there, though later blocks remain; storing
  // it again restores the run.
  @Test
  void removingAMiddleBlockStopsTheRunThere() {
    index.stored("a", stored(1000, null, PROMPT, 0, 4, BS));
    index.stored("b", stored(2000, null, PROMPT, 0, 4, BS));
    index.removed("a", new BlockRemoved(1001));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 4, "b", 16));
    assertThat(index.size("a")).isEqualTo(3);
    index.stored("a", stored(1000, 1000L, PROMPT, 1, 2, BS));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 16, "b", 16));
    // Removing a block 0 leaves nothing to read, whatever follows.
    index.removed("b", new BlockRemoved(2000));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 16));
  }

  // vLLM may hold one hash in two blocks: it is gone only after both are removed. Removals of
  // unknown hashes or instances change nothing.
  @Test
  void aHashStoredTwiceNeedsTwoRemovals() {
    index.stored("a", stored(1000, null, PROMPT, 0, 2, BS));
    index.stored("a", stored(1000, null, PROMPT, 0, 1, BS)); // block 0 again
    index.removed("a", new BlockRemoved(1000));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 8));
    index.removed("a", new BlockRemoved(424242));
    index.removed("nobody", new BlockRemoved(1000));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 8));
    index.removed("a", new BlockRemoved(1000));
    assertThat(hits(PROMPT, 16)).isEmpty();
    index.removed("a", new BlockRemoved(1000)); // one too many: ignored
    assertThat(index.size("a")).isEqualTo(1);
  }

  // A block whose parent was never seen cannot be placed: skipped (a miss, never a wrong hit);
  // so is an event whose tokens do not cover its blocks.
  @Test
  void blocksWithAnUnknownParentAreSkipped() {
    index.stored("a", stored(1000, 999L, PROMPT, 1, 3, BS));
    assertThat(index.size("a")).isZero();
    assertThat(hits(PROMPT, 16)).isEmpty();
    index.stored("a", new BlockStored(new long[] {1, 2}, null, new int[] {1, 2, 3, 4}, BS));
    assertThat(index.size("a")).isZero();
    // The parent's removal also orphans later events naming it.
    index.stored("a", stored(1000, null, PROMPT, 0, 1, BS));
    index.removed("a", new BlockRemoved(1000));
    index.stored("a", stored(1000, 1000L, PROMPT, 1, 2, BS));
    assertThat(index.size("a")).isZero();
  }

  // drop() forgets one instance's blocks, others keep theirs.
  @Test
  void dropForgetsOneInstance() {
    index.stored("a", stored(1000, null, PROMPT, 0, 4, BS));
    index.stored("b", stored(2000, null, PROMPT, 0, 3, BS));
    index.drop("a");
    assertThat(index.size("a")).isZero();
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("b", 12));
    index.drop("a"); // twice: harmless
    index.drop("b");
    assertThat(hits(PROMPT, 16)).isEmpty();
  }

  // Instances with different block sizes are each matched in their own size; blocks of one
  // size never match another's chain.
  @Test
  void twoBlockSizes() {
    index.stored("a", stored(1000, null, PROMPT, 0, 4, 4));
    index.stored("b", stored(2000, null, PROMPT, 0, 2, 8));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 16, "b", 16));
    assertThat(hits(PROMPT, 12)).isEqualTo(Map.of("a", 12, "b", 8));
    assertThat(BlockIndex.root(4)).isNotEqualTo(BlockIndex.root(8));
    // b losing its block 0 loses its whole hit; a's chain of another size is untouched.
    index.removed("b", new BlockRemoved(2000));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 16));
  }

  // Holders must hold every block up to the hit: an instance holding blocks 0 and 2 but not 1
  // hits block 0 only, while one holding all of them gets the whole prompt.
  @Test
  void theRunNeedsEveryBlockBeforeIt() {
    index.stored("a", stored(1000, null, PROMPT, 0, 4, BS));
    index.stored("b", stored(2000, null, PROMPT, 0, 4, BS));
    index.removed("b", new BlockRemoved(2001));
    index.removed("a", new BlockRemoved(1003));
    assertThat(hits(PROMPT, 16)).isEqualTo(Map.of("a", 12, "b", 4));
  }
}
