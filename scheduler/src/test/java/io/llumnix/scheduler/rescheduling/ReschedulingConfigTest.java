package io.llumnix.scheduler.rescheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.core.instance.InferType;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.llumlet.api.MigrationOrder;
import io.llumnix.llumlet.api.MigrationRule;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.policy.PolicyConfig;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The rescheduling settings, their defaults and checks, and the Migrate they produce. */
class ReschedulingConfigTest {

  static String error(UnaryOperator<ReschedulingConfig.Builder> settings) {
    try {
      settings.apply(ReschedulingConfig.builder()).build();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted");
  }

  @Test
  void defaultsAreTheReferences() {
    ReschedulingConfig config = ReschedulingConfig.disabled();
    assertThat(config.enabled()).isFalse();
    assertThat(config.intervalMillis()).isEqualTo(500);
    assertThat(config.policies()).containsExactly(ReschedulingPolicy.DECODE_LOAD,
        ReschedulingPolicy.PREFILL_FAILOVER, ReschedulingPolicy.DECODE_FAILOVER,
        ReschedulingPolicy.NEUTRAL_FAILOVER);
    assertThat(config.loadMetrics()).containsOnly(
        java.util.Map.entry(InferType.NEUTRAL, "kv_cache_usage_ratio_projected"),
        java.util.Map.entry(InferType.PREFILL, "kv_cache_usage_ratio_projected"),
        java.util.Map.entry(InferType.DECODE, "kv_cache_usage_ratio_projected"));
    assertThat(config.loadThresholds()).containsEntry(InferType.DECODE, 1.0)
        .containsEntry(InferType.NEUTRAL, 1.0);
    assertThat(config.loadBalanceThreshold()).isEqualTo(0.7);
    assertThat(config.scope()).isEqualTo(ReschedulingConfig.Scope.CLUSTER);
    assertThat(config.loadSelection())
        .isEqualTo(new RequestSelection(MigrationRule.TOKEN, MigrationOrder.SR, 1024));
    assertThat(config.grpcTimeoutSeconds()).isEqualTo(5); // the flag's -1
    assertThat(config.connectionPoolSize()).isEqualTo(-1);
    assertThat(SchedulerConfig.builder().build().rescheduling().enabled()).isFalse();
  }

  @Test
  void aTimeoutOfZeroOrLessMeansFiveSeconds() {
    assertThat(ReschedulingConfig.builder().grpcTimeoutSeconds(0).build().grpcTimeoutSeconds())
        .isEqualTo(5);
    assertThat(ReschedulingConfig.builder().grpcTimeoutSeconds(2).build().grpcTimeoutSeconds())
        .isEqualTo(2);
  }

  @Test
  void badValuesNameTheirFlagAndWhatItTakes() {
    assertThat(error(b -> b.policies("decode_load,bogus"))).isEqualTo("--rescheduling-policies: "
        + "bogus (expected one of: [decode_load, neutral_load, prefill_failover, "
        + "decode_failover, neutral_failover])");
    assertThat(error(b -> b.policies("binpacking_mitigation")))
        .startsWith("--rescheduling-policies: binpacking_mitigation belongs to adaptive");
    assertThat(error(b -> b.loadMetric(InferType.DECODE, "kv_cache_hit_len")))
        .startsWith("--rescheduling-decode-load-metric: kv_cache_hit_len (expected one of: ");
    assertThat(error(b -> b.scope("rack")))
        .isEqualTo("--rescheduling-load-balance-scope: rack (expected: cluster or unit)");
    assertThat(error(b -> b.reqSelectRule("BYTES"))).isEqualTo("--rescheduling-req-select-rule: "
        + "BYTES (expected one of: [NUM_REQ, TOKEN, RATIO])");
    assertThat(error(b -> b.reqSelectOrder("LIFO"))).startsWith(
        "--rescheduling-req-select-order: LIFO (expected one of: [LCR, FCR, LR, SR, FCW");
    assertThat(error(b -> b.mode(ReschedulingConfig.Mode.COLOCATED).intervalMillis(0)))
        .isEqualTo("--rescheduling-interval-ms: 0 (expected: >= 1)");
    // Off, the interval is not read.
    assertThat(ReschedulingConfig.builder().intervalMillis(0).build().enabled()).isFalse();
  }

  @Test
  void bothModesNeedFullMode() {
    for (ReschedulingConfig.Mode mode : new ReschedulingConfig.Mode[] {
        ReschedulingConfig.Mode.COLOCATED, ReschedulingConfig.Mode.STANDALONE}) {
      assertThatThrownBy(() -> SchedulerConfig.builder().fullMode(false)
          .policyConfig(PolicyConfig.liteDefaults())
          .rescheduling(ReschedulingConfig.builder().mode(mode).build()).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rescheduling-mode needs full mode");
    }
    assertThat(SchedulerConfig.builder().rescheduling(ReschedulingConfig.builder()
        .mode(ReschedulingConfig.Mode.COLOCATED).build()).build().withPort(1).rescheduling()
        .mode()).isEqualTo(ReschedulingConfig.Mode.COLOCATED);
  }

  @Test
  void theMigrateNamesBothEnginesAndCarriesTheValueInTheRulesField() {
    InstanceMetadata src = InstanceMetadata.newBuilder().setInstanceId("src").setIp("10.0.0.1")
        .setLlumletPort(7000).build();
    InstanceMetadata dst = InstanceMetadata.newBuilder().setInstanceId("dst").setIp("10.0.0.2")
        .setIpKvs("10.1.0.2").setKvtPort(28000).build();
    MigrateRequest tokens = new MigrationPair(ReschedulingPolicy.DECODE_LOAD, src, dst,
        new RequestSelection(MigrationRule.TOKEN, MigrationOrder.SR, 1024.9)).request();
    assertThat(tokens).isEqualTo(MigrateRequest.newBuilder().setSrcEngineId("src")
        .setDstEngineId("dst").setDstEngineIp("10.1.0.2").setDstEnginePort(28000)
        .setMigrationType("TOKEN").setMigrationReqPolicy("SR").setNumTokens(1024)
        .setTriggerPolicy("decode_load").build());
    MigrateRequest all = new MigrationPair(ReschedulingPolicy.NEUTRAL_FAILOVER, src, dst,
        RequestSelection.FAILOVER).request();
    assertThat(all.getMigrationValueCase()).isEqualTo(MigrateRequest.MigrationValueCase.NUM_REQS);
    assertThat(all.getNumReqs()).isEqualTo(-1);
    assertThat(all.getMigrationType()).isEqualTo("NUM_REQ");
    assertThat(all.getMigrationReqPolicy()).isEqualTo("LR");
    assertThat(all.getTriggerPolicy()).isEqualTo("neutral_failover");
    MigrateRequest ratio = new MigrationPair(ReschedulingPolicy.DECODE_LOAD, src, dst,
        new RequestSelection(MigrationRule.RATIO, MigrationOrder.FCW, 0.25)).request();
    assertThat(ratio.getMigrationValueCase())
        .isEqualTo(MigrateRequest.MigrationValueCase.KV_CACHE_USAGE_RATIO);
    assertThat(ratio.getKvCacheUsageRatio()).isEqualTo(0.25f);
  }
}
