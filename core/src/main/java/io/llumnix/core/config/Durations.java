package io.llumnix.core.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Duration flag values as the reference's Go flags write them ({@code 1s}, {@code 500ms},
 * {@code 1m30s}, {@code 1.5h}, {@code 300us}; Go's {@code time.ParseDuration}), or a plain
 * number of seconds ({@code 5}, {@code 0.5}) as our flags always took.
 */
public final class Durations {

  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException when it is neither a number nor a Go duration, or is
   *     negative
   */
  public static Duration parse(String text) {
    String s = text.trim();
    Duration result;
    try {
      result = seconds(Double.parseDouble(s));
    } catch (NumberFormatException e) {
      result = goDuration(s, text);
    }
    if (result.isNegative()) {
      throw invalid(text);
    }
    return result;
  }

  private static Duration seconds(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      throw new NumberFormatException();
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  private static Duration goDuration(String s, String original) {
    boolean negative = s.startsWith("-");
    String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
    if (body.equals("0")) {
      return Duration.ZERO;
    }
    if (body.isEmpty()) {
      throw invalid(original);
    }
    Matcher m = PART.matcher(body);
    double nanos = 0;
    int at = 0;
    while (at < body.length()) {
      if (!m.find(at) || m.start() != at) {
        throw invalid(original);
      }
      nanos += Double.parseDouble(m.group(1)) * unitNanos(m.group(2));
      at = m.end();
    }
    return Duration.ofNanos(Math.round(negative ? -nanos : nanos));
  }

  private static double unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1;
      case "us", "µs", "μs" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      default -> 3600e9; // h
    };
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("invalid duration " + text
        + " (expected: seconds such as 5 or 0.5, or a Go duration such as 1s, 500ms, 1m30s)");
  }
}
