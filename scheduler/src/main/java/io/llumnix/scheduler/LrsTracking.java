package io.llumnix.scheduler;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.scheduler.api.ReportItem;
import io.llumnix.scheduler.lrs.LocalRealtimeState;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Lite mode's {@link LiteTracking} over the LRS: reports, gateways and discovered instances
 * change the counts the dispatcher chooses from. Runs on the scheduler's event loop.
 */
public final class LrsTracking implements LiteTracking {

  private static final System.Logger logger = System.getLogger(LrsTracking.class.getName());

  private final LocalRealtimeState lrs;

  public LrsTracking(LocalRealtimeState lrs) {
    this.lrs = lrs;
  }

  @Override
  public int report(List<ReportItem> items) {
    int applied = 0;
    for (ReportItem item : items) {
      LocalRealtimeState.@Nullable Outcome outcome = switch (item.kind()) {
        case PREFILL_DONE -> lrs.prefillDone(item.id(), item.instanceId(), item.gatewayId());
        case STATE_UPDATE -> lrs.updateTokens(item.id(), item.instanceId(), item.gatewayId(),
            item.numTokens());
        case INSTANCE_FAILED -> null; // the dispatcher's, not the counts'
      };
      if (outcome == null) {
        continue;
      }
      if (outcome == LocalRealtimeState.Outcome.OK) {
        applied++;
      } else {
        logger.log(System.Logger.Level.DEBUG, "report for {0} on {1} ignored: {2}", item.id(),
            item.instanceId(), outcome);
      }
    }
    return applied;
  }

  @Override
  public void registerGateway(String gatewayId) {
    lrs.registerGateway(gatewayId);
  }

  @Override
  public int gatewayGone(String gatewayId) {
    return lrs.gatewayGone(gatewayId);
  }

  @Override
  public void up(LlmInstance instance) {
    lrs.upsertInstance(instance);
  }

  @Override
  public void down(String instanceId) {
    lrs.removeInstance(instanceId);
  }
}
