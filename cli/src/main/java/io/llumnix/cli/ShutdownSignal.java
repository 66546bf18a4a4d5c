package io.llumnix.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM for a long-running command. The JVM exits as soon as its shutdown hooks
 * return, so the hook waits until the command has closed what it started (up to 20 s): engines
 * remove their CMS records, child processes stop, temporary folders go.
 *
 * <pre>{@code
 * try (ShutdownSignal signal = new ShutdownSignal(); Cluster cluster = start()) {
 *   signal.await();
 * } // cluster closes, then the hook lets the JVM exit
 * }</pre>
 */
final class ShutdownSignal implements AutoCloseable {

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  ShutdownSignal() {
    this(0);
  }

  /** @param drainMillis how much longer than usual closing may take (an engine draining) */
  ShutdownSignal(long drainMillis) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopped.countDown();
      try {
        closed.await(20_000 + drainMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
  }

  /** Blocks until the process is asked to stop. */
  void await() throws InterruptedException {
    stopped.await();
  }

  /** Everything is closed: the JVM may exit. */
  @Override
  public void close() {
    closed.countDown();
  }
}
