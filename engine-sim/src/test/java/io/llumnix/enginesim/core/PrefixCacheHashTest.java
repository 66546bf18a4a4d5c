package io.llumnix.enginesim.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.kvs.hash.BlockHashAlgo;
import io.llumnix.kvs.hash.BlockHasher;
import io.llumnix.kvs.hash.KvsHashAlgo;
import io.llumnix.kvs.hash.KvsKeyFormat;
import io.llumnix.kvs.hash.KvsKeys;
import io.llumnix.kvs.hash.TokenSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The engine's prefix cache with vLLM's block hashes: what a {@link PrefixCacheListener} hears,
 * and when (blocks enter the cache at scheduling time).
 */
class PrefixCacheHashTest {

  static final int BS = 16;

  /** What the listener heard, in order: "stored", "removed" and "planned" entries. */
  static final class Heard implements PrefixCacheListener {
    record Stored(long[] hashes, @Nullable Long parent, int[] tokens) {}

    final List<String> log = new ArrayList<>();
    final List<Stored> stored = new ArrayList<>();
    final List<Long> removed = new ArrayList<>();
    int planned;

    @Override
    public void stored(long[] hashes, int from, int to, int blockSize, TokenSource tokens) {
      assertThat(blockSize).isEqualTo(BS);
      int[] t = IntStream.range(from * blockSize, to * blockSize).map(tokens::tokenAt).toArray();
      stored.add(new Stored(Arrays.copyOfRange(hashes, from, to),
          from == 0 ? null : hashes[from - 1], t));
      log.add("stored");
    }

    @Override
    public void removed(long hash) {
      removed.add(hash);
      log.add("removed");
    }

    @Override
    public void stepPlanned() {
      planned++;
      log.add("planned");
    }
  }

  final Heard heard = new Heard();

  EngineCore core(int numGpuBlocks) {
    CoreConfig config = CoreConfig.builder().maxNumBatchedTokens(8192).maxNumSeqs(256)
        .blockSize(BS).numGpuBlocks(numGpuBlocks).seed(1)
        .prefixHashAlgo(BlockHashAlgo.SHA256_CBOR).hashSeed("0").build();
    return new EngineCore(config, EngineStats.none(), heard);
  }

  static SimRequest request(String id, int[] prompt, int maxTokens) {
    RequestListener ignore = new RequestListener() {
      @Override
      public void onToken(SimRequest request, String text, long timeNanos) {}

      @Override
      public void onFinish(SimRequest request, FinishReason reason, long timeNanos) {}
    };
    return new SimRequest(id, prompt, maxTokens, true, 0, maxTokens, List.of(), new int[0],
        id.hashCode(), ignore);
  }

  static int[] prompt(int length, int salt) {
    return IntStream.range(0, length).map(i -> (i * 7919 + salt * 104729) % 50_000).toArray();
  }

  /** vLLM's chain over the prompt's whole blocks, as the int64 its events carry. */
  static long[] expected(int[] prompt, int blocks) {
    BlockHasher hasher = new BlockHasher(BlockHashAlgo.SHA256_CBOR, "0");
    long[] out = new long[blocks];
    byte[] parent = null;
    for (int b = 0; b < blocks; b++) {
      parent = hasher.hash(parent, prompt, b * BS, (b + 1) * BS);
      out[b] = BlockHasher.toInt64(parent);
    }
    return out;
  }

  /** Runs steps until idle; returns how many schedule() calls were made. */
  static int runUntilIdle(EngineCore core) {
    int calls = 0;
    long now = 0;
    while (calls < 10_000) {
      StepPlan plan = core.schedule(now);
      calls++;
      if (plan == null) {
        return calls;
      }
      now = plan.endNanos();
      core.complete(plan);
    }
    throw new AssertionError("never idle");
  }

  // The hashes the listener hears are vLLM's sha256_cbor chain from NONE_HASH("0"), block 0
  // without a parent; they also name the KV-store keys of 16-token chunks.
  @Test
  void storedHashesAreVllmsChain() {
    EngineCore core = core(1000);
    int[] prompt = prompt(100, 3); // 6 whole blocks and 4 tokens
    core.add(request("a", prompt, 1), 0);
    core.schedule(0);
    assertThat(heard.stored).hasSize(1);
    Heard.Stored s = heard.stored.getFirst();
    long[] chain = expected(prompt, 6);
    assertThat(s.hashes()).containsExactly(chain);
    assertThat(s.parent()).isNull();
    assertThat(s.tokens()).containsExactly(Arrays.copyOf(prompt, 96));

    List<String> keys = new KvsKeys(KvsKeyFormat.of(KvsHashAlgo.SHA256_CBOR, BS, false))
        .keys(prompt, 96);
    for (int b = 0; b < 6; b++) {
      byte[] digest = HexFormat.of().parseHex(keys.get(b).substring(0, 64));
      assertThat(BlockHasher.toInt64(digest)).as("block %d", b).isEqualTo(chain[b]);
    }
  }

