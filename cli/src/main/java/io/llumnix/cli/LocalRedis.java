package io.llumnix.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} for {@code llumnix local}'s CMS: on a free loopback port, without
 * persistence, its files in a temporary folder removed on close.
 */
final class LocalRedis implements AutoCloseable {

  private final ChildProcess process;
  private final int port;

  private LocalRedis(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** One started and answering PING when {@code redis-server} is installed, else null. */
  static @Nullable LocalRedis startIfInstalled() throws IOException, InterruptedException {
    return ChildProcess.executable("redis-server") == null ? null : start();
  }

  /** Starts one and waits until it answers PING. */
  static LocalRedis start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path directory = ChildProcess.folder("llumnix-redis");
    LocalRedis redis = new LocalRedis(ChildProcess.start(directory, "redis", List.of(
        "redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", directory.toString())), port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!redis.ping()) {
      if (!redis.process.alive() || System.nanoTime() > deadline) {
        String log = redis.process.logTail("redis", 5);
        redis.close();
        throw new IllegalStateException("redis-server did not start: " + log);
      }
      Thread.sleep(20);
    }
    return redis;
  }

  int port() {
    return port;
  }

  private boolean ping() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int n = in.read(reply);
      return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.close();
  }
}
