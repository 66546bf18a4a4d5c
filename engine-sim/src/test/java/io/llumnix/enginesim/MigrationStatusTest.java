package io.llumnix.enginesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.llumlet.api.LlumletGrpc;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.tokenizer.TokenizerSource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the llumlet publishes of migrations, plain and with the detailed status. */
class MigrationStatusTest {

  static EngineSimulator start(InMemoryCmsStore store, CmsTarget.MigrationSettings migration) {
    EngineSettings settings = EngineSettings.builder().model("m").outputLengthMean(0)
        .tokenizer(TokenizerSource.BUILTIN).core(CoreConfig.builder().numGpuBlocks(1000)
            .maxModelLen(4096).build()).build();
    return EngineSimulator.start(settings, "127.0.0.1", 0, 1, 20000,
        new CmsTarget(v -> store, Llumlet.Settings.defaults(), "127.0.0.1", migration));
  }

  static InstanceStatus status(InMemoryCmsStore store) throws Exception {
    var statuses = store.statuses(store.allMetadata().await(5, TimeUnit.SECONDS).stream()
        .map(InstanceMetadata::getInstanceId).toList()).await(5, TimeUnit.SECONDS);
    return statuses.isEmpty() ? null : statuses.get(0);
  }

  @Test
  void theMetadataNamesTheLlumletPortAndTheStatusTheFreeSlots() throws Exception {
    InMemoryCmsStore store = new InMemoryCmsStore();
    try (EngineSimulator engine = start(store, new CmsTarget.MigrationSettings(0, 2, 3, 5000))) {
      InstanceMetadata metadata = store.allMetadata().await(5, TimeUnit.SECONDS).get(0);
      assertThat(metadata.getLlumletPort()).isEqualTo(engine.instances().get(0).llumletPort())
          .isPositive();
      assertThat(metadata.getKvtPort()).isEqualTo(engine.instances().get(0).kvTransferPort());
      await().atMost(Duration.ofSeconds(5)).until(() -> status(store) != null);
      InstanceStatus status = status(store);
      assertThat(status.getNumAvailableMigrateInSlots()).isEqualTo(2);
      assertThat(status.getNumAvailableMigrateOutSlots()).isEqualTo(3);
      assertThat(status.getNumAvailableMigrateOutTokens()).isZero(); // not detailed
    }
  }

  @Test
  void theDetailedStatusCountsTokensAndTheyBoundMigrations() throws Exception {
    InMemoryCmsStore store = new InMemoryCmsStore();
    CmsTarget.MigrationSettings detailed = new CmsTarget.MigrationSettings(0, 1, 1, 5000, true,
        5000, 100, 0.3, 0.2);
    try (EngineSimulator engine = start(store, detailed)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> status(store) != null);
      InstanceStatus status = status(store);
      assertThat(status.getNumAvailableMigrateInTokens()).isEqualTo(5000);
      assertThat(status.getNumAvailableMigrateOutTokens()).isEqualTo(100);
      assertThat(status.getAvailableKvCacheUsageRatioMigrateIn()).isEqualTo(0.3);
      assertThat(status.getAvailableKvCacheUsageRatioMigrateOut()).isEqualTo(0.2);

      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1",
          engine.instances().get(0).llumletPort()).usePlaintext().build();
      try {
        MigrateRequest tooMany = MigrateRequest.newBuilder().setDstEngineIp("127.0.0.1")
            .setDstEnginePort(1).setMigrationType("TOKEN").setMigrationReqPolicy("SR")
            .setNumTokens(1000).build();
        try {
          LlumletGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
              .migrate(tooMany);
          throw new AssertionError("expected RESOURCE_EXHAUSTED");
        } catch (StatusRuntimeException e) {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
