package io.llumnix.scheduler.policy;

/** A load metric of an instance; lower is better. */
public interface Metric {

  /** The reference's metric name, e.g. {@code num_requests}. */
  String metricName();

  double value(InstanceView instance);

  /** Requests in flight on the instance (lite mode: the LRS count). */
  static Metric numRequests() {
    return Builtin.NUM_REQUESTS;
  }

  /** Tokens in flight on the instance (lite mode: the LRS sum). */
  static Metric numTokens() {
    return Builtin.NUM_TOKENS;
  }

  /**
   * The lite-mode metric named {@code name}: {@code num_requests}, else {@code num_tokens}, as
   * the reference maps full-mode metric names (the flags' defaults) in lite mode.
   */
  static Metric lite(String name) {
    return name.equals("num_requests") ? numRequests() : numTokens();
  }

  /** The built-in metrics. */
  enum Builtin implements Metric {
    NUM_REQUESTS {
      @Override
      public double value(InstanceView instance) {
        return instance.numRequests();
      }

      @Override
      public String metricName() {
        return "num_requests";
      }
    },
    NUM_TOKENS {
      @Override
      public double value(InstanceView instance) {
        return instance.numTokens();
      }

      @Override
      public String metricName() {
        return "num_tokens";
      }
    }
  }
}
