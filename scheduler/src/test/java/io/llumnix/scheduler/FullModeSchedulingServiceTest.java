package io.llumnix.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.metrics.LlumnixMetrics;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.scheduler.SchedulingService.Outcome;
import io.llumnix.scheduler.api.SchedulingRequest;
import io.llumnix.scheduler.cms.CmsView;
import io.llumnix.scheduler.cms.FullModePolicies;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Full-mode dispatch by scheduling mode and stage, over a view fed directly. */
class FullModeSchedulingServiceTest {

  final long now = 1_000_000;
  CmsView view;
  FullModeSchedulingService service;

  static InstanceMetadata metadata(String id, String type) {
    return InstanceMetadata.newBuilder().setInstanceId(id).setInstanceType(type)
        .setIp("10.0.0.1").setApiServerPort(8000).setNodeId(id).setUnitId(id)
        .setDataParallelSize(1).build();
  }

  void status(String id, boolean schedulable, int update) {
    view.acceptStatus(InstanceStatus.newBuilder().setInstanceId(id).setSchedulable(schedulable)
        .setTimestampMs(now + update).setUpdateId(update).setNumTotalGpuTokens(1000).build());
  }

  @BeforeEach
  void setUp() {
    ComponentMetrics metrics = ComponentMetrics.createWithoutRuntime(1000);
    metrics.registerAll(LlumnixMetrics.scheduler());
    view = new CmsView(metrics, true, 10, () -> now);
    service = new FullModeSchedulingService(FullModePolicies.loadBalance(
        FullModePolicies.defaults(), 60, FullModePolicies.FailoverDomain.INSTANCE, () -> now),
        view, new InMemoryCmsStore(), new FullModeSchedulingService.Intervals(50, 1000), metrics);
    view.applyMetadata(List.of(metadata("p", "prefill"), metadata("d", "decode")));
    status("p", true, 1);
    status("d", true, 1);
    view.alive(true);
  }

  static SchedulingRequest request(String id, String mode, String stage) {
    return SchedulingRequest.fromJson(new JsonObject().put("id", id).put("scheduling_mode", mode)
        .put("scheduling_stage", stage).put("prompt_num_tokens", 100));
  }

  static List<String> ids(Outcome outcome) {
    assertThat(outcome).isInstanceOf(Outcome.Scheduled.class);
    return ((Outcome.Scheduled) outcome).answer().schedulingResult().stream()
        .map(i -> i.id()).toList();
  }

  @Test
  void modesAndStages() {
    assertThat(ids(service.schedule(request("r1", "pd_batch", "prefill"))))
        .containsExactly("p", "d");
    assertThat(ids(service.schedule(request("r2", "pd_staged", "prefill")))).containsExactly("p");
    assertThat(ids(service.schedule(request("r3", "pd_staged", "decode")))).containsExactly("d");
    assertThat(service.schedule(request("r4", "neutral", "prefill")))
        .isEqualTo(new Outcome.Failed(429, "no available endpoint"));
  }

  @Test
  void pdBatchWithoutADecodeSideTakesThePrefillBack() {
    status("d", false, 2);
    assertThat(ids(service.schedule(request("r1", "pd_batch", "prefill")))).containsExactly("p");
    assertThat(view.instance("p").inflightPrefillRequests()).isZero();
    assertThat(view.instance("p").inflightPrefillTokens()).isZero();
  }

  @Test
  void pdNeedsBothTypesAndTheCmsMustBeReadable() {
    view.applyMetadata(List.of(metadata("p", "prefill")));
    assertThat(service.schedule(request("r1", "pd_batch", "prefill")))
        .isEqualTo(new Outcome.Failed(429, "no available endpoint"));
    view.alive(false);
    assertThat(service.schedule(request("r2", "neutral", "prefill")))
        .isEqualTo(new Outcome.Failed(400, "cms not available"));
  }
}
