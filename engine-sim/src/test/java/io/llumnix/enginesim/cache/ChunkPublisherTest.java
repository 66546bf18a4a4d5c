package io.llumnix.enginesim.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.EngineStats;
import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.enginesim.core.StepPlan;
import io.llumnix.kvs.hash.BlockHashAlgo;
import io.llumnix.kvs.hash.KvsHashAlgo;
import io.llumnix.kvs.hash.KvsKeyFormat;
import io.llumnix.kvs.hash.KvsKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KV-store chunk keys published from the prefix cache's stores and evictions. */
class ChunkPublisherTest {

  static final int BS = 16;
  static final int CHUNK = 32; // two blocks per chunk
  static final String EP = "10.0.0.1:28000";
  static final KvsKeyFormat FORMAT = KvsKeyFormat.of(KvsHashAlgo.SHA256_CBOR, CHUNK, false);
  static final int[] PROMPT = IntStream.range(0, 4 * CHUNK).map(i -> 1000 + 7 * i).toArray();
  /** Engine hashes of the prompt's 8 blocks (the publisher only maps them to chunks). */
  static final long[] HASHES = LongStream.range(500, 508).toArray();
  static final List<String> KEYS = new KvsKeys(FORMAT).keys(PROMPT, PROMPT.length);

  /** Records writes and keeps the store's keys; fails the first {@code failFirst} writes. */
  static final class MemoryWriter implements ChunkWriter {
    final List<String> calls = new ArrayList<>();
    final Set<String> store = new HashSet<>();
    int failFirst;
    /** When set, writes stay in flight until the test completes this promise. */
    Promise<Void> hold;

    private Future<Void> write(String op, Collection<String> keys, Runnable apply) {
      calls.add(op + " " + List.copyOf(keys));
      if (failFirst > 0) {
        failFirst--;
        return Future.failedFuture(new RuntimeException("store down"));
      }
      if (hold != null) {
        return hold.future().onSuccess(ignored -> apply.run());
      }
      apply.run();
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> put(String endpoint, Collection<String> keys) {
      assertThat(endpoint).isEqualTo(EP);
      return write("put", keys, () -> store.addAll(keys));
    }

    @Override
    public Future<Void> remove(String endpoint, Collection<String> keys) {
      return write("remove", keys, () -> store.removeAll(keys));
    }

    @Override
    public Future<Void> removeEndpoint(String endpoint, Collection<String> known) {
      return write("removeEndpoint", known, store::clear);
    }

    @Override
    public Future<Void> close() {
      calls.add("close");
      return Future.succeededFuture();
    }
  }

  final MemoryWriter writer = new MemoryWriter();
  final ChunkPublisher publisher = new ChunkPublisher(FORMAT, BS, writer, EP);

  /** Started as engines start it: the endpoint cleared first. */
  @BeforeEach
  void start() {
    publisher.start();
    writer.calls.clear();
  }

  void stored(int from, int to) {
    publisher.stored(HASHES, from, to, BS, i -> PROMPT[i]);
  }

  // A key is advertised only once both its blocks are stored, runs spanning a chunk boundary
  // included; keys are the scheduler's KvsKeys over the prompt; one write per step.
  @Test
  void aChunkIsAdvertisedOnceAllItsBlocksAreStored() {
    stored(0, 1);
    publisher.stepPlanned();
    assertThat(writer.calls).isEmpty();
    stored(1, 3); // completes chunk 0, half of chunk 1
    publisher.stepPlanned();
    assertThat(writer.calls).containsExactly("put " + List.of(KEYS.get(0)));
    stored(3, 8); // completes chunks 1, 2 and 3 in one run
    publisher.stepPlanned();
    assertThat(writer.calls.getLast()).isEqualTo("put " + KEYS.subList(1, 4));
    assertThat(writer.store).containsExactlyInAnyOrderElementsOf(KEYS);
    assertThat(publisher.advertised()).containsExactlyInAnyOrderElementsOf(KEYS);
    assertThat(writer.calls).hasSize(2);
  }

  // Evicting any block of a chunk removes its key, once; storing the block again re-advertises.
  @Test
  void evictionRemovesTheKeyOnceAndAReStoreAdvertisesItAgain() {
    stored(0, 4);
    publisher.stepPlanned();
    publisher.removed(HASHES[3]); // chunk 1's second block
    publisher.stepPlanned();
    assertThat(writer.calls.getLast()).isEqualTo("remove " + List.of(KEYS.get(1)));
    publisher.removed(HASHES[2]); // chunk 1's first block: the key is already gone
    publisher.removed(12345); // not a block of any published chunk
    publisher.stepPlanned();
    assertThat(writer.calls).hasSize(2);
    assertThat(writer.store).containsExactly(KEYS.get(0));

    stored(2, 4);
    publisher.stepPlanned();
    assertThat(writer.calls.getLast()).isEqualTo("put " + List.of(KEYS.get(1)));
    assertThat(writer.store).containsExactlyInAnyOrder(KEYS.get(0), KEYS.get(1));
  }

  // Changes of one key within a step are folded: the last state is the only one written.
  @Test
  void changesWithinAStepAreFoldedPerKey() {
    stored(0, 2);
    publisher.removed(HASHES[0]);
    publisher.stepPlanned();
    assertThat(writer.calls).containsExactly("remove " + List.of(KEYS.get(0)));
    assertThat(writer.store).isEmpty();
  }

