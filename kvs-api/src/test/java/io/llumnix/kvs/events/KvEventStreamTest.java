package io.llumnix.kvs.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** Publisher and subscriber over real TCP sockets on 127.0.0.1, on ephemeral ports. */
class KvEventStreamTest {

  private static final String ANY_PORT = "tcp://127.0.0.1:0";
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  /** What a subscriber told its listener, in order; a reset is logged as seq -1. */
  private static final class Recorder implements KvEventSubscriber.Listener {
    final List<Long> log = new CopyOnWriteArrayList<>();
    final List<KvEventBatch> batches = new CopyOnWriteArrayList<>();
    final List<String> resets = new CopyOnWriteArrayList<>();

    @Override
    public void onEvents(long seq, KvEventBatch batch) {
      batches.add(batch);
      log.add(seq);
    }

    @Override
    public void onReset(String reason) {
      resets.add(reason);
      log.add(-1L);
    }

    List<Long> seqs() {
      return log.stream().filter(seq -> seq >= 0).toList();
    }

    /** The seqs delivered since the last reset. */
    List<Long> seqsSinceReset() {
      List<Long> all = new ArrayList<>(log);
      return all.subList(all.lastIndexOf(-1L) + 1, all.size());
    }

    List<KvEvent> events() {
      return batches.stream().flatMap(batch -> batch.events().stream()).toList();
    }
  }

  private static List<KvEvent> stored(long hash) {
    return List.of(new BlockStored(new long[] {hash}, null, new int[] {1, 2}, 2));
  }

  private static KvEventsConfig withReplay(String topic) {
    KvEventsConfig base = KvEventsConfig.zmq(ANY_PORT, ANY_PORT);
    return new KvEventsConfig(true, "zmq", base.endpoint(), base.replayEndpoint(),
        base.bufferSteps(), base.hwm(), base.maxQueueSize(), topic);
  }

  private static KvEventSubscriber subscribe(KvEventPublisher pub, String topic, Recorder to) {
    String replay = pub.replayEndpoint() == null ? null : "tcp://127.0.0.1:" + pub.replayPort();
    return new KvEventSubscriber("tcp://127.0.0.1:" + pub.port(), replay, topic, to);
  }

  /** Publishes pings (hashes from 1000) until the condition holds: PUB/SUB joins late. */
  private static void pingUntil(KvEventPublisher pub, BooleanSupplier condition) {
    long[] next = {1000};
    await().atMost(PATIENCE).pollInSameThread().pollInterval(Duration.ofMillis(20)).until(() -> {
      if (condition.getAsBoolean()) {
        return true;
      }
      pub.publish(stored(next[0]++));
      return false;
    });
  }

  private static void assertContiguous(List<Long> seqs) {
    assertThat(seqs).isNotEmpty();
    long first = seqs.getFirst();
    assertThat(seqs).containsExactlyElementsOf(
        LongStream.range(first, first + seqs.size()).boxed().toList());
  }

