package io.llumnix.gateway.scheduling;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.openai.OpenAiError;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The instances chosen for one request, held until the request ends: it ends exactly once,
 * either {@link #finished()} (the engine answered to the end) or {@link #release() released}
 * (failed, retried elsewhere, or abandoned by the client); later calls do nothing. In between,
 * the request's progress is reported through it (lite mode keeps the scheduler's counts
 * current), and a pd_staged request adds its decode instance once its prefill is done. Not
 * thread-safe: the request's event loop calls it.
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

    /**
     * {@code instance} failed the request at the transport level (heard before
     * {@link #ended}): new requests should pass it over for a while.
     */
    default void failed(Lease lease, LlmInstance instance) {}

    /** Chooses the decode instance of a pd_staged request whose prefill is done. */
    default Future<LlmInstance> decode(Lease lease) {
      return Future.failedFuture(OpenAiError.of(503, "no available inference worker"));
    }

    /** {@code instance} was chosen for {@code lease} after it ended: nothing will run there. */
    default void chosenTooLate(Lease lease, LlmInstance instance) {}
  }


  private final LeaseRequest request;
  private final List<LlmInstance> instances;
  private final Holder holder;
  private boolean ended;

  public Lease(LeaseRequest request, List<LlmInstance> instances, Holder holder) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("a lease holds at least one instance");
    }
    this.request = request;
    this.instances = new ArrayList<>(instances);
    this.holder = holder;
  }

  public LeaseRequest request() {
    return request;
  }

  /** The instances: {@code [N]} neutral, {@code [P, D]} prefill/decode, {@code [P]} staged. */
  public List<LlmInstance> instances() {
    return instances;
  }

  /** The (first) instance. */
  public LlmInstance instance() {
    return instances.get(0);
  }

  /** The instance chosen for {@code type}, or null. */
  public @Nullable LlmInstance instance(InferType type) {
    for (LlmInstance instance : instances) {
      if (instance.inferType() == type) {
        return instance;
      }
    }
    return null;
  }

  /** Where the request's tokens come from: its decode instance, else its first. */
  public LlmInstance generating() {
    LlmInstance decode = instance(InferType.DECODE);
    return decode != null ? decode : instance();
  }

  /**
   * Chooses the decode instance of a pd_staged request (its prefill is done) and adds it to
   * the lease; fails with an {@link OpenAiError} when none can be had.
   */
  public Future<LlmInstance> scheduleDecode() {
    if (ended) {
      return Future.failedFuture(OpenAiError.of(499, "the request ended"));
    }
    return holder.decode(this).compose(decode -> {
      if (ended) {
        holder.chosenTooLate(this, decode);
        return Future.failedFuture(OpenAiError.of(499, "the request ended"));
      }
      instances.add(decode);
      return Future.succeededFuture(decode);
    });
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

  /**
   * The request failed because the instance at {@code endpoint} failed at the transport level
   * (refused, cut, closed early, not answering); released as {@link #release()}.
   */
  public void failed(String endpoint) {
    if (!ended) {
      for (LlmInstance instance : instances) {
        if (instance.endpoint().equals(endpoint)) {
          holder.failed(this, instance);
        }
      }
    }
    end(false);
  }

  private void end(boolean finished) {
    if (!ended) {
      ended = true;
      holder.ended(this, finished);
    }
  }
}
