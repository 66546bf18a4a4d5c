package io.llumnix.openai.http;

import io.vertx.core.http.HttpServerOptions;

/**
 * What an HTTP server of ours accepts before it refuses a request, each refusal answered in
 * OpenAI's error JSON ({@link ErrorRoutes}): vLLM's and Netty's usual sizes, and timeouts that
 * free a connection a client stopped feeding.
 *
 * @param maxRequestLineBytes the request line (method, URI, version); longer: 414
 * @param maxHeaderBytes all headers together; more: 431
 * @param maxHeaderCount headers; more: 431
 * @param maxBodyBytes the body; larger: 413
 * @param bodyTimeoutMillis from the request's head to the end of its body; longer: 408
 * @param idleTimeoutSeconds a connection with no byte either way for this long is closed; 0:
 *     never (a stream may be quiet while an engine prefills a long prompt)
 */
public record HttpLimits(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount,
    long maxBodyBytes, long bodyTimeoutMillis, int idleTimeoutSeconds) {

  /** 8 KiB line, 16 KiB and 100 headers, 64 MiB body, 30 s for it, 10 min idle. */
  public static final HttpLimits DEFAULT =
      new HttpLimits(8192, 16_384, 100, 64L * 1024 * 1024, 30_000, 600);

  public HttpLimits {
    if (maxRequestLineBytes < 256 || maxHeaderBytes < 1024 || maxHeaderCount < 8
        || maxBodyBytes < 1 || bodyTimeoutMillis < 1 || idleTimeoutSeconds < 0) {
      throw new IllegalArgumentException("HTTP limits: request line " + maxRequestLineBytes
          + " B, headers " + maxHeaderBytes + " B and " + maxHeaderCount + ", body "
          + maxBodyBytes + " B in " + bodyTimeoutMillis + " ms, idle " + idleTimeoutSeconds
          + " s (expected: line >= 256, headers >= 1024 B and >= 8, body >= 1 in >= 1 ms, "
          + "idle >= 0)");
    }
  }

  /** The same limits with another body size. */
  public HttpLimits withMaxBodyBytes(long bytes) {
    return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, bytes,
        bodyTimeoutMillis, idleTimeoutSeconds);
  }

  /**
   * Server options enforcing the sizes and the idle timeout. WebSocket compression is off:
   * these servers take no WebSockets, and offering it puts an extension handler in every
   * connection's pipeline, which every streamed chunk then passes through.
   */
  public HttpServerOptions serverOptions() {
    return new HttpServerOptions().setMaxInitialLineLength(maxRequestLineBytes)
        .setMaxHeaderSize(maxHeaderBytes).setIdleTimeout(idleTimeoutSeconds)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
  }
}
