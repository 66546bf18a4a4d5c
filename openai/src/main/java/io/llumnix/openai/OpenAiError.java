package io.llumnix.openai;

import io.llumnix.core.json.JsonText;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.jspecify.annotations.Nullable;

/**
 * An error answered with OpenAI's error JSON,
 * {@code {"error":{"message","type","param","code"}}}, the HTTP status as {@code code}. Thrown
 * while validating a request; stackless, since bad input and unavailable backends are expected
 * traffic.
 */
public final class OpenAiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final @Nullable String param;

  private OpenAiError(int status, String message, @Nullable String param) {
    super(message, null, false, false);
    this.status = status;
    this.param = param;
  }

  /** An error with {@code status}. */
  public static OpenAiError of(int status, String message) {
    return new OpenAiError(status, message, null);
  }

  /** An error with {@code status} about request field {@code param}. */
  public static OpenAiError of(int status, String message, @Nullable String param) {
    return new OpenAiError(status, message, param);
  }

  /** 400 BadRequestError. */
  public static OpenAiError badRequest(String message) {
    return new OpenAiError(400, message, null);
  }

  /** 400 BadRequestError about request field {@code param}. */
  public static OpenAiError badRequest(String message, @Nullable String param) {
    return new OpenAiError(400, message, param);
  }

  /** 404 NotFoundError. */
  public static OpenAiError notFound(String message) {
    return new OpenAiError(404, message, null);
  }

  public int status() {
    return status;
  }

  public @Nullable String param() {
    return param;
  }

  /** The error type OpenAI's and vLLM's servers give the status. */
  public String type() {
    return type(status);
  }

  /** The error type for {@code status}: the one table the gateway and the engine share. */
  public static String type(int status) {
    return switch (status) {
      case 401 -> "AuthenticationError";
      case 403 -> "PermissionDeniedError";
      case 404 -> "NotFoundError";
      case 405 -> "MethodNotAllowedError";
      case 408 -> "RequestTimeoutError";
      case 413 -> "RequestTooLargeError";
      case 429 -> "RateLimitError";
      case 502 -> "BadGatewayError";
      case 503 -> "ServiceUnavailableError";
      case 504 -> "GatewayTimeoutError";
      default -> status >= 500 ? "InternalServerError" : "BadRequestError";
    };
  }

  /** The error body. */
  public String toJson() {
    StringBuilder json = new StringBuilder(128).append("{\"error\":{\"message\":");
    JsonText.quote(json, getMessage());
    json.append(",\"type\":\"").append(type()).append("\",\"param\":");
    if (param == null) {
      json.append("null");
    } else {
      JsonText.quote(json, param);
    }
    return json.append(",\"code\":").append(status).append("}}").toString();
  }

  /**
   * Answers {@code response} with this error; a 429 also says when to come back
   * ({@code Retry-After: 1}).
   */
  public void send(HttpServerResponse response) {
    if (status == 429) {
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON)
        .end(toJson());
  }

  /**
   * Ends {@code response} with this error: as its status and body while nothing was sent, else,
   * a stream being under way, as its last event before {@code [DONE]}.
   */
  public void end(HttpServerResponse response) {
    if (response.headWritten()) {
      response.write(ChunkWriter.error(this));
      response.end(Sse.done());
    } else {
      send(response.setChunked(false));
    }
  }
}
