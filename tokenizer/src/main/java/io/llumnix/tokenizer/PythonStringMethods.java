package io.llumnix.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import org.jspecify.annotations.Nullable;

/**
 * Python's {@code str} methods for Jinjava, which otherwise offers only Java's: chat templates
 * call {@code content.startswith('<tool_response>')}, {@code s.split('</think>')[-1]},
 * {@code s.lstrip('\n')} and the like. Only method calls on strings are resolved here; every
 * other lookup falls through to Jinjava's own resolvers.
 */
final class PythonStringMethods extends ELResolver {

  @Override
  public @Nullable Object invoke(ELContext context, @Nullable Object base, @Nullable Object method,
      Class<?> @Nullable [] paramTypes, Object @Nullable [] params) {
    if (!(base instanceof String s) || !(method instanceof String name)) {
      return null;
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result = call(s, name, args);
    if (result != null) {
      context.setPropertyResolved(true);
    }
    return result;
  }

  private static @Nullable Object call(String s, String name, Object[] args) {
    return switch (name) {
      case "strip" -> strip(s, chars(args), true, true);
      case "lstrip" -> strip(s, chars(args), true, false);
      case "rstrip" -> strip(s, chars(args), false, true);
      case "startswith" -> args.length == 1 ? s.startsWith(String.valueOf(args[0])) : null;
      case "endswith" -> args.length == 1 ? s.endsWith(String.valueOf(args[0])) : null;
      case "split" -> split(s, args);
      case "upper" -> args.length == 0 ? s.toUpperCase(Locale.ROOT) : null;
      case "lower" -> args.length == 0 ? s.toLowerCase(Locale.ROOT) : null;
      case "title" -> args.length == 0 ? title(s) : null;
      case "capitalize" -> args.length == 0 ? capitalize(s) : null;
      case "replace" -> args.length == 2
          ? s.replace(String.valueOf(args[0]), String.valueOf(args[1])) : null;
      case "find" -> args.length == 1 ? (long) s.indexOf(String.valueOf(args[0])) : null;
      case "count" -> args.length == 1 ? count(s, String.valueOf(args[0])) : null;
      case "join" -> args.length == 1 && args[0] instanceof Iterable<?> items ? join(s, items)
          : null;
      default -> null;
    };
  }

  /** The characters to strip, or null for whitespace. */
  private static @Nullable String chars(Object[] args) {
    return args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
  }

  private static String strip(String s, @Nullable String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    while (left && start < end && strippable(s.charAt(start), chars)) {
      start++;
    }
    while (right && end > start && strippable(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean strippable(char c, @Nullable String chars) {
    return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  private static @Nullable List<String> split(String s, Object[] args) {
    String separator = args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
    long max = args.length > 1 && args[1] instanceof Number n ? n.longValue() : -1;
    List<String> parts = new ArrayList<>();
    if (separator == null) { // runs of whitespace, no empty parts, as Python does
      for (String part : s.strip().split("\\s+", max < 0 ? 0 : (int) max + 1)) {
        if (!part.isEmpty()) {
          parts.add(part);
        }
      }
      return parts;
    }
    if (separator.isEmpty()) {
      return null; // Python raises "empty separator"; let Jinjava report the call
    }
    int from = 0;
    int at;
    while ((max < 0 || parts.size() < max) && (at = s.indexOf(separator, from)) >= 0) {
      parts.add(s.substring(from, at));
      from = at + separator.length();
    }
    parts.add(s.substring(from));
    return parts;
  }

  private static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousLetter = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(previousLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousLetter = Character.isLetter(c);
    }
    return out.toString();
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s
        : Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT);
  }

  private static long count(String s, String part) {
    if (part.isEmpty()) {
      return s.length() + 1L;
    }
    long n = 0;
    for (int at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }

  private static String join(String separator, Iterable<?> items) {
    StringBuilder out = new StringBuilder();
    boolean first = true;
    for (Object item : items) {
      if (!first) {
        out.append(separator);
      }
      out.append(item);
      first = false;
    }
    return out.toString();
  }

  @Override
  public @Nullable Object getValue(ELContext context, @Nullable Object base,
      @Nullable Object property) {
    return null;
  }

  @Override
  public @Nullable Class<?> getType(ELContext context, @Nullable Object base,
      @Nullable Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, @Nullable Object base, @Nullable Object property,
      @Nullable Object value) {
  }

  @Override
  public boolean isReadOnly(ELContext context, @Nullable Object base,
      @Nullable Object property) {
    return true;
  }

  @Override
  public @Nullable Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context,
      @Nullable Object base) {
    return null;
  }

  @Override
  public @Nullable Class<?> getCommonPropertyType(ELContext context, @Nullable Object base) {
    return null;
  }
}
