package io.llumnix.enginesim.api;

import org.jspecify.annotations.Nullable;

/**
 * An error answered as vLLM does: {@code {"error":{"message","type","param","code"}}} with the
 * HTTP status as {@code code}. Thrown while validating a request; stackless, since bad input is
 * expected traffic.
 */
public final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final @Nullable String param;

  private ApiError(int status, String message, @Nullable String param) {
    super(message, null, false, false);
    this.status = status;
    this.param = param;
  }

  /** 400 BadRequestError. */
  public static ApiError badRequest(String message) {
    return new ApiError(400, message, null);
  }

  /** 400 BadRequestError about request field {@code param}. */
  public static ApiError badRequest(String message, String param) {
    return new ApiError(400, message, param);
  }

  /** 404 NotFoundError. */
  public static ApiError notFound(String message) {
    return new ApiError(404, message, null);
  }

  /** 500 InternalServerError, for engine-side failures. */
  public static ApiError internal(String message) {
    return new ApiError(500, message, null);
  }

  /** An error with {@code status}, as another engine answered it. */
  public static ApiError of(int status, String message) {
    return new ApiError(status, message, null);
  }

  public int status() {
    return status;
  }

  /** vLLM's error type for the status. */
  public String type() {
    return switch (status) {
      case 404 -> "NotFoundError";
      case 500 -> "InternalServerError";
      case 503 -> "ServiceUnavailableError";
      default -> "BadRequestError";
    };
  }

  /** The error body. */
  public String toJson() {
    StringBuilder json = new StringBuilder(128).append("{\"error\":{\"message\":");
    Json.string(json, getMessage());
    json.append(",\"type\":\"").append(type()).append("\",\"param\":");
    if (param == null) {
      json.append("null");
    } else {
      Json.string(json, param);
    }
    return json.append(",\"code\":").append(status).append("}}").toString();
  }
}
