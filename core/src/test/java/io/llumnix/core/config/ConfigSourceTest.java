package io.llumnix.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {

  @TempDir Path dir;

  @Test
  void environmentWinsOverFile() throws Exception {
    Path file = dir.resolve("llumnix.properties");
    Files.writeString(file, "max-queue-size = 7\nport=9000\n");
    ConfigSource source = ConfigSource.of(Map.of("LLUMNIX_MAX_QUEUE_SIZE", "9"), file);

    assertThat(source.lookup("--max-queue-size")).isEqualTo("9");
    assertThat(source.lookup("--port")).isEqualTo("9000");
    assertThat(source.lookup("--host")).isNull();
  }

  @Test
  void namesEnvironmentVariablesAfterFlags() {
    assertThat(ConfigSource.environmentVariable("--dispatch-top-k"))
        .isEqualTo("LLUMNIX_DISPATCH_TOP_K");
  }

  @Test
  void missingFileIsAClearError() {
    assertThatThrownBy(() -> ConfigSource.of(Map.of(), dir.resolve("nope.properties")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope.properties");
  }
}
