package io.llumnix.core.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CooldownTest {

  final AtomicLong now = new AtomicLong(5_000_000_000L);
  final Cooldown cooldown = new Cooldown(10_000, now::get);

  @Test
  void aFailedKeyIsPassedOverUntilItsCooldownEnds() {
    List<String> all = List.of("a", "b", "c");
    assertThat(cooldown.filter(all, Function.identity())).isSameAs(all);
    assertThat(cooldown.failed("b")).isTrue();
    assertThat(cooldown.failed("b")).as("already cooling: no new failure").isFalse();
    assertThat(cooldown.filter(all, Function.identity())).containsExactly("a", "c");
    now.addAndGet(9_999_000_000L);
    assertThat(cooldown.cooling("b")).isTrue();
    now.addAndGet(1_000_000L);
    assertThat(cooldown.cooling("b")).isFalse();
    assertThat(cooldown.filter(all, Function.identity())).isSameAs(all);
    assertThat(cooldown.failed("b")).as("cooled down: a new failure").isTrue();
  }

  @Test
  void whenEveryCandidateCoolsDownAllAreCandidates() {
    cooldown.failed("a");
    cooldown.failed("b");
    List<String> all = List.of("a", "b");
    assertThat(cooldown.filter(all, Function.identity())).isSameAs(all);
    assertThat(cooldown.filter(List.of("a", "b", "c"), Function.identity()))
        .containsExactly("c");
  }

  @Test
  void noneNeverPassesAnythingOver() {
    assertThat(Cooldown.NONE.failed("a")).isFalse();
    assertThat(Cooldown.NONE.cooling("a")).isFalse();
  }
}
