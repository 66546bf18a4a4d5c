package io.llumnix.gateway.scheduling;

import io.llumnix.core.instance.LlmInstance;
import java.util.List;

/**
 * The instances chosen for one request, held until the request ends: it ends exactly once,
 * either {@link #finished()} (the engine answered to the end) or {@link #release() released}
 * (failed, retried elsewhere, or abandoned by the client); later calls do nothing. In between,
 * the request's progress is reported through it (lite mode keeps the scheduler's counts
 * current). Not thread-safe: the request's event loop calls it.
 */
public final class Lease {

  /** What the balancer that granted a lease hears of it. */
  public interface Holder {
    /** The first token came back: the prefill is done. */
    default void prefillDone(Lease lease) {}

    /** The request holds {@code tokens} tokens (prompt plus output so far). */
    default void tokens(Lease lease, long tokens) {}

    /** The request ended: normally ({@code finished}) or not. */
    default void ended(Lease lease, boolean finished) {}
  }

  /** A holder that hears nothing: leases of round-robin picks. */
  static final Holder NOBODY = new Holder() {};

  private final LeaseRequest request;
  private final List<LlmInstance> instances;
  private final Holder holder;
  private boolean ended;

  public Lease(LeaseRequest request, List<LlmInstance> instances, Holder holder) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("a lease holds at least one instance");
    }
    this.request = request;
    this.instances = List.copyOf(instances);
    this.holder = holder;
  }

  public LeaseRequest request() {
    return request;
  }

  /** The instances: {@code [N]} for a neutral request. */
  public List<LlmInstance> instances() {
    return instances;
  }

  /** The (first) instance. */
  public LlmInstance instance() {
    return instances.get(0);
  }

  public void prefillDone() {
    if (!ended) {
      holder.prefillDone(this);
    }
  }

  public void tokens(long tokens) {
    if (!ended) {
      holder.tokens(this, tokens);
    }
  }

  /** The request ended normally. */
  public void finished() {
    end(true);
  }

  /** The request failed or was abandoned on these instances. */
  public void release() {
    end(false);
  }

  private void end(boolean finished) {
    if (!ended) {
      ended = true;
      holder.ended(this, finished);
    }
  }
}
