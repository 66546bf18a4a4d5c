package io.llumnix.kvs.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * Asks a publisher's ROUTER for the batches a subscriber missed: a DEALER sends
 * {@code ["", start]} and reads {@code ["", seq, payload]} per buffered batch with seq ≥ start,
 * up to the end marker. Used by one thread only, like its socket.
 */
final class ReplayClient implements AutoCloseable {

  /** One replayed message, payload still encoded. */
  record Replayed(long seq, byte[] payload) {}

  /**
   * What a replay returned: every seq of the range in order, or why not ({@code problem}).
   */
  record Result(List<Replayed> batches, @Nullable String problem) {

    boolean covered() {
      return problem == null;
    }
  }

  private static final long POLL_SLICE_MS = 50;

  private final ZContext context;
  private final String endpoint;
  private final Duration timeout;
  private final BooleanSupplier stopping;
  private ZMQ.Socket dealer;

  ReplayClient(ZContext context, String endpoint, Duration timeout, BooleanSupplier stopping) {
    this.context = context;
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.stopping = stopping;
    this.dealer = connect();
  }

  /** Fetches seqs {@code from} (inclusive) to {@code until} (exclusive). */
  Result fetch(long from, long until) {
    // never blocks: a request that cannot be queued now is a failed replay, not a stall
    if (!dealer.send(Frames.EMPTY, ZMQ.SNDMORE | ZMQ.DONTWAIT)
        || !dealer.send(Frames.seq(from), ZMQ.DONTWAIT)) {
      reconnect();
      return new Result(List.of(), "the replay endpoint " + endpoint + " takes no requests");
    }
    List<Replayed> batches = new ArrayList<>();
    long expected = from;
    String problem = null;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (System.nanoTime() - deadline >= 0 || stopping.getAsBoolean()) {
        // replies may still come; a new socket makes sure they never answer the next request
        reconnect();
        return new Result(List.of(), "no end of replay from " + endpoint + " within " + timeout);
      }
      ZMsg reply = ZMsg.recvMsg(dealer); // null after POLL_SLICE_MS, to look at the clock
      if (reply == null) {
        continue;
      }
      if (reply.size() != 3 || reply.getFirst().size() != 0) {
        problem = problem != null ? problem : "a malformed replay message of " + reply.size()
            + " frames";
        reply.destroy();
        continue;
      }
      reply.pop();
      byte[] seqFrame = reply.pop().getData();
      byte[] payload = reply.pop().getData();
      if (Frames.isEndOfReplay(seqFrame, payload)) {
        break;
      }
      long seq = Frames.seqOf(seqFrame);
      if (seq < expected || seq >= until) {
        continue; // a duplicate, or newer than the gap: the SUB stream carries those
      }
      if (seq > expected && problem == null) {
        problem = "the replay buffer lacks " + KvEventSubscriber.seqs(expected, seq);
      }
      if (problem == null) {
        batches.add(new Replayed(seq, payload));
        expected = seq + 1;
      }
    }
    if (problem == null && expected < until) {
      problem = "the replay buffer no longer holds seq " + expected;
    }
    return new Result(problem == null ? batches : List.of(), problem);
  }

  @Override
  public void close() {
    dealer.close();
  }

  private ZMQ.Socket connect() {
    ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
    socket.setLinger(0);
    socket.setRcvHWM(0); // a replay may be the whole buffer; dropping part of it is a reset
    socket.setReceiveTimeOut((int) POLL_SLICE_MS);
    socket.setHandshakeIvl(Endpoints.CONNECT_HANDSHAKE_MS);
    socket.connect(endpoint);
    return socket;
  }

  private void reconnect() {
    dealer.close();
    dealer = connect();
  }
}
