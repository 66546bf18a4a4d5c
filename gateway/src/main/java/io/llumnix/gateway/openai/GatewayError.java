package io.llumnix.gateway.openai;

import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * An error answered with OpenAI's error JSON, {@code {"error":{"message","type","param","code"}}}.
 * Stackless: bad input and unavailable backends are expected traffic.
 */
public final class GatewayError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final @Nullable String param;

  public GatewayError(int status, String message, @Nullable String param) {
    super(message, null, false, false);
    this.status = status;
    this.param = param;
  }

  public static GatewayError badRequest(String message, @Nullable String param) {
    return new GatewayError(400, message, param);
  }

  public int status() {
    return status;
  }

  /** OpenAI's error type for the status. */
  public String type() {
    return switch (status) {
      case 400 -> "BadRequestError";
      case 404 -> "NotFoundError";
      case 413 -> "RequestTooLargeError";
      case 429 -> "RateLimitError";
      case 502 -> "BadGatewayError";
      case 503 -> "ServiceUnavailableError";
      case 504 -> "GatewayTimeoutError";
      default -> status >= 500 ? "InternalServerError" : "BadRequestError";
    };
  }

  public JsonObject toJson() {
    return new JsonObject().put("error", new JsonObject().put("message", getMessage())
        .put("type", type()).put("param", param).put("code", status));
  }
}
