package io.llumnix.kvs.events;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * Publishes KV-event batches the way vLLM's {@code ZmqEventPublisher} does: one message per
 * batch on a PUB socket, sequence numbers from 0, and the last {@code buffer_steps} batches kept
 * for subscribers that ask a ROUTER socket to replay what they missed.
 *
 * <p>ZeroMQ sockets are not thread-safe, so they belong to one daemon thread; {@link #publish}
 * only queues, from any thread, and never blocks. When the queue ({@code max_queue_size}) is
 * full the batch is dropped and counted ({@link #droppedBatches()}), where vLLM would block its
 * engine loop; the PUB socket drops at its high-water mark ({@code hwm}), as vLLM's does.
 */
public final class KvEventPublisher implements AutoCloseable {

  private static final System.Logger logger = System.getLogger(KvEventPublisher.class.getName());
  private static final long IDLE_POLL_MS = 1_000;
  private static final long CLOSE_DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  // how long the last batches may take to leave on close (vLLM gives them no time at all)
  private static final int CLOSE_LINGER_MS = 100;

  /** A batch waiting for the thread; {@code broadcast} false only in tests, to force a gap. */
  private record Outgoing(KvEventBatch batch, boolean broadcast) {}

  /** A published batch, kept for replays. */
  private record Sent(long seq, byte[] payload) {}

  private final KvEventsConfig config;
  private final int dataParallelRank;
  private final BlockingQueue<Outgoing> queue;
  private final ArrayDeque<Sent> replayBuffer = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final ZContext context;
  private final boolean ownsContext;
  private final ZMQ.Socket pub;
  private final ZMQ.@Nullable Socket replay;
  private final byte[] topic;
  private final String endpoint;
  private final @Nullable String replayEndpoint;
  // publish() cannot touch the sockets, so it wakes the thread's poll through a pipe; the flag
  // keeps that to one write per wake-up instead of one per batch
  private final Pipe wakeup;
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final Thread thread;
  private volatile boolean closing;
  private volatile long closeDeadline;

  /** Publishes on {@code config}'s endpoints with its own ZeroMQ context, as rank 0. */
  public KvEventPublisher(KvEventsConfig config) {
    this(config, 0, null);
  }

  /**
   * Binds (or connects) the PUB socket and binds the replay socket, then starts the thread.
   *
   * @param dataParallelRank written into batches that do not carry one, as vLLM does; the
   *     endpoints are used as given (apply {@link KvEventsConfig#withPortOffset} first)
   * @param sharedContext a context to make the sockets in, left open on {@link #close()}; null
   *     for a context of our own
   * @throws IllegalStateException when an endpoint cannot be bound, e.g. its port is taken
   */
  public KvEventPublisher(
      KvEventsConfig config, int dataParallelRank, @Nullable ZContext sharedContext) {
    this.config = config;
    this.dataParallelRank = dataParallelRank;
    this.queue = config.maxQueueSize() == 0
        ? new LinkedBlockingQueue<>() : new ArrayBlockingQueue<>(config.maxQueueSize());
    this.topic = config.topic().getBytes(StandardCharsets.UTF_8);
    this.ownsContext = sharedContext == null;
    this.context = sharedContext != null ? sharedContext : new ZContext(1);
    Pipe pipe = null;
    ZMQ.Socket pubSocket = null;
    ZMQ.Socket replaySocket = null;
    try {
      pipe = Pipe.open();
      pipe.source().configureBlocking(false);
      pubSocket = context.createSocket(SocketType.PUB);
      pubSocket.setLinger(CLOSE_LINGER_MS);
      pubSocket.setSndHWM(config.hwm());
      if (config.binds()) {
        pubSocket.bind(config.endpoint());
        this.endpoint = pubSocket.getLastEndpoint();
      } else {
        pubSocket.setHandshakeIvl(Endpoints.CONNECT_HANDSHAKE_MS);
        pubSocket.connect(config.endpoint());
        this.endpoint = config.endpoint();
      }
      String replayAt = config.replayEndpoint();
      if (replayAt != null) {
        replaySocket = context.createSocket(SocketType.ROUTER);
        replaySocket.setLinger(0);
        // a replay is up to buffer_steps messages at once; past its HWM a ROUTER drops silently
        replaySocket.setSndHWM(config.hwm() == 0 ? 0
            : Math.max(config.hwm(), config.bufferSteps() + 1));
        replaySocket.bind(replayAt);
        this.replayEndpoint = replaySocket.getLastEndpoint();
      } else {
        this.replayEndpoint = null;
      }
    } catch (IOException | RuntimeException e) { // jeromq throws ZMQException, or worse
      release(pipe, pubSocket, replaySocket);
      throw new IllegalStateException("KV events: cannot open " + config.endpoint()
          + (config.replayEndpoint() == null ? "" : " / " + config.replayEndpoint())
          + ": " + e.getMessage(), e);
    }
    this.wakeup = pipe;
    this.pub = pubSocket;
    this.replay = replaySocket;
    // Thread.start() is the memory barrier that lets the sockets move to their owning thread
    this.thread = Thread.ofPlatform().daemon().name("kv-events-publisher " + endpoint)
        .start(this::run);
  }

  /** Queues {@code events} as one batch stamped now; never blocks. */
  public void publish(List<KvEvent> events) {
    publish(new KvEventBatch(System.currentTimeMillis() / 1000.0, events, dataParallelRank));
  }

  /**
   * Queues {@code batch} (with this publisher's rank if it has none); never blocks. After
   * {@link #close()}, or when the queue is full, the batch is dropped and counted.
   */
  public void publish(KvEventBatch batch) {
    enqueue(batch, true);
  }

  /**
   * Test hook: numbers and buffers the batch for replay but does not broadcast it, as if the
   * PUB socket had dropped it, so that subscribers see a gap they can fill.
   */
  void publishReplayOnly(List<KvEvent> events) {
    enqueue(new KvEventBatch(System.currentTimeMillis() / 1000.0, events, dataParallelRank),
        false);
  }

  /** The PUB endpoint: the bound address with its actual port, or the one connected to. */
  public String endpoint() {
    return endpoint;
  }

  /** The PUB endpoint's TCP port (the actual one when it was 0), or -1 when it has none. */
  public int port() {
    return Endpoints.tcpPort(endpoint);
  }

  /** The bound replay endpoint with its actual port, or null without replays. */
  public @Nullable String replayEndpoint() {
    return replayEndpoint;
  }

  /** The replay endpoint's TCP port, or -1 when there is none. */
  public int replayPort() {
    return replayEndpoint == null ? -1 : Endpoints.tcpPort(replayEndpoint);
  }

  /** How many batches have been numbered and sent, which is also the next sequence number. */
  public long publishedBatches() {
    return published.get();
  }

  /** How many batches were dropped because the queue was full or the publisher closed. */
  public long droppedBatches() {
    return dropped.get();
  }

  /** The configuration this publisher was started with. */
  public KvEventsConfig config() {
    return config;
  }

  /**
   * Sends what is still queued (for at most half a second), then closes the sockets; returns
   * within about a second.
   */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closeDeadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
    closing = true;
    wake();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      logger.log(Level.WARNING, "KV events publisher " + endpoint + " did not stop in 1 s");
    }
    if (ownsContext) {
      context.close();
    }
    closeQuietly(wakeup.sink());
    closeQuietly(wakeup.source());
  }

  private void enqueue(KvEventBatch batch, boolean broadcast) {
    if (closing) {
      dropped.incrementAndGet();
      return;
    }
    KvEventBatch ranked = batch.dataParallelRank() != null ? batch
        : new KvEventBatch(batch.timestampSeconds(), batch.events(), dataParallelRank);
    if (queue.offer(new Outgoing(ranked, broadcast))) {
      wake();
    } else {
      dropped.incrementAndGet();
    }
  }

  private void wake() {
    if (wakeupPending.compareAndSet(false, true)) {
      try {
        wakeup.sink().write(ByteBuffer.wrap(new byte[] {1}));
      } catch (IOException e) {
        // closed: the thread is stopping anyway
      }
    }
  }

  private void run() {
    ZMQ.Poller poller = context.createPoller(2);
    poller.register(wakeup.source(), ZMQ.Poller.POLLIN);
    if (replay != null) {
      poller.register(replay, ZMQ.Poller.POLLIN);
    }
    long nextSeq = 0;
    try {
      while (!closing || (!queue.isEmpty() && System.nanoTime() < closeDeadline)) {
        wakeupPending.set(false); // before draining: a batch queued after this wakes us again
        drainWakeups();
        for (Outgoing next; (next = queue.poll()) != null; nextSeq++) {
          send(nextSeq, next);
          if (closing && System.nanoTime() >= closeDeadline) {
            break;
          }
        }
        if (replay != null) {
          serveReplays(replay);
        }
        if (!closing) {
          poller.poll(IDLE_POLL_MS);
        }
      }
    } catch (RuntimeException e) { // ZMQException when a shared context is closed under us
      if (!closing) {
        logger.log(Level.ERROR, "KV events publisher " + endpoint + " stopped", e);
      }
    } finally {
      poller.close();
      pub.close();
      if (replay != null) {
        replay.close();
      }
    }
  }

  private void send(long seq, Outgoing next) {
    byte[] payload = KvEventCodec.encode(next.batch());
    if (next.broadcast()) {
      pub.sendMore(topic);
      pub.sendMore(Frames.seq(seq));
      pub.send(payload, ZMQ.DONTWAIT); // a PUB drops rather than blocks at its HWM
    }
    if (config.bufferSteps() > 0) {
      if (replayBuffer.size() == config.bufferSteps()) {
        replayBuffer.removeFirst();
      }
      replayBuffer.addLast(new Sent(seq, payload));
    }
    published.set(seq + 1);
  }

  /** Answers every waiting request: [identity, "", start] gets each buffered seq ≥ start. */
  private void serveReplays(ZMQ.Socket router) {
    for (ZMsg request; (request = ZMsg.recvMsg(router, ZMQ.DONTWAIT)) != null; ) {
      if (request.size() != 3) {
        logger.log(Level.WARNING, "KV events: ignoring a replay request of "
            + request.size() + " frames");
        request.destroy();
        continue;
      }
      byte[] client = request.pop().getData();
      request.pop();
      long start = Frames.seqOf(request.pop().getData());
      if (start >= 0) {
        for (Sent sent : replayBuffer) {
          if (sent.seq() >= start) {
            router.sendMore(client);
            router.sendMore(Frames.EMPTY);
            router.sendMore(Frames.seq(sent.seq()));
            router.send(sent.payload(), ZMQ.DONTWAIT);
          }
        }
      }
      router.sendMore(client);
      router.sendMore(Frames.EMPTY);
      router.sendMore(Frames.endOfReplay());
      router.send(Frames.EMPTY, ZMQ.DONTWAIT);
    }
  }

  private void drainWakeups() {
    ByteBuffer sink = ByteBuffer.allocate(64);
    try {
      while (wakeup.source().read(sink) > 0) {
        sink.clear();
      }
    } catch (IOException e) {
      // closed: the loop is ending
    }
  }

  private void release(
      @Nullable Pipe pipe, ZMQ.@Nullable Socket pubSocket, ZMQ.@Nullable Socket replaySocket) {
    if (pubSocket != null) {
      pubSocket.close();
    }
    if (replaySocket != null) {
      replaySocket.close();
    }
    if (ownsContext) {
      context.close();
    }
    if (pipe != null) {
      closeQuietly(pipe.sink());
      closeQuietly(pipe.source());
    }
  }

  private static void closeQuietly(Channel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
