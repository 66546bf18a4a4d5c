package io.llumnix.kvs.events;

import io.llumnix.kvs.events.ReplayClient.Replayed;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;
import org.zeromq.ZMsg;

/**
 * Follows one publisher's KV-event stream and hands its batches to a {@link Listener} in
 * sequence order, each exactly once, on its own daemon thread.
 *
 * <ul>
 *   <li>A gap in the sequence (the PUB socket dropped messages, or this subscriber joined late)
 *       is filled by asking the replay endpoint for the missing batches, delivered in order
 *       before the message that revealed the gap; a late joiner so learns the history from 0.
 *   <li>When the gap cannot be filled (no replay endpoint, or the replay buffer no longer holds
 *       it), or the publisher restarted, the listener gets {@link Listener#onReset}: what it
 *       learned from this source no longer describes the publisher. The stream then goes on
 *       from the message that revealed it (after replaying the restarted publisher's history,
 *       when the replay endpoint has it).
 *   <li>A restart shows as the sequence going back, or as a reconnect after which the replay
 *       endpoint no longer has the last batch received, byte for byte (a restarted publisher
 *       may already be past the old seq when the subscriber reconnects). Without a replay
 *       endpoint every reconnect counts as a restart.
 *   <li>A message that does not decode is counted ({@link #malformedMessages()}) and skipped.
 * </ul>
 */
public final class KvEventSubscriber implements AutoCloseable {

  /** Receives a source's batches; called on the subscriber's thread, one call at a time. */
  public interface Listener {

    /** The batch numbered {@code seq}, in order, with no gap since the last one or reset. */
    void onEvents(long seq, KvEventBatch batch);

    /** Forget what this source said so far; {@code reason} says why, for the log. */
    void onReset(String reason);
  }

  private static final System.Logger logger =
      System.getLogger(KvEventSubscriber.class.getName());
  /** How long a replay may take before the gap counts as not replayable. */
  public static final Duration DEFAULT_REPLAY_TIMEOUT = Duration.ofSeconds(2);
  private static final long POLL_MS = 100; // how quickly the thread notices close()
  private static final int SUB_HWM = 100_000; // vLLM's PUB default: room while a replay runs
  private static final int MAX_MESSAGES_PER_POLL = 1_000;

  private final String endpoint;
  private final Listener listener;
  private final ZContext context;
  private final boolean ownsContext;
  private final ZMQ.Socket sub;
  private final ZMQ.Socket monitor;
  private final @Nullable ReplayClient replay;
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final Thread thread;
  private volatile boolean closing;
  private volatile long lastSeq = -1; // written by the thread only
  private boolean reconnected;
  private byte[] lastPayload = Frames.EMPTY; // of lastSeq: tells the same publisher from a new one

  /**
   * Subscribes to {@code topic} (a prefix) on {@code endpoint} with its own ZeroMQ context.
   *
   * @param endpoint the publisher's PUB endpoint; bound instead when it is a wildcard (for a
   *     publisher that connects)
   * @param replayEndpoint the publisher's replay endpoint, or null when it has none
   */
  public KvEventSubscriber(
      String endpoint, @Nullable String replayEndpoint, String topic, Listener listener) {
    this(endpoint, replayEndpoint, topic, listener, DEFAULT_REPLAY_TIMEOUT, null);
  }

