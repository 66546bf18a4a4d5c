package io.llumnix.scheduler.policy;

import java.util.function.ToDoubleFunction;

/**
 * A load metric of an instance of view {@code I}; lower is better.
 *
 * @param <I> the view it reads (lite mode's LRS instance, full mode's CMS instance)
 */
public interface Metric<I extends InstanceView> {

  /** The reference's metric name, e.g. {@code num_requests}. */
  String metricName();

  double value(I instance);

  /** A metric named {@code name} computed by {@code value}. */
  static <I extends InstanceView> Metric<I> of(String name, ToDoubleFunction<? super I> value) {
    return new Named<>(name, value);
  }

  /** Requests in flight on the instance, as the view counts them. */
  static <I extends InstanceView> Metric<I> numRequests() {
    return of("num_requests", InstanceView::numRequests);
  }

  /** Tokens in flight on the instance, as the view counts them. */
  static <I extends InstanceView> Metric<I> numTokens() {
    return of("num_tokens", InstanceView::numTokens);
  }

  /** See {@link #of}. */
  record Named<I extends InstanceView>(String metricName, ToDoubleFunction<? super I> function)
      implements Metric<I> {
    @Override
    public double value(I instance) {
      return function.applyAsDouble(instance);
    }

    @Override
    public String toString() {
      return metricName;
    }
  }
}
