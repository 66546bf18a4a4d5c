package io.llumnix.cli;

import io.llumnix.core.config.ConfigSource;
import io.llumnix.core.config.Durations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Entry point of the single runnable jar.
 *
 * <pre>{@code
 * ./llumnix engine-sim --port 8000 --model m
 * LLUMNIX_PORT=9000 ./llumnix engine-sim          # the same flag from the environment
 * ./llumnix engine-sim --config cluster.properties  # or from a file: port = 9000
 * }</pre>
 */
@Command(
    name = "llumnix",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Llumnix for the JVM: serve large language models across many engine instances.",
    subcommands = {VersionCommand.class, EngineSimCommand.class, SchedulerCommand.class,
        DiscoveryCommand.class, GatewayCommand.class, LocalCommand.class, BenchCommand.class,
        SimulateCommand.class, KvsCommand.class},
    footer = {"", Main.FLAG_SOURCES, "",
        "'./llumnix test' (handled by the launcher script) runs the whole test suite."})
public final class Main implements Runnable {

  /** Where flag values come from, said at the end of every command's help. */
  static final String FLAG_SOURCES = "Every flag can also be set by the environment variable "
      + "LLUMNIX_<FLAG> (--max-model-len is LLUMNIX_MAX_MODEL_LEN) or by a properties file named "
      + "by --config or LLUMNIX_CONFIG (max-model-len = 4096). The command line wins over the "
      + "environment, which wins over the file.";

  /** How time spans are written, said at the end of the help of commands that take them. */
  static final String DURATIONS = "Time spans (5s, 500ms, 1m30s, 2h) take Go's duration syntax "
      + "or a plain number of seconds (5, 0.5).";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), new PrintWriter(System.out, true),
        new PrintWriter(System.err, true)));
  }

  /**
   * Runs {@code args}; returns the exit status: 0 on success, 2 for a bad flag or value, 1 when
   * a command fails.
   */
  static int run(String[] args, Map<String, String> environment, PrintWriter out,
      PrintWriter err) {
    ConfigSource source;
    try {
      String configFile = configFile(args, environment);
      source = ConfigSource.of(environment, configFile == null ? null : Path.of(configFile));
    } catch (IllegalArgumentException e) {
      err.println("llumnix: " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    return commandLine(source, out, err).execute(args);
  }

  /** The command tree with flag defaults from {@code source} and one-line errors. */
  static CommandLine commandLine(ConfigSource source, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setDefaultValueProvider(argSpec -> defaultValue(source, argSpec));
    commandLine.registerConverter(Duration.class, Durations::parse);
    commandLine.setParameterExceptionHandler((e, ignored) -> {
      CommandLine failed = e.getCommandLine();
      err.println("llumnix: " + e.getMessage() + " (see '" + failed.getCommandSpec().qualifiedName()
          + " --help')");
      return CommandLine.ExitCode.USAGE;
    });
    commandLine.setExecutionExceptionHandler((e, failed, ignored) -> {
      if (e instanceof IllegalArgumentException) {
        err.println("llumnix: " + e.getMessage());
        return CommandLine.ExitCode.USAGE;
      }
      err.println("llumnix: " + failed.getCommandName() + " failed: " + e);
      return CommandLine.ExitCode.SOFTWARE;
    });
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static @Nullable String defaultValue(ConfigSource source, ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec option && !option.usageHelp() && !option.versionHelp()) {
      // Our name comes first; an alias (the reference's underscore spelling) maps to it.
      return source.lookup(option.names()[0]);
    }
    return null;
  }

  /** The config file from {@code --config FILE}, {@code --config=FILE} or the environment. */
  private static @Nullable String configFile(String[] args, Map<String, String> environment) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith("--config=")) {
        return args[i].substring("--config=".length());
      }
    }
    return environment.get(ConfigSource.CONFIG_FILE_VARIABLE);
  }
}
