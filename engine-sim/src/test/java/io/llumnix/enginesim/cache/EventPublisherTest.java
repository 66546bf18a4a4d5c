package io.llumnix.enginesim.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.EngineStats;
import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.enginesim.core.StepPlan;
import io.llumnix.kvs.events.AllBlocksCleared;
import io.llumnix.kvs.events.BlockRemoved;
import io.llumnix.kvs.events.BlockStored;
import io.llumnix.kvs.events.KvEvent;
import io.llumnix.kvs.events.KvEventBatch;
import io.llumnix.kvs.events.KvEventPublisher;
import io.llumnix.kvs.events.KvEventSubscriber;
import io.llumnix.kvs.events.KvEventsConfig;
import io.llumnix.kvs.hash.BlockHashAlgo;
import io.llumnix.kvs.hash.BlockHasher;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's prefix cache as vLLM KV-cache events, over a real publisher and subscriber on
 * 127.0.0.1 (ephemeral ports): one batch per step that had events, BlockStored parent linkage,
 * BlockRemoved grouping.
 */
class EventPublisherTest {

  static final int BS = 16;
  static final Duration PATIENCE = Duration.ofSeconds(10);
  static final List<KvEvent> MARKER = List.of(new AllBlocksCleared());

  final KvEventPublisher pub =
      new KvEventPublisher(KvEventsConfig.zmq("tcp://127.0.0.1:0", "tcp://127.0.0.1:0"));
  final EventPublisher events = new EventPublisher(pub);
  /** Batches received, by seq. */
  final ConcurrentSkipListMap<Long, KvEventBatch> received = new ConcurrentSkipListMap<>();
  final KvEventSubscriber sub = new KvEventSubscriber("tcp://127.0.0.1:" + pub.port(),
      "tcp://127.0.0.1:" + pub.replayPort(), "", new KvEventSubscriber.Listener() {
        @Override
        public void onEvents(long seq, KvEventBatch batch) {
          received.put(seq, batch);
        }

        @Override
        public void onReset(String reason) {
          received.put(-1L, new KvEventBatch(0, List.of(), null));
        }
      });

  @AfterEach
  void close() {
    sub.close();
    pub.close();
  }

  /**
   * Waits until the publisher has sent {@code count} batches, then publishes markers until the
   * subscriber (which may have joined late, and then replays from seq 0) has all of them.
   */
  List<List<KvEvent>> firstBatches(int count) {
    await().atMost(PATIENCE).until(() -> pub.publishedBatches() == count);
    await().atMost(PATIENCE).pollInSameThread().pollInterval(Duration.ofMillis(20)).until(() -> {
      if (received.keySet().stream().filter(seq -> seq >= 0 && seq < count).count() == count) {
        return true;
      }
      pub.publish(MARKER);
      return false;
    });
    assertThat(received).doesNotContainKey(-1L);
    return IntStream.range(0, count).mapToObj(seq -> received.get((long) seq).events())
        .toList();
  }

  static int[] range(int from, int to) {
    return IntStream.range(from, to).toArray();
  }

  // Stores and removals of one step go out as one batch, in the order they happened, with
  // consecutive removals grouped; a step with no event sends no batch.
  @Test
  void oneBatchPerStepWithParentLinkageAndGroupedRemovals() {
    long[] hashes = {11, 12, 13, 14};
    int[] tokens = range(0, 4 * BS);
    events.stored(hashes, 0, 2, BS, i -> tokens[i]);
    events.stored(hashes, 2, 3, BS, i -> tokens[i]);
    events.stepPlanned();
    events.stepPlanned(); // nothing happened: no batch
    events.removed(7);
    events.removed(8);
    events.stored(hashes, 3, 4, BS, i -> tokens[i]);
    events.removed(9);
    events.stepPlanned();

    List<List<KvEvent>> batches = firstBatches(2);
    assertThat(batches.get(0)).containsExactly(
        new BlockStored(new long[] {11, 12}, null, range(0, 2 * BS), BS),
        new BlockStored(new long[] {13}, 12L, range(2 * BS, 3 * BS), BS));
    assertThat(batches.get(1)).containsExactly(
        new BlockRemoved(7, 8),
        new BlockStored(new long[] {14}, 13L, range(3 * BS, 4 * BS), BS),
        new BlockRemoved(9));
    assertThat(received.tailMap(2L).values()).as("only markers follow")
        .allSatisfy(batch -> assertThat(batch.events()).isEqualTo(MARKER));
  }

  // Driven by a real engine core with vLLM's sha256_cbor hashes: the first step's batch holds
  // both requests' stores (the second hitting the first's blocks in the same step), a step with
  // evictions sends them before the new stores, and idle steps send nothing.
  @Test
  void anEngineCoreStreamsItsCacheStepByStep() {
    EngineCore core = new EngineCore(CoreConfig.builder().blockSize(BS).numGpuBlocks(1 + 10)
        .prefixHashAlgo(BlockHashAlgo.SHA256_CBOR).hashSeed("0").seed(1).build(),
        EngineStats.none(), events);
    int[] a = IntStream.range(0, 64).map(i -> 3 * i + 1).toArray(); // 4 blocks
    int[] b = IntStream.concat(IntStream.of(a), IntStream.range(0, 20)).toArray(); // 5 + 4
    core.add(request("a", a), 0);
    core.add(request("b", b), 0);
    StepPlan first = core.schedule(0);
    core.complete(first); // both finish after one token: 4 + 2 blocks free, all cached
    assertThat(core.schedule(first.endNanos())).isNull(); // idle: no batch
    int[] c = IntStream.range(0, 96).map(i -> 5 * i + 2).toArray(); // 6 blocks
    core.add(request("c", c), first.endNanos());
    core.schedule(first.endNanos());

    long[] chainB = chain(b, 5);
    long[] chainC = chain(c, 6);
    List<List<KvEvent>> batches = firstBatches(2);
    assertThat(batches.get(0)).containsExactly(
        new BlockStored(Arrays.copyOf(chainB, 4), null, Arrays.copyOf(a, 64), BS),
        new BlockStored(new long[] {chainB[4]}, chainB[3], Arrays.copyOfRange(b, 64, 80), BS));
    // 10 usable blocks; the free queue is 4 never-used blocks, then b's blocks last to first
    // (its partial block, its block 4, then the shared 0..3): c's 6 blocks evict block 4 only.
    assertThat(batches.get(1)).containsExactly(new BlockRemoved(chainB[4]),
        new BlockStored(chainC, null, Arrays.copyOf(c, 96), BS));
  }

  static long[] chain(int[] prompt, int blocks) {
    BlockHasher hasher = new BlockHasher(BlockHashAlgo.SHA256_CBOR, "0");
    long[] out = new long[blocks];
    byte[] parent = null;
    for (int i = 0; i < blocks; i++) {
      parent = hasher.hash(parent, prompt, i * BS, (i + 1) * BS);
      out[i] = BlockHasher.toInt64(parent);
    }
    return out;
  }

  static SimRequest request(String id, int[] prompt) {
    return new SimRequest(id, prompt, 1, true, 0, 1, List.of(), new int[0], 1,
        new RequestListener() {
          @Override
          public void onToken(SimRequest request, String text, long timeNanos) {}

          @Override
          public void onFinish(SimRequest request, FinishReason reason, long timeNanos) {}
        });
  }
}
