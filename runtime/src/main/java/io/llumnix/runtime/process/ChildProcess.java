package io.llumnix.runtime.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A server run as a child process (redis-server, Prometheus) with its own temporary folder for
 * data and log; closing it stops the process and removes the folder.
 */
public final class ChildProcess implements AutoCloseable {

  private final String name;
  private final Path directory;
  private final List<String> command;
  private Process process;

  private ChildProcess(String name, Path directory, List<String> command, Process process) {
    this.name = name;
    this.directory = directory;
    this.command = List.copyOf(command);
    this.process = process;
  }

  /** The executable {@code name} on the PATH, or null. */
  public static @Nullable Path executable(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** A new temporary folder for a child's files. */
  public static Path folder(String prefix) throws IOException {
    return Files.createTempDirectory(prefix);
  }

  /** A loopback port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code command} with its output in {@code directory/<name>.log}.
   *
   * @throws IllegalStateException when the executable is not installed
   */
  public static ChildProcess start(Path directory, String name, List<String> command)
      throws IOException {
    return new ChildProcess(name, directory, command, launch(directory, name, command));
  }

  private static Process launch(Path directory, String name, List<String> command)
      throws IOException {
    if (executable(command.get(0)) == null && !Files.isExecutable(Path.of(command.get(0)))) {
      throw new IllegalStateException(command.get(0) + " is not installed (Debian: apt-get "
          + "install -y " + command.get(0) + "; the test command './llumnix test' installs it)");
    }
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(
            directory.resolve(name + ".log").toFile())).start();
  }

  public synchronized boolean alive() {
    return process.isAlive();
  }

  /** The last {@code lines} lines the process wrote. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(directory.resolve(name + ".log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Kills the process at once (SIGKILL), as a crash or an outage would. */
  public synchronized void kill() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Starts the same command again (after {@link #kill}). */
  public synchronized void restart() throws IOException, InterruptedException {
    kill();
    process = launch(directory, name, command);
  }

  @Override
  public synchronized void close() throws IOException, InterruptedException {
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
}
