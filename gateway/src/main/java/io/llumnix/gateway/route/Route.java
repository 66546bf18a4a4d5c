package io.llumnix.gateway.route;

import org.jspecify.annotations.Nullable;

/**
 * Where a route policy sends a request: this gateway's own cluster, an external server, or
 * nowhere (no entry matched: the fallback entries are its only chance).
 *
 * @param external the entry when it is an external server
 */
public record Route(Kind kind, @Nullable RouteEntry external) {

  public enum Kind { INTERNAL, EXTERNAL, UNMATCHED }

  public static final Route INTERNAL = new Route(Kind.INTERNAL, null);
  public static final Route UNMATCHED = new Route(Kind.UNMATCHED, null);

  /** To {@code entry}: internal when it is the local cluster. */
  static Route to(RouteEntry entry) {
    return entry.local() ? INTERNAL : new Route(Kind.EXTERNAL, entry);
  }
}
