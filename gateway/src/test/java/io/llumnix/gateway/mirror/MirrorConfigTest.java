package io.llumnix.gateway.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class MirrorConfigTest {

  static MirrorConfig parse(String json) {
    return MirrorConfig.parse(Buffer.buffer(json));
  }

  @Test
  void keysAreReadInAnyCaseAndMissingOnesAreOff() {
    MirrorConfig config = parse("{\"ENABLE\": true, \"target\": \"http://canary:8089/\", "
        + "\"Ratio\": 12.5, \"timeout\": 2000, \"Authorization\": \"Bearer x\", "
        + "\"enableLog\": true}");
    assertThat(config).isEqualTo(new MirrorConfig(true, "http://canary:8089", 12.5, 2000,
        "Bearer x", true));
    assertThat(parse("{}")).isEqualTo(MirrorConfig.OFF);
    assertThat(parse("{\"Enable\": false, \"Target\": \"nonsense\"}").enabled()).isFalse();
  }

  @Test
  void badFilesAreRefusedWithWhy() {
    assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> parse("{\"Enable\": true, \"Target\": \"canary:8089\"}"))
        .hasMessageContaining("Target");
    assertThatThrownBy(() -> parse("{\"Enable\": true, \"Target\": \"http://c\", "
        + "\"Ratio\": 101}")).hasMessageContaining("Ratio");
    assertThatThrownBy(() -> parse("{\"Enable\": \"yes\"}")).hasMessageContaining("wrong type");
  }
}
