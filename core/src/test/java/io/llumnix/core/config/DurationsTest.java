package io.llumnix.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void goDurationsAsTheReferenceFlagsTakeThem() {
    assertThat(Durations.parse("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("300us")).isEqualTo(Duration.ofNanos(300_000));
    assertThat(Durations.parse("2h45m")).isEqualTo(Duration.ofMinutes(165));
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
  }

  @Test
  void plainNumbersAreSeconds() {
    assertThat(Durations.parse("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse("0.04")).isEqualTo(Duration.ofMillis(40));
  }

  @Test
  void anythingElseIsAClearError() {
    for (String bad : new String[] {"", "s", "5x", "1s2", "-1s", "ms5", "1 s", "-3"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Go duration");
    }
  }
}
