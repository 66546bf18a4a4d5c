package io.llumnix.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code promtool check metrics} over an exposition.
 *
 * <p>promtool both parses the text and lints the names. Some names are fixed by compatibility
 * with the reference system and vLLM: engine metrics contain {@code :}, control-plane latencies
 * are in milliseconds, and vLLM's histogram {@code vllm:iteration_tokens_total} ends in
 * {@code _total}. Those lint findings are expected; {@link Result#unexpectedProblems()} lists
 * every other one.
 */
public final class Promtool {

  /** Lint texts that names fixed by compatibility produce. */
  public static final Set<String> COMPATIBILITY_LINTS = Set.of(
      "metric names should not contain ':'",
      "use base unit \"seconds\" instead of \"milliseconds\"",
      "non-counter metrics should not have \"_total\" suffix");

  /** What promtool said: its exit status and one line per problem. */
  public record Result(int exitCode, List<String> problems) {

    /** Whether promtool could parse the exposition (exit 0, or 3 for lint findings only). */
    public boolean parsed() {
      return exitCode == 0 || exitCode == 3;
    }

    /** Problems other than the lints that compatibility names produce. */
    public List<String> unexpectedProblems() {
      return problems.stream()
          .filter(line -> COMPATIBILITY_LINTS.stream().noneMatch(line::endsWith))
          .toList();
    }
  }

  private Promtool() {}

  /**
   * Runs {@code promtool check metrics} with {@code exposition} on its standard input.
   *
   * @throws IllegalStateException when promtool is not installed
   */
  public static Result checkMetrics(String exposition) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "promtool is not installed: run the tests with './llumnix test', which installs it", e);
    }
    try (OutputStream in = process.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("promtool did not finish");
    }
    return new Result(process.exitValue(), output.lines().filter(l -> !l.isBlank()).toList());
  }

  /**
   * Runs {@code promtool check config} on a Prometheus configuration.
   *
   * @return promtool's exit status (0 when valid) and output lines
   */
  public static Result checkConfig(String config) throws IOException, InterruptedException {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("prometheus", ".yml");
    try {
      java.nio.file.Files.writeString(file, config);
      Process process;
      try {
        process = new ProcessBuilder("promtool", "check", "config", file.toString())
            .redirectErrorStream(true).start();
      } catch (IOException e) {
        throw new IllegalStateException(
            "promtool is not installed: run the tests with './llumnix test', which installs it",
            e);
      }
      String output = new String(process.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("promtool did not finish");
      }
      return new Result(process.exitValue(), output.lines().filter(l -> !l.isBlank()).toList());
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }
}
