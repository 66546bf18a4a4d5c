package io.llumnix.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticEndpointsTest {

  @Test
  void entriesAreNeutralUnlessTheyNameTheirType() {
    List<LlmInstance> instances = StaticEndpoints.parse(
        "10.0.0.1:8000, prefill@10.0.0.2:8000,decode@10.0.0.3:8001,,");
    assertThat(instances).extracting(LlmInstance::inferType)
        .containsExactly(InferType.NEUTRAL, InferType.PREFILL, InferType.DECODE);
    assertThat(instances.get(2).endpoint()).isEqualTo("10.0.0.3:8001");
    assertThat(instances.get(2).auxIp()).isEqualTo("10.0.0.3");
    assertThat(instances.get(2).auxPort()).isEqualTo(28001);
  }

  @Test
  void anUnknownTypeOrAddressIsRefusedWithTheExpectedForm() {
    assertThatThrownBy(() -> StaticEndpoints.parse("prefil@10.0.0.2:8000"))
        .hasMessageContaining("prefil@10.0.0.2:8000")
        .hasMessageContaining("[neutral|prefill|decode@]host:port");
    assertThatThrownBy(() -> StaticEndpoints.parse("decode@10.0.0.2"))
        .hasMessageContaining("--llm-backend-endpoints");
  }
}
