package io.llumnix.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} for {@code llumnix local}'s CMS: on a free loopback port, without
 * persistence, its files in a temporary folder removed on close.
 */
final class LocalRedis implements AutoCloseable {

  private final Process process;
  private final Path directory;
  private final int port;

  private LocalRedis(Process process, Path directory, int port) {
    this.process = process;
    this.directory = directory;
    this.port = port;
  }

  /** Whether {@code redis-server} is on the PATH. */
  static boolean installed() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, "redis-server"))) {
        return true;
      }
    }
    return false;
  }

  /** Starts one and waits until it answers PING. */
  static LocalRedis start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path directory = Files.createTempDirectory("llumnix-redis");
    Process process = new ProcessBuilder("redis-server", "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.toString())
        .redirectErrorStream(true).redirectOutput(directory.resolve("redis.log").toFile())
        .start();
    LocalRedis redis = new LocalRedis(process, directory, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!redis.ping()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String log = Files.readString(directory.resolve("redis.log"));
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
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  static @Nullable LocalRedis startIfInstalled() throws IOException, InterruptedException {
    return installed() ? start() : null;
  }
}
