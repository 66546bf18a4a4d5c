package io.llumnix.gateway;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import org.jspecify.annotations.Nullable;

/**
 * The event loop the gateway's queue and its scheduler calls run on when a scheduler decides:
 * another than the one that relays tokens.
 *
 * <p>Why: an answer from {@code /schedule} read on the relaying loop waits behind every chunk
 * that loop has to move, and a queue worker waits with it; in a 50-request burst through a
 * 4-engine {@code llumnix local} that was most of the round trip (the same call answered in
 * about half the time on a loop of its own). With its own loop, the queue drains as fast as
 * the scheduler answers, and each request then goes on on its relaying loop. Vert.x's public
 * API cannot ask for a context on another event loop, hence its internal one.
 */
final class SchedulingLoop {

  private SchedulingLoop() {}

  /**
   * A new context on an event loop other than {@code relaying}'s, when {@code vertx} has one:
   * {@code near}'s when given (a scheduler's in this process, so that its answers cross no
   * thread), else the next one. It closes with {@code relaying} (its timers end when the
   * gateway is undeployed).
   */
  static Context next(Vertx vertx, Context relaying, @Nullable Context near) {
    VertxInternal internal = (VertxInternal) vertx;
    ContextInternal gateway = (ContextInternal) relaying;
    EventLoop avoid = gateway.nettyEventLoop();
    EventLoopGroup group = internal.nettyEventLoopGroup();
    EventLoop chosen = near != null ? ((ContextInternal) near).nettyEventLoop() : group.next();
    for (int tries = 0; chosen == avoid && tries < 64; tries++) {
      chosen = group.next();
    }
    return chosen == avoid ? relaying : internal.contextBuilder().withEventLoop(chosen)
        .withCloseFuture(gateway.closeFuture()).build();
  }
}
