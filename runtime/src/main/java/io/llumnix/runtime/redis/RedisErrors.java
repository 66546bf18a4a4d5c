package io.llumnix.runtime.redis;

/**
 * Redis client failures made readable where they are logged. Netty reports a TLS handshake that
 * failed as {@code Failed to create SSL connection}, the reason ({@code PKIX path building
 * failed}, {@code No subject alternative names matching ...}) only in its causes; an operator
 * reading {@code cms: cannot read (...)} needs that reason.
 */
public final class RedisErrors {

  private RedisErrors() {}

  /**
   * {@code failure} itself when its message says it all, else a failure (caused by it) whose
   * message adds its innermost cause's.
   */
  public static Throwable explained(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(failure.getMessage());
    String reason = root.getMessage();
    if (root == failure || reason == null || message.contains(reason)) {
      return failure;
    }
    return new IllegalStateException(message + ": " + reason, failure);
  }
}
