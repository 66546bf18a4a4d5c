package io.llumnix.runtime;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The headers a proxy passes on: all but the hop-by-hop ones (RFC 9110, section 7.6.1). */
public final class ProxyHeaders {

  /** Hop-by-hop headers, and the body's length, which the proxy's own connection sets. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive",
      "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
      "trailers", "transfer-encoding", "upgrade", "expect", "content-length");

  private ProxyHeaders() {}

  /**
   * {@code headers} without the hop-by-hop ones — those a {@code Connection} header names
   * included — and without {@code alsoDropped} (lower case).
   */
  public static MultiMap forwardable(MultiMap headers, Set<String> alsoDropped) {
    Set<String> dropped = new HashSet<>(HOP_BY_HOP);
    dropped.addAll(alsoDropped);
    for (String value : headers.getAll(HttpHeaders.CONNECTION)) {
      for (String name : value.split(",")) {
        dropped.add(name.trim().toLowerCase(Locale.ROOT));
      }
    }
    MultiMap kept = HttpHeaders.headers();
    for (Map.Entry<String, String> header : headers) {
      if (!dropped.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        kept.add(header.getKey(), header.getValue());
      }
    }
    return kept;
  }
}
