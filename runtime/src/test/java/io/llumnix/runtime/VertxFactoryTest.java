package io.llumnix.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class VertxFactoryTest {

  @Test
  void onLinuxTheNativeEpollTransportIsUsed() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")),
        "the jar ships epoll for x86-64 and arm64 Linux only");
    Vertx vertx = VertxFactory.create(new VertxOptions().setEventLoopPoolSize(1));
    try {
      assertThat(vertx.isNativeTransportEnabled())
          .as("native transport (unavailable because: %s)", vertx.unavailableNativeTransportCause())
          .isTrue();
    } finally {
      vertx.close().await();
    }
  }
}
