package io.llumnix.runtime.redis;

import io.llumnix.runtime.process.ChildProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, its files in a
 * temporary folder removed on close: the CMS of {@code llumnix local}, and the Redis of the
 * tests. It can be killed and started again on the same port, to play an outage.
 *
 * <pre>{@code
 * try (RedisProcess redis = RedisProcess.start()) {
 *   RedisConnection connection = redis.connection();
 * }
 * }</pre>
 */
public final class RedisProcess implements AutoCloseable {

  private final ChildProcess process;
  private final int port;

  private RedisProcess(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Whether {@code redis-server} is on the PATH. */
  public static boolean installed() {
    return ChildProcess.executable("redis-server") != null;
  }

  /**
   * Starts a server on a free port and waits until it answers PING.
   *
   * @throws IllegalStateException when redis-server is not installed or does not start
   */
  public static RedisProcess start() throws IOException, InterruptedException {
    return start(List.of());
  }

  /**
   * Starts a server with {@code extraArguments}: cluster mode, a password
   * ({@code --requirepass}), ACL users ({@code --user}), a TLS port ({@code --tls-port}, next
   * to the plain one, which start-up is checked on).
   */
  public static RedisProcess start(List<String> extraArguments)
      throws IOException, InterruptedException {
    int port = ChildProcess.freePort();
    Path directory = ChildProcess.folder("llumnix-redis-" + port + "-");
    List<String> command = new ArrayList<>(List.of("redis-server", "--port",
        String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", directory.toString()));
    command.addAll(extraArguments);
    RedisProcess redis = new RedisProcess(ChildProcess.start(directory, "redis", command), port);
    try {
      redis.awaitPing();
    } catch (IllegalStateException e) {
      redis.close();
      throw e;
    }
    return redis;
  }

  public int port() {
    return port;
  }

  /** How to reach it. */
  public RedisConnection connection() {
    return RedisConnection.of("127.0.0.1", port);
  }

  /** Kills the server (SIGKILL: an outage, not a clean shutdown). */
  public void stop() throws InterruptedException {
    process.kill();
  }

  /** Starts the server again on the same port, empty. */
  public void restart() throws IOException, InterruptedException {
    process.restart();
    awaitPing();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.close();
  }

  private void awaitPing() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!ping()) {
      if (!process.alive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server did not start on port " + port + ": "
            + process.logTail(5));
      }
      Thread.sleep(20);
    }
  }

  private boolean ping() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int n = in.read(reply);
      String answer = n > 0 ? new String(reply, 0, n, StandardCharsets.US_ASCII) : "";
      // A server with a password answers, unauthenticated, NOAUTH: it is up all the same.
      return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
    } catch (IOException e) {
      return false;
    }
  }
}
