package io.llumnix.core.instance;

/** Hears which instances exist, as discovery learns it. */
public interface InstanceListener {

  /** {@code instance} appeared, or changed (a new version, address or role). */
  void up(LlmInstance instance);

  /** The instance with canonical id {@code instanceId} is gone. */
  void down(String instanceId);
}
