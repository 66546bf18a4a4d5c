package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which event loop the gateway's queue runs on. */
class SchedulingLoopTest {

  private static EventLoop loopOf(Context context) {
    return ((ContextInternal) context).nettyEventLoop();
  }

  @Test
  void anotherLoopThanTheRelayingOneAndTheSchedulersWhenOneIsNamed() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
    try {
      VertxInternal internal = (VertxInternal) vertx;
      Context relaying = internal.createEventLoopContext();
      Context scheduler = internal.createEventLoopContext();
      assertThat(loopOf(scheduler)).isNotSameAs(loopOf(relaying));
      assertThat(loopOf(SchedulingLoop.next(vertx, relaying, null)))
          .isNotSameAs(loopOf(relaying));
      assertThat(loopOf(SchedulingLoop.next(vertx, relaying, scheduler)))
          .isSameAs(loopOf(scheduler));
      // A scheduler on the relaying loop itself is not joined: the queue goes elsewhere.
      assertThat(loopOf(SchedulingLoop.next(vertx, relaying, relaying)))
          .isNotSameAs(loopOf(relaying));
      // Tasks given to it run on its loop.
      Context chosen = SchedulingLoop.next(vertx, relaying, scheduler);
      CompletableFuture<Thread> ran = new CompletableFuture<>();
      chosen.runOnContext(ignored -> ran.complete(Thread.currentThread()));
      assertThat(loopOf(scheduler).inEventLoop(ran.get(10, TimeUnit.SECONDS))).isTrue();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theRelayingLoopWhenThereIsNoOther() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      Context relaying = ((VertxInternal) vertx).createEventLoopContext();
      assertThat(SchedulingLoop.next(vertx, relaying, null)).isSameAs(relaying);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
