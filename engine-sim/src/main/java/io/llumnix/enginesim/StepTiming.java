package io.llumnix.enginesim;

/**
 * How closely steps kept to the step model: the model's total step time against the simulated
 * time that actually passed from each step's start to its completion. Read on any thread; the
 * figures are approximate while the engine runs.
 *
 * @param steps completed steps
 * @param modelNanos the model's total step time
 * @param measuredNanos the total time the steps really took, in simulated nanoseconds
 */
public record StepTiming(long steps, long modelNanos, long measuredNanos) {
  /** measured / model: 1.0 means the engine kept the model's pace exactly. */
  public double ratio() {
    return modelNanos == 0 ? 1.0 : (double) measuredNanos / modelNanos;
  }
}
