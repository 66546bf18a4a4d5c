package io.llumnix.cli;

import picocli.CommandLine.Option;

/**
 * {@code --config FILE}: a properties file of flag values. {@link Main} reads it before parsing
 * (it supplies defaults); the option is declared so that every command accepts and documents it.
 */
final class ConfigFileOption {

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file with flag values, keys without dashes (port = 9000).")
  String file;
}