  // A failed write is retried at the next step, not at once.
  @Test
  void aFailedWriteIsRetriedAtTheNextStep() {
    writer.failFirst = 1;
    stored(0, 2);
    publisher.stepPlanned();
    assertThat(writer.calls).hasSize(1);
    assertThat(writer.store).isEmpty();
    publisher.stepPlanned();
    assertThat(writer.calls).containsExactly("put " + List.of(KEYS.get(0)),
        "put " + List.of(KEYS.get(0)));
    assertThat(writer.store).containsExactly(KEYS.get(0));
  }

  // A change heard while a write is in flight waits for it; if that write fails, the newer
  // change wins over re-sending the failed one.
  @Test
  void aNewerChangeWinsOverAFailedWrite() {
    writer.hold = Promise.promise();
    stored(0, 2);
    publisher.stepPlanned();
    publisher.removed(HASHES[1]); // meanwhile the chunk is evicted
    publisher.stepPlanned();
    assertThat(writer.calls).as("one write at a time").hasSize(1);
    writer.hold.fail("store down");
    writer.hold = null;
    assertThat(writer.calls).as("after a failure, wait for the next step").hasSize(1);
    publisher.stepPlanned();
    assertThat(writer.calls).containsExactly("put " + List.of(KEYS.get(0)),
        "remove " + List.of(KEYS.get(0)));
    publisher.stepPlanned();
    assertThat(writer.calls).hasSize(2);
  }

  // Writes are chained: what came during a successful write is written as soon as it ends.
  @Test
  void changesDuringAWriteFollowItWhenItSucceeds() {
    writer.hold = Promise.promise();
    stored(0, 2);
    publisher.stepPlanned();
    stored(2, 4);
    publisher.stepPlanned();
    assertThat(writer.calls).hasSize(1);
    Promise<Void> first = writer.hold;
    writer.hold = null;
    first.complete();
    assertThat(writer.calls).containsExactly("put " + List.of(KEYS.get(0)),
        "put " + List.of(KEYS.get(1)));
    assertThat(writer.store).containsExactlyInAnyOrder(KEYS.get(0), KEYS.get(1));
  }

  // start() clears the endpoint; close() removes what is advertised, then closes the writer.
  @Test
  void startAndClose() {
    assertThat(publisher.start().succeeded()).isTrue();
    stored(0, 2);
    publisher.stepPlanned();
    assertThat(publisher.close().succeeded()).isTrue();
    assertThat(writer.calls).containsExactly("removeEndpoint []", "put " + List.of(KEYS.get(0)),
        "removeEndpoint " + List.of(KEYS.get(0)), "close");
  }

  // A chunk must be whole blocks.
  @Test
  void aChunkSizeThatIsNotAMultipleOfTheBlockSizeIsRejected() {
    assertThatThrownBy(() -> new ChunkPublisher(KvsKeyFormat.of(KvsHashAlgo.SHA256_CBOR, 40,
        false), BS, writer, EP)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiple");
  }

  // Driven by a real engine core: after a prompt's prefill the store holds exactly the keys
  // the scheduler computes for the prompt's whole chunks.
  @Test
  void anEngineAdvertisesThePromptsKeys() {
    ChunkPublisher engineChunks = new ChunkPublisher(FORMAT, BS, writer, EP);
    engineChunks.start();
    EngineCore core = new EngineCore(CoreConfig.builder().blockSize(BS).numGpuBlocks(1000)
        .prefixHashAlgo(BlockHashAlgo.SHA256_CBOR).hashSeed("0").build(), EngineStats.none(),
        engineChunks);
    int[] prompt = IntStream.range(0, 3 * CHUNK + 10).map(i -> 7 * i + 3).toArray();
    core.add(new SimRequest("a", prompt, 1, true, 0, 1, List.of(), new int[0], 1,
        new RequestListener() {
          @Override
          public void onToken(SimRequest request, String text, long timeNanos) {}

          @Override
          public void onFinish(SimRequest request, FinishReason reason, long timeNanos) {}
        }), 0);
    StepPlan plan = core.schedule(0);
    assertThat(plan).isNotNull();
    assertThat(writer.store).containsExactlyInAnyOrderElementsOf(
        new KvsKeys(FORMAT).keys(prompt, 3 * CHUNK));
  }

  // A store down when the engine starts is cleared with the first write, before any key of
  // this run: what an earlier run left there never stays.
  @Test
  void aStoreDownAtStartIsClearedBeforeTheFirstWrite() {
    ChunkPublisher late = new ChunkPublisher(FORMAT, BS, writer, EP);
    writer.store.add("left-by-an-earlier-run");
    writer.failFirst = 1;
    late.start();
    stored(late, 0, 2);
    late.stepPlanned();
    assertThat(writer.store).containsExactly(KEYS.get(0));
    assertThat(writer.calls).containsExactly("removeEndpoint []", "removeEndpoint []",
        "put " + List.of(KEYS.get(0)));
  }

  void stored(ChunkPublisher to, int from, int end) {
    to.stored(HASHES, from, end, BS, i -> PROMPT[i]);
  }
}
