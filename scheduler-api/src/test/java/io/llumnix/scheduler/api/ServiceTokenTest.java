package io.llumnix.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServiceTokenTest {

  @Test
  void admitsTheTokenBareOrAsBearerAndNothingElse() {
    ServiceToken token = ServiceToken.of("s3cret");
    assertThat(token.authorization()).isEqualTo("Bearer s3cret");
    assertThat(token.admits("Bearer s3cret")).isTrue();
    assertThat(token.admits("bearer s3cret")).isTrue();
    assertThat(token.admits("s3cret")).isTrue(); // as the reference's gateway sends it
    assertThat(token.admits(null)).isFalse();
    assertThat(token.admits("")).isFalse();
    assertThat(token.admits("Bearer ")).isFalse();
    assertThat(token.admits("Bearer s3crex")).isFalse(); // same length, one byte off
    assertThat(token.admits("s3cret2")).isFalse();
    assertThat(token.admits("Basic s3cret")).isFalse();
  }

  @Test
  void noTokenAdmitsEveryoneAndIsNeverPrinted() {
    assertThat(ServiceToken.of("")).isSameAs(ServiceToken.NONE);
    assertThat(ServiceToken.NONE.admits(null)).isTrue();
    assertThat(ServiceToken.of("s3cret").toString()).doesNotContain("s3cret");
    assertThat(new SchedulerClient.Settings(1, "s3cret", 1).toString()).doesNotContain("s3cret");
    assertThatThrownBy(() -> ServiceToken.of(" s3cret"))
        .hasMessageContaining("--service-token");
  }
}