  @Test
  void deliversBatchesInOrderWithTheirEventsAndClosesPromptly() {
    Recorder recorder = new Recorder();
    KvEventPublisher pub = new KvEventPublisher(withReplay("kv-events"));
    KvEventSubscriber sub = subscribe(pub, "kv-events", recorder);
    pingUntil(pub, () -> !recorder.batches.isEmpty());

    List<KvEvent> events = List.of(
        new BlockStored(new long[] {-5, 6}, 4L, new int[] {1, 2, 3, 4}, 2),
        new BlockRemoved(-5), new AllBlocksCleared());
    pub.publish(events);
    await().atMost(PATIENCE).until(() -> recorder.events().containsAll(events));

    assertThat(recorder.resets).isEmpty();
    assertThat(recorder.seqs().getFirst()).as("missed pings are replayed").isZero();
    assertContiguous(recorder.seqs());
    assertThat(recorder.batches.getLast().events()).isEqualTo(events);
    assertThat(recorder.batches.getLast().dataParallelRank()).isZero();
    long start = System.nanoTime();
    sub.close();
    pub.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
    pub.publish(stored(1));
    assertThat(pub.droppedBatches()).as("publishing after close drops").isEqualTo(1);
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() {
    KvEventsConfig base = KvEventsConfig.zmq(ANY_PORT, null);
    KvEventsConfig tiny = new KvEventsConfig(true, "zmq", base.endpoint(), null,
        base.bufferSteps(), base.hwm(), 1, "");
    try (KvEventPublisher pub = new KvEventPublisher(tiny)) {
      for (int i = 0; i < 10_000; i++) {
        pub.publish(stored(i));
      }
      await().atMost(PATIENCE)
          .until(() -> pub.publishedBatches() + pub.droppedBatches() == 10_000);
      assertThat(pub.droppedBatches()).isPositive();
    }
  }

  @Test
  void aLateSubscriberLearnsTheHistoryByReplay() {
    Recorder recorder = new Recorder();
    try (KvEventPublisher pub = new KvEventPublisher(withReplay(""))) {
      for (long hash = 1; hash <= 3; hash++) {
        pub.publish(stored(hash));
      }
      await().atMost(PATIENCE).until(() -> pub.publishedBatches() == 3);
      try (KvEventSubscriber sub = subscribe(pub, "", recorder)) {
        // The replayed batches are handed over one by one: the first alone proves nothing.
        pingUntil(pub, () -> recorder.seqs().size() >= 3);

        assertThat(recorder.resets).isEmpty();
        assertThat(recorder.seqs().subList(0, 3)).containsExactly(0L, 1L, 2L);
        assertContiguous(recorder.seqs());
        assertThat(recorder.events().subList(0, 3))
            .containsExactly(stored(1).getFirst(), stored(2).getFirst(), stored(3).getFirst());
      }
    }
  }

  @Test
  void aGapIsFilledByReplayInOrder() {
    Recorder recorder = new Recorder();
    try (KvEventPublisher pub = new KvEventPublisher(withReplay(""));
        KvEventSubscriber sub = subscribe(pub, "", recorder)) {
      pingUntil(pub, () -> !recorder.batches.isEmpty());

      pub.publishReplayOnly(stored(1)); // never broadcast: the subscriber sees a gap
      pub.publishReplayOnly(stored(2));
      pub.publish(stored(3));
      await().atMost(PATIENCE).until(() -> recorder.events().contains(stored(3).getFirst()));

      assertThat(recorder.resets).isEmpty();
      assertContiguous(recorder.seqs());
      List<KvEvent> events = recorder.events();
      assertThat(events.subList(events.size() - 3, events.size()))
          .containsExactly(stored(1).getFirst(), stored(2).getFirst(), stored(3).getFirst());
    }
  }

  @Test
  void aGapWithoutAReplayEndpointResetsAndGoesOn() {
    Recorder recorder = new Recorder();
    try (KvEventPublisher pub = new KvEventPublisher(KvEventsConfig.zmq(ANY_PORT, null));
        KvEventSubscriber sub = subscribe(pub, "", recorder)) {
      pingUntil(pub, () -> !recorder.batches.isEmpty());
      int resetsBefore = recorder.resets.size(); // joining after seq 0 is one already

      pub.publishReplayOnly(stored(1));
      pub.publish(stored(2));
      await().atMost(PATIENCE).until(() -> recorder.events().contains(stored(2).getFirst()));

      assertThat(recorder.resets).hasSize(resetsBefore + 1);
      assertThat(recorder.resets.getLast()).contains("no replay endpoint");
      assertThat(recorder.seqsSinceReset()).hasSize(1);
      assertThat(recorder.events()).doesNotContain(stored(1).getFirst());
    }
  }

  @Test
  void aGapTheReplayBufferNoLongerHoldsResets() {
    Recorder recorder = new Recorder();
    KvEventsConfig base = withReplay("");
    KvEventsConfig oneStep = new KvEventsConfig(true, "zmq", base.endpoint(),
        base.replayEndpoint(), 1, base.hwm(), base.maxQueueSize(), "");
    try (KvEventPublisher pub = new KvEventPublisher(oneStep);
        KvEventSubscriber sub = subscribe(pub, "", recorder)) {
      pingUntil(pub, () -> !recorder.batches.isEmpty());
      int resetsBefore = recorder.resets.size();

      pub.publishReplayOnly(stored(1));
      pub.publishReplayOnly(stored(2)); // pushes 1 out of the one-step buffer
      pub.publish(stored(3));
      await().atMost(PATIENCE).until(() -> recorder.events().contains(stored(3).getFirst()));

      assertThat(recorder.resets).hasSize(resetsBefore + 1);
      assertThat(recorder.resets.getLast()).contains("could not replay");
      assertThat(recorder.batches.getLast().events()).isEqualTo(stored(3));
      assertThat(recorder.seqsSinceReset()).hasSize(1);
    }
  }

  @Test
  void aRestartedPublisherResetsAndItsHistoryIsReplayedFromZero() {
    Recorder recorder = new Recorder();
    KvEventPublisher first = new KvEventPublisher(withReplay(""));
    int port = first.port();
    int replayPort = first.replayPort();
    try (KvEventSubscriber sub = subscribe(first, "", recorder)) {
      pingUntil(first, () -> recorder.seqs().size() >= 3);
      first.close();
      assertThat(recorder.resets).isEmpty();

      // the same ports; "*" because vLLM binds only wildcards (a host means: connect to it)
      try (KvEventPublisher second = new KvEventPublisher(
          KvEventsConfig.zmq("tcp://*:" + port, "tcp://*:" + replayPort))) {
        pingUntil(second, () -> !recorder.resets.isEmpty() && !recorder.seqsSinceReset().isEmpty());

        assertThat(recorder.resets).hasSize(1);
        assertThat(recorder.resets.getFirst()).containsAnyOf("restarted", "reconnect");
        assertThat(recorder.seqsSinceReset().getFirst()).isZero();
        assertContiguous(recorder.seqsSinceReset());
      }
    }
  }

  @Test
  void malformedMessagesAreCountedAndSkipped() {
    Recorder recorder = new Recorder();
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket raw = context.createSocket(SocketType.PUB);
      raw.bind(ANY_PORT);
      String endpoint = raw.getLastEndpoint();
      try (KvEventSubscriber sub = new KvEventSubscriber(endpoint, null, "", recorder)) {
        long[] seq = {0};
        await().atMost(PATIENCE).pollInSameThread().pollInterval(Duration.ofMillis(20))
            .until(() -> {
              if (recorder.batches.size() >= 2 && sub.malformedMessages() >= 4) {
                return true;
              }
              send(raw, "", seq[0]++, new byte[] {(byte) 0xc1}); // not msgpack
              send(raw, "", seq[0]++, KvEventCodec.encode(batch(7)));
              raw.send("one frame only".getBytes(StandardCharsets.UTF_8));
              return false;
            });

        assertThat(recorder.resets).hasSizeLessThanOrEqualTo(1); // joining after seq 0
        assertThat(recorder.batches).allSatisfy(b -> assertThat(b).isEqualTo(batch(7)));
        assertThat(sub.lastSeq()).isPositive();
      }
    }
  }

