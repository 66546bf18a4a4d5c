package io.llumnix.scheduler.rescheduling;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.llumnix.llumlet.api.LlumletGrpc;
import io.llumnix.llumlet.api.MigrateResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The rescheduler's gRPC channels to llumlets, one per source instance, kept between rounds
 * (a channel holds its connection, so a round costs no handshake). With a cap
 * ({@code --llumlet-grpc-connection-pool-size} > 0) the least recently used channel is closed
 * when a new one would exceed it.
 *
 * <p>Design notes. Closing is graceful ({@link ManagedChannel#shutdown()}): calls under way on
 * an evicted channel finish, so eviction never fails a migration, where the reference refuses
 * to open a channel while the oldest is busy. Unlike the reference, a channel is also replaced
 * when the instance's llumlet address changed (a restart elsewhere under the same id), and
 * closed once its instance has left the CMS. Creating a channel does no I/O (it connects on
 * first use), so this runs on the event loop; it is also safe from other threads.
 */
final class LlumletChannels implements LlumletClient {

  private record Entry(String host, int port, ManagedChannel channel,
      LlumletGrpc.LlumletStub stub) {}

  private final int capacity;
  /** Access-ordered: the first entry is the least recently used. */
  private final LinkedHashMap<String, Entry> channels = new LinkedHashMap<>(16, 0.75f, true);

  /** @param capacity channels kept at most; {@code <= 0}: unbounded */
  LlumletChannels(int capacity) {
    this.capacity = capacity;
  }

  /** The async stub of {@code instanceId}'s llumlet at {@code host:port}, opened if need be. */
  synchronized LlumletGrpc.LlumletStub stub(String instanceId, String host, int port) {
    Entry entry = channels.get(instanceId);
    if (entry != null && entry.host().equals(host) && entry.port() == port) {
      return entry.stub();
    }
    if (entry != null) {
      channels.remove(instanceId);
      entry.channel().shutdown();
    }
    List<Entry> evicted = new ArrayList<>();
    for (Iterator<Entry> it = channels.values().iterator();
        capacity > 0 && channels.size() >= capacity && it.hasNext(); ) {
      evicted.add(it.next());
      it.remove();
    }
    evicted.forEach(e -> e.channel().shutdown());
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    Entry created = new Entry(host, port, channel, LlumletGrpc.newStub(channel));
    channels.put(instanceId, created);
    return created.stub();
  }

  @Override
  public void migrate(MigrationPair pair, long deadlineSeconds,
      StreamObserver<MigrateResponse> answer) {
    String host = pair.src().getIp();
    int port = pair.src().getLlumletPort();
    if (host.isEmpty() || port <= 0) {
      // A llumlet that serves no Migrate (or an engine without one) publishes no port.
      answer.onError(Status.FAILED_PRECONDITION.withDescription("no llumlet address in its "
          + "metadata (ip '" + host + "', llumlet_port " + port + ")").asRuntimeException());
      return;
    }
    stub(pair.srcId(), host, port).withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
        .migrate(pair.request(), answer);
  }

  /** Closes the channels of the instances {@code gone} says have left the CMS. */
  @Override
  public synchronized void forget(Predicate<String> gone) {
    for (Iterator<Map.Entry<String, Entry>> it = channels.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Entry> e = it.next();
      if (gone.test(e.getKey())) {
        e.getValue().channel().shutdown();
        it.remove();
      }
    }
  }

  /** Instance ids with an open channel, least recently used first. */
  @Override
  public synchronized List<String> instanceIds() {
    return List.copyOf(channels.keySet());
  }

  /** Closes every channel at once; calls under way fail as cancelled. */
  @Override
  public synchronized void close() {
    channels.values().forEach(e -> e.channel().shutdownNow());
    channels.clear();
  }
}
