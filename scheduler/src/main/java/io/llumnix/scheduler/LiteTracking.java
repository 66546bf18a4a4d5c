package io.llumnix.scheduler;

import io.llumnix.core.instance.InstanceListener;
import io.llumnix.scheduler.api.ReportItem;
import java.util.List;

/**
 * What only lite mode needs from the API: token reports, the gateways whose keepalive holds
 * their requests, and the instances discovery finds. Full mode learns all of it from the CMS.
 */
public interface LiteTracking extends InstanceListener {

  /** Applies {@code /report} items; per-item errors are logged. Returns how many applied. */
  int report(List<ReportItem> items);

  /** A gateway's keepalive was accepted: requests may be allocated to it. */
  void registerGateway(String gatewayId);

  /** A gateway's keepalive dropped; returns how many of its requests were released. */
  int gatewayGone(String gatewayId);
}
