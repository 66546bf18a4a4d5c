package io.llumnix.scheduler.api;

import io.llumnix.core.instance.LlmInstance;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code /schedule} (request and answer) and of {@code /release}: which request,
 * from which gateway, in which mode and stage, with its prompt; the answer adds the chosen
 * instances. {@link SchedulingJson} reads and writes it as the reference does.
 *
 * @param gatewayId the gateway's keepalive address ({@code host:port}); "" when none
 * @param promptTokenIds the prompt's token ids, sent when the gateway forwards tokens (so the
 *     scheduler can hash prefixes); null when not sent. Not copied: callers must not change it.
 * @param schedulingResult the chosen instances: {@code [N]} neutral, {@code [P, D]} pd_batch,
 *     {@code [P]} or {@code [D]} pd_staged
 */
public record SchedulingRequest(String id, String model, String gatewayId, SchedulingMode mode,
    SchedulingStage stage, int promptNumTokens, int @Nullable [] promptTokenIds,
    List<LlmInstance> schedulingResult) {

  public SchedulingRequest {
    schedulingResult = List.copyOf(schedulingResult);
  }

  /** A request to schedule, without a result yet. */
  public static SchedulingRequest of(String id, String model, String gatewayId,
      SchedulingMode mode, SchedulingStage stage, int promptNumTokens,
      int @Nullable [] promptTokenIds) {
    return new SchedulingRequest(id, model, gatewayId, mode, stage, promptNumTokens,
        promptTokenIds, List.of());
  }

  /** A copy with {@code result} as its scheduling result. */
  public SchedulingRequest withResult(List<LlmInstance> result) {
    return new SchedulingRequest(id, model, gatewayId, mode, stage, promptNumTokens,
        promptTokenIds, result);
  }
}
