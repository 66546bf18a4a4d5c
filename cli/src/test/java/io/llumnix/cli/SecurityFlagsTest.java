package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.core.config.ConfigSource;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.scheduler.SchedulerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The service token and the Redis credentials and TLS flags, as a Kubernetes Secret gives them
 * (environment variables), and their mistakes caught as usage errors before anything starts.
 */
class SecurityFlagsTest {

  @TempDir Path folder;

  static Object parse(Map<String, String> environment, String... args) {
    CommandLine.ParseResult parsed = Main.commandLine(ConfigSource.of(environment, null),
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())).parseArgs(args);
    return parsed.subcommand().commandSpec().userObject();
  }

  /** Runs {@code args}; returns the exit status, then what was printed to stderr. */
  static String[] run(String... args) {
    StringWriter err = new StringWriter();
    int status = Main.run(args, Map.of(), new PrintWriter(new StringWriter()),
        new PrintWriter(err));
    return new String[] {String.valueOf(status), err.toString()};
  }

  @Test
  void secretsComeFromTheEnvironment() throws Exception {
    Path ca = Files.writeString(folder.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
    SchedulerCommand scheduler = (SchedulerCommand) parse(Map.of(
        "LLUMNIX_SERVICE_TOKEN", "tok", "LLUMNIX_CMS_REDIS_USERNAME", "scheduler",
        "LLUMNIX_CMS_REDIS_PASSWORD", "pw", "LLUMNIX_CMS_REDIS_TLS", "true",
        "LLUMNIX_CMS_REDIS_TLS_CA_FILE", ca.toString(), "LLUMNIX_INTERNAL_PORT", "8089"),
        "scheduler");
    SchedulerConfig config = scheduler.config();
    assertThat(config.serviceToken().admits("Bearer tok")).isTrue();
    assertThat(config.serviceToken().admits("Bearer tol")).isFalse();
    assertThat(config.toString()).contains("serviceToken=ServiceToken[set]");
    assertThat(config.internalPort()).isEqualTo(8089);
    RedisConnection cms = scheduler.cms.connection();
    assertThat(cms).isEqualTo(new RedisConnection("127.0.0.1", 6379, "scheduler", "pw", false,
        RedisConnection.Tls.on(ca.toString())));
    assertThat(cms.options().getEndpoints().get(0)).startsWith("rediss://scheduler:pw@");
    assertThat(cms.toString()).doesNotContain("pw").endsWith("(TLS)");

    // The gateway's side of the token, and no token by default: no check, as the reference.
    GatewayCommand gateway = (GatewayCommand) parse(Map.of("LLUMNIX_SERVICE_TOKEN", "tok"),
        "gateway");
    assertThat(gateway.options.serviceToken).isEqualTo("tok");
    SchedulerCommand open = (SchedulerCommand) parse(Map.of(), "scheduler");
    assertThat(open.config().serviceToken().enabled()).isFalse();
    assertThat(open.config().internalPort()).isZero();
    assertThat(open.cms.connection().tls()).isEqualTo(RedisConnection.Tls.OFF);
  }

  @Test
  void tlsFlagMistakesAreUsageErrors() throws Exception {
    Path ca = Files.writeString(folder.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
    String usage = String.valueOf(CommandLine.ExitCode.USAGE);
    assertThat(run("scheduler", "--cms-redis-tls-ca-file", ca.toString()))
        .containsExactly(usage, "llumnix: --cms-redis-tls-ca-file " + ca
            + " needs --cms-redis-tls" + System.lineSeparator());
    assertThat(run("scheduler", "--cms-redis-tls", "--cms-redis-tls-ca-file",
        folder.resolve("missing.crt").toString())[1]).contains("is not a readable file");
    assertThat(run("scheduler", "--no-enable-full-mode-scheduling",
        "--discovery-redis-tls-ca-file", ca.toString())[1])
        .contains("needs --discovery-redis-tls");
    assertThat(run("discovery", "--pod-name", "p", "--redis-tls-ca-file", ca.toString()))
        .containsExactly(usage, "llumnix: --redis-tls-ca-file " + ca + " needs --redis-tls"
            + System.lineSeparator());
    assertThat(run("scheduler", "--port", "8088", "--internal-port", "8088")[1])
        .contains("--internal-port: 8088");
  }
}
