package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, environment, new PrintWriter(out, true),
        new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void versionPrintsTheVersion() {
    Run run = run(Map.of(), "version");
    assertThat(run.status()).isZero();
    assertThat(run.out()).startsWith("llumnix ");
  }

  @Test
  void helpListsTheCommandsAndEnvironmentAndFile() {
    Run run = run(Map.of(), "--help");
    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("version", "engine-sim", "LLUMNIX_", "--config");
  }

  @Test
  void commandHelpListsEveryFlagWithItsDefault() {
    Run run = run(Map.of(), "engine-sim", "--help");
    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("--max-num-batched-tokens", "Default: 8192",
        "--profile", "Default: llama3-8b-h100", "--port", "Default: 8000", "LLUMNIX_");
    for (String command : new String[] {"scheduler", "discovery", "gateway", "local", "bench"}) {
      Run help = run(Map.of(), command, "--help");
      assertThat(help.status()).isZero();
      assertThat(help.out()).contains("Default:", "LLUMNIX_", "--config");
    }
  }

  @Test
  void unknownCommandsFlagsAndBadValuesExitWithTwoAndOneLine() {
    for (String[] args : new String[][] {{"nosuch"}, {"version", "--nosuch"},
        {"engine-sim", "--port", "eighty"}}) {
      Run run = run(Map.of(), args);
      assertThat(run.status()).as(String.join(" ", args)).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
      assertThat(run.err()).contains(args[args.length - 1]);
    }
  }

  @Test
  void inconsistentCacheAwareFlagsFailWithOneLineBeforeAnythingStarts() {
    for (String[] args : new String[][] {
        {"scheduler", "--enable-cache-aware-scheduling", "--kvs-backend", "v6d"},
        {"scheduler", "--enable-cache-aware-scheduling", "--kvs-backend", "bogus"},
        {"scheduler", "--enable-cache-aware-scheduling", "--kvs-hash-algo", "md5"},
        {"engine-sim", "--kvs-backend", "mooncake", "--kvs-chunk-size", "40"},
        {"engine-sim", "--kv-events-config", "{bad"}}) {
      Run run = run(Map.of(), args);
      assertThat(run.status()).as(String.join(" ", args)).isNotZero();
      assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
      assertThat(run.err()).doesNotContain("cannot listen", "cannot start");
    }
  }

  @Test
  void inconsistentPrefillDecodeFlagsFailWithOneLineBeforeAnythingStarts() {
    for (String[] args : new String[][] {
        {"gateway", "--pd-disagg-protocol", "sglang-nixl"},
        {"local", "--pd", "3"},
        {"local", "--pd", "0:2"},
        {"local", "--pd", "a:b"},
        {"local", "--pd-disagg-protocol", "vllm-kvt"},
        {"local", "--pd", "1:1", "--pd-disagg-protocol", "bogus"}}) {
      Run run = run(Map.of(), args);
      assertThat(run.status()).as(String.join(" ", args)).isNotZero();
      assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
      assertThat(run.err()).contains("--pd").doesNotContain("cannot listen", "cannot start");
    }
  }

  @Test
  void flagsComeFromEnvironmentThenFileThenDefault() throws Exception {
    Path file = dir.resolve("sim.properties");
    Files.writeString(file, "max-model-len = 4096\nport = 9100\n");
    var source = io.llumnix.core.config.ConfigSource.of(Map.of("LLUMNIX_PORT", "9200"), file);
    CommandLine.ParseResult parsed = Main.commandLine(source, new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter())).parseArgs("engine-sim", "--max-num-seqs", "7");
    EngineSimCommand command = (EngineSimCommand) parsed.subcommand().commandSpec().userObject();

    assertThat(command.port).isEqualTo(9200);        // environment
    assertThat(command.core.maxModelLen).isEqualTo(4096); // file
    assertThat(command.core.maxNumSeqs).isEqualTo(7);     // command line
    assertThat(command.core.blockSize).isEqualTo(16);     // default
  }

  @Test
  void badValuesFromTheEnvironmentAreReportedToo() {
    Run run = run(Map.of("LLUMNIX_PROFILE", "nosuch-gpu"), "engine-sim");
    assertThat(run.status()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(run.err()).contains("unknown step profile: nosuch-gpu");
  }
}
