package io.llumnix.benchmarks.faults;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The processes of one cluster on this machine, started from the runnable jar (or any binary,
 * such as {@code redis-server}), each logging to {@code <logs>/<name>.log}: started, stopped
 * with SIGTERM, killed with SIGKILL, frozen with SIGSTOP and thawed with SIGCONT, restarted
 * with the same command line. {@link #close()} ends every process it started, thawing frozen
 * ones first, within a bound.
 *
 * <p>The JVMs run with the harness's own {@code java} (and {@code
 * --sun-misc-unsafe-memory-access=allow} from Java 24 on, as {@code ./llumnix} runs them).
 */
final class Cluster implements AutoCloseable {

  /** One named process; its pid changes when it is restarted. */
  static final class Node {
    final String name;
    final List<String> command;
    private final Path log;
    private volatile Process process;
    private volatile boolean frozen;

    private Node(String name, List<String> command, Path log, Process process) {
      this.name = name;
      this.command = List.copyOf(command);
      this.log = log;
      this.process = process;
    }

    long pid() {
      return process.pid();
    }

    boolean alive() {
      return process.isAlive();
    }
  }

  private static final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Path jar;
  private final Path logs;
  private final Map<String, Node> nodes = new LinkedHashMap<>();

  /** A cluster of processes from {@code jar}, logging under {@code logs} (created). */
  Cluster(Path jar, Path logs) {
    this.jar = requireNonNull(jar, "jar");
    this.logs = requireNonNull(logs, "logs");
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code java <jvmOptions> -jar <jar> <args>} as {@code name}. */
  Node java(String name, List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    return exec(name, command);
  }

  /** Starts an empty, non-persistent {@code redis-server} on {@code port} as {@code name}. */
  Node redis(String name, int port) {
    return exec(name, List.of("redis-server", "--port", String.valueOf(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no"));
  }

  /** Starts {@code command} as {@code name}; its output is appended to the node's log. */
  Node exec(String name, List<String> command) {
    if (nodes.containsKey(name)) {
      throw new IllegalArgumentException("node already exists: " + name);
    }
    Path log = logs.resolve(name + ".log");
    Node node = new Node(name, command, log, launch(command, log));
    nodes.put(name, node);
    return node;
  }

  private static Process launch(List<String> command, Path log) {
    try {
      return new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
  }

  Node node(String name) {
    Node node = nodes.get(name);
    if (node == null) {
      throw new IllegalArgumentException("no node " + name + " (expected one of: "
          + nodes.keySet() + ")");
    }
    return node;
  }

  /** SIGKILL, then waits (up to 10 s) for the process to be gone. */
  void kill(String name) throws InterruptedException {
    Node node = node(name);
    node.process.destroyForcibly();
    node.process.waitFor(10, TimeUnit.SECONDS);
    node.frozen = false;
  }

  /**
   * SIGTERM, then waits up to {@code grace} for the process to exit; SIGKILL after that.
   *
   * @return whether it exited by itself within {@code grace}
   */
  boolean terminate(String name, Duration grace) throws InterruptedException {
    Node node = node(name);
    node.process.destroy();
    boolean exited = node.process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      kill(name);
    }
    return exited;
  }

  /** SIGSTOP: the process neither answers nor closes its connections. */
  void freeze(String name) throws IOException, InterruptedException {
    Node node = node(name);
    signal(node, "-STOP");
    node.frozen = true;
  }

  /** SIGCONT. */
  void thaw(String name) throws IOException, InterruptedException {
    Node node = node(name);
    signal(node, "-CONT");
    node.frozen = false;
  }

  private static void signal(Node node, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", signal, String.valueOf(node.pid()))
        .redirectErrorStream(true).start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + signal + " " + node.pid() + " failed");
    }
  }

  /** Starts {@code name} again with its command line; the old process must be gone. */
  void restart(String name) {
    Node node = node(name);
    if (node.process.isAlive()) {
      throw new IllegalStateException(name + " is still running (pid " + node.pid() + ")");
    }
    node.process = launch(node.command, node.log);
  }

  /** The node's log so far. */
  String log(String name) {
    try {
      return Files.readString(node(name).log);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Ends every process: thaws frozen ones, sends SIGTERM to all (last started first), waits up
   * to 20 s together, then SIGKILLs what is left.
   */
  @Override
  public void close() throws InterruptedException {
    List<Node> reversed = new ArrayList<>(nodes.values());
    java.util.Collections.reverse(reversed);
    for (Node node : reversed) {
      if (node.frozen) {
        try {
          thaw(node.name);
        } catch (IOException e) {
          node.process.destroyForcibly();
        }
      }
      node.process.destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Node node : reversed) {
      long left = deadline - System.nanoTime();
      if (!node.process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        node.process.destroyForcibly();
        node.process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  // ---- helpers

  /** Waits up to {@code timeout} for {@code condition}, polling every 200 ms. */
  static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException ignored) {
        // not yet
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(200);
    }
  }

  /** GET {@code http://127.0.0.1:<port><path>} (5 s timeout). */
  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POST a JSON body; the response. */
  static HttpResponse<String> post(int port, String path, String body)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The sum of every sample of {@code metric} on {@code port}'s /metrics; NaN if unreachable. */
  static double metric(int port, String metric) {
    try {
      return sum(get(port, "/metrics").body(), metric, "");
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /** The sum of {@code metric}'s samples in {@code exposition} whose line has {@code labelPart}. */
  static double sum(String exposition, String metric, String labelPart) {
    double sum = 0;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(metric) && (line.length() > metric.length())
          && (line.charAt(metric.length()) == '{' || line.charAt(metric.length()) == ' ')
          && line.contains(labelPart)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** {@code count} different ports that are free now. */
  static int[] freePorts(int count) throws IOException {
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          socket.close();
        }
      }
    }
  }

  /**
   * A base port below 40000 with {@code count} consecutive free ports from it, and the same
   * ports plus {@code offset} free too (the engines' KV-transfer ports); the search starts at
   * a point derived from {@code salt}, so concurrent runs tend to pick different blocks.
   */
  static int freeBlock(int count, int offset, int salt) {
    for (int base = 21000 + Math.floorMod(salt, 1500) * 10; base < 40000; base += count) {
      boolean free = true;
      for (int i = 0; i < count && free; i++) {
        free = isFree(base + i) && isFree(base + i + offset);
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no " + count + " free ports below 40000");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** VmRSS of {@code pid} in bytes, from /proc; -1 when it cannot be read. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // gone
    }
    return -1;
  }
}
