package io.llumnix.discovery;

import io.llumnix.core.instance.InstanceListener;
import io.llumnix.core.instance.LlmInstance;
import java.util.concurrent.ConcurrentHashMap;

/** The instances a discovery consumer reported up and not yet down, by canonical id. */
final class SeenInstances extends ConcurrentHashMap<String, LlmInstance>
    implements InstanceListener {

  @Override
  public void up(LlmInstance instance) {
    put(instance.canonicalId(), instance);
  }

  @Override
  public void down(String instanceId) {
    remove(instanceId);
  }
}
