package io.llumnix.gateway.scheduling;

import io.llumnix.core.instance.InstanceListener;
import io.llumnix.core.instance.LlmInstance;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instances discovery reports, as an immutable list sorted by id that is replaced on each
 * change, so readers never lock.
 */
public final class InstanceDirectory implements InstanceListener {

  private final Map<String, LlmInstance> byId = new ConcurrentHashMap<>();
  private volatile List<LlmInstance> sorted = List.of();

  /** A directory holding {@code instances}. */
  public static InstanceDirectory of(List<LlmInstance> instances) {
    InstanceDirectory directory = new InstanceDirectory();
    instances.forEach(directory::up);
    return directory;
  }

  /** The instances, sorted by canonical id. */
  public List<LlmInstance> instances() {
    return sorted;
  }

  @Override
  public synchronized void up(LlmInstance instance) {
    byId.put(instance.canonicalId(), instance);
    rebuild();
  }

  @Override
  public synchronized void down(String instanceId) {
    if (byId.remove(instanceId) != null) {
      rebuild();
    }
  }

  private void rebuild() {
    sorted = byId.values().stream().sorted(Comparator.comparing(LlmInstance::canonicalId))
        .toList();
  }
}
