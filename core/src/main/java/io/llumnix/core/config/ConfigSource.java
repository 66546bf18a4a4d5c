package io.llumnix.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Resolves a flag's value when the command line does not give it: first the environment variable
 * {@code LLUMNIX_<FLAG>} ({@code --max-queue-size} is {@code LLUMNIX_MAX_QUEUE_SIZE}), then the
 * config file, a properties file whose keys are flag names without dashes
 * ({@code max-queue-size = 512}). The command line beats both; both beat the built-in default.
 */
public final class ConfigSource {

  /** The environment variable that names a config file when {@code --config} is not given. */
  public static final String CONFIG_FILE_VARIABLE = "LLUMNIX_CONFIG";

  private final Map<String, String> environment;
  private final Properties file;

  private ConfigSource(Map<String, String> environment, Properties file) {
    this.environment = Map.copyOf(environment);
    this.file = file;
  }

  /**
   * Returns a source over {@code environment} and the properties file at {@code configFile}.
   *
   * @throws IllegalArgumentException when the file cannot be read
   */
  public static ConfigSource of(Map<String, String> environment, @Nullable Path configFile) {
    Properties properties = new Properties();
    if (configFile != null) {
      try (Reader reader = Files.newBufferedReader(configFile)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new IllegalArgumentException("config file: " + configFile + " (" + e + ")", e);
      }
    }
    return new ConfigSource(environment, properties);
  }

  /** A source that never has a value. */
  public static ConfigSource empty() {
    return new ConfigSource(Map.of(), new Properties());
  }

  /** The environment variable that sets {@code flag} (with or without leading dashes). */
  public static String environmentVariable(String flag) {
    return "LLUMNIX_" + bare(flag).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** Returns the value for {@code flag}, or null when neither environment nor file sets it. */
  public @Nullable String lookup(String flag) {
    String fromEnvironment = environment.get(environmentVariable(flag));
    if (fromEnvironment != null) {
      return fromEnvironment;
    }
    String fromFile = file.getProperty(bare(flag));
    return fromFile == null ? null : fromFile.trim();
  }

  private static String bare(String flag) {
    int start = 0;
    while (start < flag.length() && flag.charAt(start) == '-') {
      start++;
    }
    return flag.substring(start);
  }
}
