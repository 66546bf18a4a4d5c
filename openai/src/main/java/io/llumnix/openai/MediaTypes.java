package io.llumnix.openai;

import io.vertx.core.http.HttpHeaders;

/** The content types OpenAI's endpoints answer with, pre-encoded for Vert.x headers. */
public final class MediaTypes {

  /** A JSON body: whole answers and errors. */
  public static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  /** A stream of server-sent events. */
  public static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized(Sse.CONTENT_TYPE);

  private MediaTypes() {}
}
