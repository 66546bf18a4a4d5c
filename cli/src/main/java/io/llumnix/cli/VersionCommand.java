package io.llumnix.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llumnix version}: prints the version of this build. */
@Command(name = "version", mixinStandardHelpOptions = true,
    description = "Print the version of Llumnix for the JVM.")
final class VersionCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println("llumnix " + version() + " (Java "
        + Runtime.version().feature() + ")");
    return 0;
  }

  /** The project version stamped into the jar at build time. */
  static String version() {
    try (InputStream in = VersionCommand.class.getResourceAsStream("/llumnix-version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serves {@code --version} on every command. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"llumnix " + version()};
    }
  }
}