  /**
   * Subscribes, in {@code sharedContext} when given (left open on {@link #close()}).
   *
   * @param replayTimeout how long to wait for a replay to end before resetting instead
   * @throws IllegalStateException when the endpoint cannot be bound or connected
   */
  public KvEventSubscriber(String endpoint, @Nullable String replayEndpoint, String topic,
      Listener listener, Duration replayTimeout, @Nullable ZContext sharedContext) {
    this.endpoint = endpoint;
    this.listener = Objects.requireNonNull(listener, "listener");
    this.ownsContext = sharedContext == null;
    this.context = sharedContext != null ? sharedContext : new ZContext(1);
    ZMQ.Socket subSocket = null;
    ZMQ.Socket monitorSocket = null;
    try {
      subSocket = context.createSocket(SocketType.SUB);
      subSocket.setLinger(0);
      subSocket.setRcvHWM(SUB_HWM);
      subSocket.setHandshakeIvl(Endpoints.CONNECT_HANDSHAKE_MS);
      // a restarted publisher shows up as a reconnect: watch for the disconnect before it
      String monitorAddress = "inproc://kv-events-monitor-" + UUID.randomUUID();
      subSocket.monitor(monitorAddress, ZMQ.EVENT_DISCONNECTED);
      monitorSocket = context.createSocket(SocketType.PAIR);
      monitorSocket.setLinger(0);
      monitorSocket.connect(monitorAddress);
      subSocket.subscribe(topic.getBytes(StandardCharsets.UTF_8));
      if (Endpoints.binds(endpoint)) {
        subSocket.bind(endpoint);
      } else {
        subSocket.connect(endpoint);
      }
      this.replay = replayEndpoint == null ? null
          : new ReplayClient(context, replayEndpoint, replayTimeout, () -> closing);
    } catch (RuntimeException e) { // jeromq throws ZMQException, or worse
      for (ZMQ.Socket socket : new ZMQ.Socket[] {monitorSocket, subSocket}) {
        if (socket != null) {
          socket.close();
        }
      }
      if (ownsContext) {
        context.close();
      }
      throw new IllegalStateException(
          "KV events: cannot subscribe to " + endpoint + ": " + e.getMessage(), e);
    }
    this.sub = subSocket;
    this.monitor = monitorSocket;
    // Thread.start() is the memory barrier that lets the sockets move to their owning thread
    this.thread = Thread.ofPlatform().daemon().name("kv-events-subscriber " + endpoint)
        .start(this::run);
  }

  /** The last seq delivered or skipped as malformed, or -1 before the first. */
  public long lastSeq() {
    return lastSeq;
  }

  /** How many messages (live or replayed) did not decode and were skipped. */
  public long malformedMessages() {
    return malformed.get();
  }

  /** How many batches the listener has been given. */
  public long deliveredBatches() {
    return delivered.get();
  }

