package io.llumnix.scheduler.dispatch;

import io.llumnix.scheduler.cms.CmsInstance;
import io.llumnix.scheduler.lrs.LrsInstance;
import io.llumnix.scheduler.policy.InstanceView;

/**
 * A scheduling mode, typed by the view of one instance its policies read: a key of the
 * {@link PolicyRegistry}.
 *
 * @param <I> the instance view
 */
public final class Mode<I extends InstanceView> {

  /** Lite mode: the scheduler's own counts of what it dispatched (the LRS). */
  public static final Mode<LrsInstance> LITE = new Mode<>("lite");

  /** Full mode: engine-reported status in the CMS, plus the local account. */
  public static final Mode<CmsInstance> FULL = new Mode<>("full");

  private final String name;

  private Mode(String name) {
    this.name = name;
  }

  /** {@code lite} or {@code full}. */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
