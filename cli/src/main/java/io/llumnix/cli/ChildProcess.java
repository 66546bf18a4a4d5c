package io.llumnix.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A server {@code llumnix local} runs as a child process (Prometheus, redis-server), with its
 * own temporary folder for data and log; closing it stops the process and removes the folder.
 */
final class ChildProcess implements AutoCloseable {

  private final Process process;
  private final Path directory;

  private ChildProcess(Process process, Path directory) {
    this.process = process;
    this.directory = directory;
  }

  /** The executable {@code name} on the PATH, or null. */
  static @Nullable Path executable(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** A new temporary folder for a child's files. */
  static Path folder(String prefix) throws IOException {
    return Files.createTempDirectory(prefix);
  }

  /** Starts {@code command} with its output in {@code directory/<name>.log}. */
  static ChildProcess start(Path directory, String name, List<String> command)
      throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(directory.resolve(name + ".log").toFile()).start();
    return new ChildProcess(process, directory);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The last {@code lines} lines the process wrote. */
  String logTail(String name, int lines) throws IOException {
    List<String> all = Files.readAllLines(directory.resolve(name + ".log"));
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
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
}
