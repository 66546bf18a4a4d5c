package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.instance.InferType;
import io.llumnix.llumlet.api.MigrationOrder;
import io.llumnix.llumlet.api.MigrationRule;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.rescheduling.ReschedulingConfig;
import io.llumnix.scheduler.rescheduling.ReschedulingPolicy;
import io.llumnix.scheduler.rescheduling.RequestSelection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The scheduler's flood policy and rescheduling flags, as the command line gives them. */
class ReschedulingFlagsTest {

  static SchedulerConfig config(Map<String, String> environment, String... args) {
    return ((SchedulerCommand) FlagsTest.parse(environment, args)).config();
  }

  @Test
  void reschedulingIsOffByDefaultWithTheReferencesSettings() {
    ReschedulingConfig config = config(Map.of(), "scheduler").rescheduling();
    assertThat(config.mode()).isEqualTo(ReschedulingConfig.Mode.OFF);
    assertThat(config).isEqualTo(ReschedulingConfig.disabled());
  }

  @Test
  void everyFlagReachesTheConfig() {
    ReschedulingConfig config = config(Map.of("LLUMNIX_RESCHEDULING_INTERVAL_MS", "250"),
        "scheduler", "--colocated-rescheduling-mode", "--rescheduling-policies",
        "neutral_load,neutral_failover", "--rescheduling-neutral-load-metric",
        "num_requests", "--rescheduling-neutral-load-threshold", "8",
        "--rescheduling-decode-load-threshold", "0.9", "--rescheduling-req-select-rule",
        "RATIO", "--rescheduling-req-select-order", "FCW", "--rescheduling-req-select-value",
        "0.2", "--rescheduling-load-balance-threshold", "0", "--rescheduling-load-balance-scope",
        "unit", "--llumlet-grpc-timeout-seconds", "3", "--llumlet-grpc-connection-pool-size",
        "4", "--enable-rescheduling", "--multi-model-support").rescheduling();
    assertThat(config.mode()).isEqualTo(ReschedulingConfig.Mode.COLOCATED);
    assertThat(config.intervalMillis()).isEqualTo(250); // from the environment
    assertThat(config.policies()).containsExactly(ReschedulingPolicy.NEUTRAL_LOAD,
        ReschedulingPolicy.NEUTRAL_FAILOVER);
    assertThat(config.loadMetrics()).containsEntry(InferType.NEUTRAL, "num_requests");
    assertThat(config.loadThresholds()).containsEntry(InferType.NEUTRAL, 8.0)
        .containsEntry(InferType.DECODE, 0.9);
    assertThat(config.loadSelection())
        .isEqualTo(new RequestSelection(MigrationRule.RATIO, MigrationOrder.FCW, 0.2));
    assertThat(config.loadBalanceThreshold()).isZero();
    assertThat(config.scope()).isEqualTo(ReschedulingConfig.Scope.UNIT);
    assertThat(config.grpcTimeoutSeconds()).isEqualTo(3);
    assertThat(config.connectionPoolSize()).isEqualTo(4);
    assertThat(config(Map.of(), "scheduler", "--standalone-rescheduling-mode").rescheduling()
        .mode()).isEqualTo(ReschedulingConfig.Mode.STANDALONE);
    assertThat(config(Map.of(), "scheduler", "--standalone-rescheduling-mode=true",
        "--colocated-rescheduling-mode=false").rescheduling().mode())
        .isEqualTo(ReschedulingConfig.Mode.STANDALONE);
  }

  @Test
  void floodIsAFullModePolicy() {
    assertThat(config(Map.of(), "scheduler", "--scheduling-policy", "flood").policy())
        .isEqualTo("flood");
  }

  @Test
  void inconsistentFlagsFailWithOneLineBeforeAnythingStarts() {
    String[][] cases = {
        {"--no-enable-full-mode-scheduling", "--scheduling-policy", "flood"},
        {"--no-enable-full-mode-scheduling", "--colocated-rescheduling-mode"},
        {"--no-enable-full-mode-scheduling", "--standalone-rescheduling-mode"},
        {"--colocated-rescheduling-mode", "--standalone-rescheduling-mode"},
        {"--rescheduling-policies", "decode_load,bogus"},
        {"--rescheduling-policies", "binpacking_consolidation"},
        {"--rescheduling-load-balance-scope", "rack"},
        {"--rescheduling-req-select-rule", "BYTES"},
        {"--rescheduling-decode-load-metric", "bogus"},
        {"--colocated-rescheduling-mode", "--rescheduling-interval-ms", "0"}};
    String[] expected = {"--scheduling-policy flood: lite mode has", "needs full mode",
        "needs full mode", "exclude each other", "bogus", "adaptive prefill/decode", "rack",
        "BYTES", "--rescheduling-decode-load-metric", "--rescheduling-interval-ms"};
    for (int i = 0; i < cases.length; i++) {
      String[] args = new String[cases[i].length + 1];
      args[0] = "scheduler";
      System.arraycopy(cases[i], 0, args, 1, cases[i].length);
      MainTest.Run run = MainTest.run(Map.of(), args);
      assertThat(run.status()).as(String.join(" ", args)).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
      assertThat(run.err()).contains(expected[i]).doesNotContain("cannot listen");
    }
  }

  @Test
  void helpListsTheFlagsWithTheirDefaults() {
    MainTest.Run help = MainTest.run(Map.of(), "scheduler", "--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("--colocated-rescheduling-mode",
        "--standalone-rescheduling-mode", "--rescheduling-policies",
        "Default: decode_load,prefill_failover", "--rescheduling-interval-ms", "Default: 500",
        "--llumlet-grpc-timeout-seconds", "--llumlet-grpc-connection-pool-size", "flood");
  }
}
