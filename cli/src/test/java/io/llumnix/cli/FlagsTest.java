package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.config.ConfigSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Flag spellings the reference's deployments use, accepted as they are. */
class FlagsTest {

  static Object parse(Map<String, String> environment, String... args) {
    CommandLine.ParseResult parsed = Main.commandLine(ConfigSource.of(environment, null),
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())).parseArgs(args);
    return parsed.subcommand().commandSpec().userObject();
  }

  @Test
  void durationFlagsTakeGoDurationsAndPlainSeconds() {
    GatewayCommand gateway = (GatewayCommand) parse(Map.of(), "gateway",
        "--wait-scheduling-timeout", "5s", "--wait-scheduling-retry-interval", "500ms",
        "--wait-queue-interval", "1m30s", "--requests-report-duration", "0.25");
    assertThat(gateway.options.waitSchedulingTimeout).isEqualTo(Duration.ofSeconds(5));
    assertThat(gateway.options.waitSchedulingRetryInterval).isEqualTo(Duration.ofMillis(500));
    assertThat(gateway.options.waitQueueInterval).isEqualTo(Duration.ofSeconds(90));
    assertThat(gateway.options.reportInterval).isEqualTo(Duration.ofMillis(250));
    assertThat(gateway.options.config().queueFullWaitMillis()).isEqualTo(90_000);

    // From the environment too, and the defaults are the reference's.
    GatewayCommand fromEnvironment = (GatewayCommand) parse(
        Map.of("LLUMNIX_WAIT_SCHEDULING_TIMEOUT", "2m"), "gateway");
    assertThat(fromEnvironment.options.waitSchedulingTimeout).isEqualTo(Duration.ofMinutes(2));
    assertThat(fromEnvironment.options.waitQueueInterval).isEqualTo(Duration.ofSeconds(1));

    EngineSimCommand engine = (EngineSimCommand) parse(Map.of(), "engine-sim",
        "--kv-hold-timeout", "2m", "--status-push-interval", "40ms");
    assertThat(engine.kvHoldTimeout).isEqualTo(Duration.ofMinutes(2));
    assertThat(engine.llumlet.settings().statusPushMillis()).isEqualTo(40);
  }

  @Test
  void localRunsOneQueueWorkerPerCoreUnlessTold() {
    int cores = Math.min(5, Runtime.getRuntime().availableProcessors());
    assertThat(((LocalCommand) parse(Map.of(), "local")).queueWorkers()).isEqualTo(cores);
    // Set anywhere, the value is the user's, even when it is the gateway's default.
    assertThat(((LocalCommand) parse(Map.of(), "local", "--wait-queue-threads", "5"))
        .queueWorkers()).isEqualTo(5);
    assertThat(((LocalCommand) parse(Map.of("LLUMNIX_WAIT_QUEUE_THREADS", "7"), "local"))
        .queueWorkers()).isEqualTo(7);
    // The standalone gateway keeps the reference's default: there the scheduler has its own cores.
    assertThat(((GatewayCommand) parse(Map.of(), "gateway")).options.config().queueWorkers())
        .isEqualTo(5);
  }

  @Test
  void localCallsTheSchedulerInProcessUnlessToldToUseHttp() {
    assertThat(((LocalCommand) parse(Map.of(), "local")).schedulerOverHttp).isFalse();
    assertThat(((LocalCommand) parse(Map.of(), "local", "--scheduler-over-http"))
        .schedulerOverHttp).isTrue();
    assertThat(((LocalCommand) parse(Map.of("LLUMNIX_SCHEDULER_OVER_HTTP", "true"), "local"))
        .schedulerOverHttp).isTrue();
  }

  @Test
  void aBadDurationIsAUsageError() {
    StringWriter err = new StringWriter();
    int status = Main.run(new String[] {"gateway", "--wait-scheduling-timeout", "5 seconds"},
        Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(status).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--wait-scheduling-timeout").contains("Go duration");
  }

  @Test
  void theDiscoverySidecarTakesTheReferencesUnderscoreFlags() {
    DiscoveryCommand sidecar = (DiscoveryCommand) parse(Map.of(), "discovery",
        "--instance_type", "prefill", "--pod_name", "pod-a", "--entrypoint_ip", "10.1.2.3",
        "--entrypoint_port", "8000", "--kv_transfer_ip", "10.1.2.3", "--kv_transfer_port",
        "28000", "--dp_size_local", "4", "--redis_address", "redis", "--redis_port", "6380");
    assertThat(sidecar.instanceType).isEqualTo("prefill");
    assertThat(sidecar.podName).isEqualTo("pod-a");
    assertThat(sidecar.dpSizeLocal).isEqualTo(4);
    assertThat(sidecar.redisAddress).isEqualTo("redis");
    assertThat(sidecar.redisPort).isEqualTo(6380);
    // Our spelling, and the environment, still work.
    DiscoveryCommand ours = (DiscoveryCommand) parse(Map.of("LLUMNIX_DP_SIZE_LOCAL", "2"),
        "discovery", "--pod-name", "pod-b");
    assertThat(ours.podName).isEqualTo("pod-b");
    assertThat(ours.dpSizeLocal).isEqualTo(2);
  }
}
