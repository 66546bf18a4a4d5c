package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llumnix.cli.MainTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code llumnix simulate} as a user runs it: flags in, table, JSON and HTML out. */
class SimulateCommandTest {

  @TempDir Path dir;

  private Run simulate(String... extra) {
    List<String> args = new ArrayList<>(List.of("simulate", "--instances", "3",
        "--num-gpu-blocks", "2000", "--duration", "10", "--seed", "1"));
    args.addAll(List.of(extra));
    return MainTest.run(Map.of(), args.toArray(String[]::new));
  }

  @Test
  void comparesPoliciesAndWritesTheReportsTheSameForOneSeed() throws Exception {
    Path json = dir.resolve("report.json");
    Path html = dir.resolve("report.html");

    Run run = simulate("--policies", "round-robin,load-balance", "--load", "0.8",
        "--output", json.toString(), "--html", html.toString());
    String first = Files.readString(json);
    Run again = simulate("--policies", "round-robin,load-balance", "--load", "0.8",
        "--output", json.toString());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("round-robin", "load-balance", "TTFT p50", "capacity_req_s");
    JsonNode policies = new ObjectMapper().readTree(first).get("policies");
    for (String name : List.of("round-robin", "load-balance")) {
      JsonNode policy = policies.get(name);
      for (String latency : List.of("ttft_ms", "tpot_ms", "e2e_ms")) {
        for (String stat : List.of("p50", "p90", "p99")) {
          assertThat(policy.get(latency).get(stat).asDouble()).as(name + " " + latency + " "
              + stat).isPositive();
        }
      }
      assertThat(policy.get("throughput_tok_s").asDouble()).isPositive();
      assertThat(policy.get("completed").asLong()).isPositive();
    }
    assertThat(Files.readString(json)).isEqualTo(first);
    assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<svg");
    assertThat(again.status()).isZero();
  }

  @Test
  void replaysATraceThatBenchRecorded() throws Exception {
    Path trace = dir.resolve("trace.jsonl");
    Files.writeString(trace, """
        {"arrival_ms": 0, "prompt_tokens": 300, "output_tokens": 20, "prefix_id": "a", "prefix_tokens": 256}
        {"arrival_ms": 40, "prompt_tokens": 300, "output_tokens": 20, "prefix_id": "a", "prefix_tokens": 256}
        """);

    Run run = MainTest.run(Map.of(), "simulate", "--instances", "1", "--trace",
        trace.toString(), "--policies", "lite:round-robin");

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("trace " + trace, "lite:round-robin");
    assertThat(run.out()).containsPattern("lite:round-robin +2 +0 ");
  }

  @Test
  void badInputExitsWithTwoAndSaysWhatIsWrong() throws Exception {
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"arrival_ms\": 0}\n");
    List<String[]> cases = List.of(
        new String[] {"--policies", "nosuch", "--rate", "5"},
        new String[] {"--policies", "full:round-robin", "--rate", "5"},
        new String[] {"--rate", "5", "--load", "0.5"},
        new String[] {"--duration", "5"},
        new String[] {"--rate", "5", "--prompt-length", "normal:3"},
        new String[] {"--instances", "0", "--rate", "5"},
        new String[] {"--load", "0.5", "--session-turns", "3"},
        new String[] {"--num-gpu-blocks", "100", "--rate", "5"},
        new String[] {"--parallel", "-1", "--rate", "5"});
    for (String[] args : cases) {
      Run run = simulate(args);
      assertThat(run.status()).as(String.join(" ", args) + ": " + run.err())
          .isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
    }
    assertThat(simulate("--policies", "nosuch", "--rate", "5").err())
        .contains("lite:round-robin", "full:load-balance");
    Run badTrace = MainTest.run(Map.of(), "simulate", "--trace", bad.toString());
    assertThat(badTrace.status()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(badTrace.err()).contains("bad.jsonl:1");
    Run traceAndRate = MainTest.run(Map.of(), "simulate", "--trace", bad.toString(), "--rate",
        "5");
    assertThat(traceAndRate.status()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(traceAndRate.err()).contains("drop --rate");
  }
}
