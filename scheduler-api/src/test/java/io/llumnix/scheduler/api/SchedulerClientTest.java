package io.llumnix.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a scheduler that accepts connections and never answers. */
class SchedulerClientTest {

  private Vertx vertx;
  private ServerSocket silent;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    silent = new ServerSocket(0);
    Thread.ofPlatform().daemon().start(() -> {
      try {
        while (true) {
          accepted.add(silent.accept()); // held open, never read or answered
        }
      } catch (Exception closed) {
        // the test is over
      }
    });
  }

  @AfterEach
  void stop() throws Exception {
    silent.close();
    for (Socket socket : accepted) {
      socket.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void callsToASilentSchedulerFailInsteadOfHanging() throws Exception {
    // One connection: the second call waits for the first's, which never frees it.
    SchedulerClient client = SchedulerClient.create(vertx,
        new SchedulerClient.Settings(300, "", 1));
    SchedulerEndpoint endpoint = new SchedulerEndpoint("127.0.0.1", silent.getLocalPort());
    SchedulingRequest request = SchedulingRequest.of("r", "m", "", SchedulingMode.NEUTRAL,
        SchedulingStage.PREFILL, 8, null);
    List<Future<Outcome>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(client.schedule(endpoint, request));
    }
    Future.join(calls).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    for (Future<Outcome> call : calls) {
      assertThat(call.failed()).as("a call to a silent scheduler fails, never hangs").isTrue();
    }
  }
}