  /** Stops the thread and closes the sockets; returns within about a second. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      logger.log(Level.WARNING, "KV events subscriber " + endpoint + " did not stop in 1 s");
    }
    if (ownsContext) {
      context.close();
    }
  }

  private void run() {
    ZMQ.Poller poller = context.createPoller(2);
    int subIndex = poller.register(sub, ZMQ.Poller.POLLIN);
    int monitorIndex = poller.register(monitor, ZMQ.Poller.POLLIN);
    try {
      while (!closing) {
        if (poller.poll(POLL_MS) <= 0) {
          continue;
        }
        // Messages first, then disconnects: a message still queued from the old connection
        // must not use up the disconnect, while a new connection's first message cannot come
        // before the reconnect interval (100 ms) has passed since the disconnect.
        if (poller.pollin(subIndex)) {
          for (int i = 0; i < MAX_MESSAGES_PER_POLL && !closing; i++) {
            ZMsg message = ZMsg.recvMsg(sub, ZMQ.DONTWAIT);
            if (message == null) {
              break;
            }
            onMessage(message);
          }
        }
        if (poller.pollin(monitorIndex)) {
          for (ZEvent event; (event = ZEvent.recv(monitor, ZMQ.DONTWAIT)) != null; ) {
            reconnected |= event.getEvent() == ZMonitor.Event.DISCONNECTED;
          }
        }
      }
    } catch (RuntimeException e) { // ZMQException when a shared context is closed under us
      if (!closing) {
        logger.log(Level.ERROR, "KV events subscriber " + endpoint + " stopped", e);
      }
    } finally {
      poller.close();
      if (replay != null) {
        replay.close();
      }
      sub.monitor(null, 0);
      monitor.close();
      sub.close();
    }
  }

  private void onMessage(ZMsg message) {
    if (message.size() != 3) {
      skipMalformed("a message of " + message.size() + " frames, not 3");
      return;
    }
    message.pop(); // the topic: the SUB socket has filtered on it already
    long seq = Frames.seqOf(message.pop().getData());
    byte[] payload = message.pop().getData();
    if (seq < 0) {
      skipMalformed("a message whose seq frame is not an 8-byte number");
      return;
    }
    String reset = null;
    if (lastSeq >= 0 && seq <= lastSeq) {
      reset = "the publisher restarted: seq went from " + lastSeq + " to " + seq;
    } else if (lastSeq >= 0 && reconnected) {
      reset = samePublisherAsBefore();
      if (closing) {
        return; // the replay was cut short by close(): nothing to conclude
      }
    }
    reconnected = false;
    if (reset != null) {
      lastSeq = -1;
    }
    long expected = lastSeq + 1;
    ReplayClient.Result filled = null;
    if (seq > expected) {
      String missed = (expected == 0 && reset == null ? "joined at seq " + seq + ", missing "
          : "missed ") + seqs(expected, seq);
      if (replay == null) {
        reset = join(reset, missed + " and there is no replay endpoint");
      } else {
        filled = replay.fetch(expected, seq);
        if (closing) {
          return; // the replay was cut short by close(): no reset to report
        }
        if (!filled.covered()) {
          reset = join(reset, missed + " and could not replay them: " + filled.problem());
          filled = null;
        }
      }
    }
    if (reset != null) {
      logger.log(Level.INFO, "KV events from " + endpoint + ": reset: " + reset);
      try {
        listener.onReset(reset);
      } catch (RuntimeException e) {
        logger.log(Level.WARNING, "KV events listener failed on a reset", e);
      }
    }
    if (filled != null) {
      for (Replayed replayed : filled.batches()) {
        deliver(replayed.seq(), replayed.payload());
      }
    }
    deliver(seq, payload);
  }

  /**
   * After a reconnect: null when the replay endpoint still has the last batch received as it
   * was received, else why the publisher is taken for a new one.
   */
  private @Nullable String samePublisherAsBefore() {
    String taken = "reconnected to the publisher and took it for a restarted one: ";
    if (replay == null) {
      return taken + "without a replay endpoint there is no telling";
    }
    ReplayClient.Result last = replay.fetch(lastSeq, lastSeq + 1);
    if (!last.covered()) {
      return taken + "it cannot replay seq " + lastSeq + " (" + last.problem() + ")";
    }
    if (!Arrays.equals(last.batches().getFirst().payload(), lastPayload)) {
      return taken + "its seq " + lastSeq + " is not the one received before";
    }
    return null;
  }

  private void deliver(long seq, byte[] payload) {
    lastSeq = seq; // even when malformed: replaying it would only bring the same bytes
    lastPayload = payload;
    KvEventBatch batch;
    try {
      batch = KvEventCodec.decode(payload);
    } catch (IllegalArgumentException e) {
      skipMalformed("seq " + seq + ": " + e.getMessage());
      return;
    }
    delivered.incrementAndGet();
    try {
      listener.onEvents(seq, batch);
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "KV events listener failed on seq " + seq, e);
    }
  }

  private void skipMalformed(String what) {
    long count = malformed.incrementAndGet();
    // the first few say what is wrong; after that a flood would only fill the log
    if (count <= 10 || Long.bitCount(count) == 1) {
      logger.log(Level.WARNING, "KV events from " + endpoint + ": skipped " + what
          + " (" + count + " malformed so far)");
    }
  }

  /** "seq 4" or "seqs 4..9", for {@code from} to {@code until} exclusive. */
  static String seqs(long from, long until) {
    return until - from == 1 ? "seq " + from : "seqs " + from + ".." + (until - 1);
  }

  private static String join(@Nullable String first, String second) {
    return first == null ? second : first + "; then " + second;
  }
}
