package io.llumnix.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parsesAListSkippingBlanksAndKeepingIpv6Hosts() {
    assertThat(HostPort.parseList("--x", " a:1, ,[::1]:8088,"))
        .containsExactly(new HostPort("a", 1), new HostPort("[::1]", 8088));
    assertThat(HostPort.parseList("--x", "")).isEmpty();
  }

  @Test
  void anEntryThatIsNotHostPortNamesTheFlag() {
    for (String bad : new String[] {"a", ":80", "a:0", "a:65536", "a:x"}) {
      assertThatThrownBy(() -> HostPort.parse("--scheduler-endpoints", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--scheduler-endpoints: " + bad + " (expected: host:port[,host:port...])");
    }
  }
}