  // Blocks enter the cache when scheduled: a second request with the same prefix added before
  // the same schedule() call already hits, and only its new block is stored, chained on the
  // first request's last block.
  @Test
  void aSecondRequestInTheSameStepHits() {
    EngineCore core = core(1000);
    int[] shared = prompt(100, 4);
    int[] longer = IntStream.concat(IntStream.of(shared), IntStream.range(0, 20)).toArray();
    SimRequest first = request("a", shared, 1);
    SimRequest second = request("b", longer, 1);
    core.add(first, 0);
    core.add(second, 0);
    StepPlan plan = core.schedule(0);

    assertThat(plan.size()).isEqualTo(2);
    assertThat(first.numCachedTokens()).isZero();
    assertThat(second.numCachedTokens()).isEqualTo(96);
    assertThat(plan.tokens(1)).isEqualTo(120 - 96);
    assertThat(heard.stored).hasSize(2);
    long[] chain = expected(longer, 7);
    Heard.Stored b = heard.stored.get(1);
    assertThat(b.hashes()).containsExactly(chain[6]);
    assertThat(b.parent()).isEqualTo(chain[5]);
    assertThat(b.tokens()).containsExactly(Arrays.copyOfRange(longer, 96, 112));
    assertThat(heard.planned).isEqualTo(1);
  }

  // Reusing a free cached block evicts it: removed(hash) for each evicted hash, the last block
  // of a finished prompt first (blocks are freed in reverse).
  @Test
  void evictionReportsTheEvictedHashes() {
    EngineCore core = core(1 + 8); // 8 usable blocks
    int[] first = prompt(64, 5); // 4 blocks
    core.add(request("a", first, 1), 0);
    runUntilIdle(core);
    assertThat(heard.removed).isEmpty();

    core.add(request("b", prompt(96, 6), 1), 0); // 6 blocks: 4 free, 2 reused
    core.complete(core.schedule(0));
    long[] chain = expected(first, 4);
    assertThat(heard.removed).containsExactly(chain[3], chain[2]);
    // The step's evictions come before the step's stores, and both before its stepPlanned.
    assertThat(heard.log.subList(heard.log.size() - 4, heard.log.size()))
        .containsExactly("removed", "removed", "stored", "planned");
    runUntilIdle(core);

    // The evicted blocks are really gone: the first prompt now hits its first two blocks only.
    SimRequest again = request("c", first, 1);
    core.add(again, 0);
    runUntilIdle(core);
    assertThat(again.numCachedTokens()).isEqualTo(32);
  }

  // stepPlanned is called once per schedule(), also when nothing could run; a step's stores
  // are heard before its stepPlanned.
  @Test
  void stepPlannedOncePerSchedule() {
    EngineCore core = core(1000);
    assertThat(core.schedule(0)).isNull();
    assertThat(heard.planned).isEqualTo(1);
    core.add(request("a", prompt(40, 7), 3), 0);
    int calls = runUntilIdle(core);
    assertThat(heard.planned).isEqualTo(1 + calls);
    assertThat(heard.log.subList(0, 3)).containsExactly("planned", "stored", "planned");
    // 40 prompt + 3 output tokens: blocks 0 and 1 at the prefill; no block fills in decoding.
    assertThat(heard.stored).hasSize(1);
    assertThat(heard.stored.getFirst().hashes()).hasSize(2);
  }

  // Decoding that completes a block stores it, chained on the prompt's last block.
  @Test
  void aBlockFilledByOutputTokensIsStored() {
    EngineCore core = core(1000);
    int[] prompt = prompt(30, 8);
    core.add(request("a", prompt, 10), 0); // 30 + 10 tokens: block 1 fills during decoding
    runUntilIdle(core);
    assertThat(heard.stored).hasSize(2);
    long[] prefill = expected(prompt, 1);
    assertThat(heard.stored.get(0).hashes()).containsExactly(prefill);
    assertThat(heard.stored.get(1).parent()).isEqualTo(prefill[0]);
    assertThat(heard.stored.get(1).hashes()).hasSize(1);
    int[] blockOne = heard.stored.get(1).tokens();
    assertThat(Arrays.copyOf(blockOne, 14)).containsExactly(Arrays.copyOfRange(prompt, 16, 30));
  }
}
