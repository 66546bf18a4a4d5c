package io.llumnix.scheduler.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * The shared secret ({@code --service-token}) a gateway presents to a scheduler's internal
 * routes ({@code /schedule}, {@code /release}, {@code /report}, {@code /keepalive}), in the
 * {@code Authorization} header. Both sides use this class, so what the gateway sends is what the
 * scheduler checks: the gateway sends {@code Bearer <token>}; the scheduler accepts that and the
 * bare token (the reference's gateway sent it bare).
 *
 * <pre>{@code
 * ServiceToken token = ServiceToken.of("s3cret");
 * options.putHeader(HttpHeaders.AUTHORIZATION, token.authorization());      // the gateway
 * boolean ok = token.admits(request.getHeader(HttpHeaders.AUTHORIZATION));  // the scheduler
 * }</pre>
 *
 * @param value the token; empty means none: nothing is sent and everything is admitted
 */
public record ServiceToken(String value) {

  /** No token: the reference's default, and ours. */
  public static final ServiceToken NONE = new ServiceToken("");

  private static final String BEARER = "Bearer ";

  public ServiceToken {
    if (!value.equals(value.strip())) {
      // A header value is trimmed on the way, so such a token could never match.
      throw new IllegalArgumentException("--service-token: starts or ends with whitespace "
          + "(expected: a token without leading or trailing blanks)");
    }
  }

  /** {@code value}, or {@link #NONE} when it is empty. */
  public static ServiceToken of(String value) {
    return value.isEmpty() ? NONE : new ServiceToken(value);
  }

  /** Whether there is a token to send and to check. */
  public boolean enabled() {
    return !value.isEmpty();
  }

  /** The {@code Authorization} header value a gateway sends: {@code Bearer <token>}. */
  public String authorization() {
    return BEARER + value;
  }

  /**
   * Whether a request with this {@code Authorization} header may use the internal routes:
   * always without a token, else when the header is the token, bare or after {@code Bearer}
   * (any case). The comparison takes the same time however much of a wrong token matches.
   */
  public boolean admits(@Nullable String authorization) {
    if (!enabled()) {
      return true;
    }
    if (authorization == null) {
      return false;
    }
    byte[] expected = value.getBytes(StandardCharsets.UTF_8);
    boolean bearer = authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
    String presented = bearer ? authorization.substring(BEARER.length()).strip() : authorization;
    // isEqual's time depends only on its first argument's length, here the expected token's.
    return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
  }

  /** Never the token itself: configs holding one are printed and logged. */
  @Override
  public String toString() {
    return enabled() ? "ServiceToken[set]" : "ServiceToken[none]";
  }
}