  @Test
  void theSubscriberSeesOnlyItsTopic() {
    Recorder recorder = new Recorder();
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket raw = context.createSocket(SocketType.PUB);
      raw.bind(ANY_PORT);
      try (KvEventSubscriber sub =
          new KvEventSubscriber(raw.getLastEndpoint(), null, "kv-a", recorder)) {
        long[] seq = {0};
        await().atMost(PATIENCE).pollInSameThread().pollInterval(Duration.ofMillis(20))
            .until(() -> {
              if (recorder.batches.size() >= 3) {
                return true;
              }
              send(raw, "kv-b", 1000 + seq[0], KvEventCodec.encode(batch(2)));
              send(raw, "kv-a", seq[0]++, KvEventCodec.encode(batch(1)));
              return false;
            });

        assertThat(recorder.batches).allSatisfy(b -> assertThat(b).isEqualTo(batch(1)));
        assertContiguous(recorder.seqs());
        assertThat(sub.malformedMessages()).isZero();
      }
    }
  }

  private static KvEventBatch batch(int rank) {
    return new KvEventBatch(1.5, List.of(new BlockRemoved(rank)), rank);
  }

  private static void send(ZMQ.Socket pub, String topic, long seq, byte[] payload) {
    pub.sendMore(topic.getBytes(StandardCharsets.UTF_8));
    pub.sendMore(Frames.seq(seq));
    pub.send(payload);
  }
}
