package io.llumnix.enginesim.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The free queue's LRU order and the prefix cache's hits and evictions, block by block. */
class BlockPoolTest {

  private final List<Long> removed = new ArrayList<>();
  private final PrefixCacheListener listener = new PrefixCacheListener() {
    @Override
    public void removed(long hash) {
      removed.add(hash);
    }
  };

  @Test
  void freedBlocksAreTakenLeastRecentlyFreedFirstAndEvictTheirHashes() {
    BlockPool pool = new BlockPool(5, listener); // blocks 1 to 4; 0 is the null block
    assertThat(List.of(pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()))
        .containsExactly(1, 2, 3, 4);
    assertThat(pool.allocate()).isEqualTo(-1);
    assertThat(pool.cache(1, 11)).isTrue();
    assertThat(pool.cache(2, 12)).isTrue();
    assertThat(pool.cache(3, 12)).isFalse(); // another block holds that hash
    for (int b = 1; b <= 4; b++) {
      pool.release(b);
    }

    assertThat(pool.freeCount()).isEqualTo(4);
    assertThat(pool.allocate()).isEqualTo(1);
    assertThat(removed).containsExactly(11L);
    assertThat(pool.contains(11)).isFalse();
    assertThat(pool.contains(12)).isTrue(); // free, still cached
    assertThat(List.of(pool.allocate(), pool.allocate(), pool.allocate()))
        .containsExactly(2, 3, 4);
    assertThat(removed).containsExactly(11L, 12L);
    assertThat(pool.evictions()).isEqualTo(2);
  }

  @Test
  void aHitTakesAFreeCachedBlockOutOfTheQueueWhereverItIs() {
    BlockPool pool = new BlockPool(6, listener); // blocks 1 to 5
    for (int b = 1; b <= 5; b++) {
      assertThat(pool.allocate()).isEqualTo(b);
      assertThat(pool.cache(b, 10 + b)).isTrue();
    }
    for (int b = 1; b <= 5; b++) {
      pool.release(b); // queue: 1 2 3 4 5
    }

    assertThat(pool.touch(13)).isEqualTo(3); // the middle: 1 2 4 5
    assertThat(pool.allocate()).isEqualTo(1); // the head: 2 4 5
    assertThat(pool.touch(12)).isEqualTo(2); // the new head: 4 5
    assertThat(pool.touch(15)).isEqualTo(5); // the tail: 4
    assertThat(pool.freeCount()).isEqualTo(1);
    assertThat(pool.touch(99)).isEqualTo(-1);

    pool.release(2); // 4 2
    pool.release(3); // 4 2 3
    assertThat(pool.touch(12)).isEqualTo(2); // 4 3
    assertThat(List.of(pool.allocate(), pool.allocate(), pool.allocate()))
        .containsExactly(4, 3, -1);
    assertThat(removed).containsExactly(11L, 14L, 13L);
  }

  @Test
  void aBlockIsFreeOnlyWhenItsLastReferenceGoes() {
    BlockPool pool = new BlockPool(3, listener); // blocks 1 and 2
    int b = pool.allocate();
    pool.cache(b, 7);
    assertThat(pool.touch(7)).isEqualTo(b); // a second request shares it
    pool.release(b);
    assertThat(pool.freeCount()).isEqualTo(1);
    pool.release(b);
    assertThat(pool.freeCount()).isEqualTo(2);
    assertThat(pool.usage()).isZero();
  }
}
