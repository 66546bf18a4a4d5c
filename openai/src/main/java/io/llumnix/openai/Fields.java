package io.llumnix.openai;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Typed access to a request's optional fields, with pydantic's messages: a present field of the
 * wrong type is a 400 naming it.
 */
record Fields(JsonObject body) {

  @Nullable Object value(String name) {
    return body.getValue(name);
  }

  private <T> @Nullable T typed(String name, Class<T> type, String expected) {
    Object v = body.getValue(name);
    if (v == null || type.isInstance(v)) {
      return type.cast(v);
    }
    throw wrongType(name, expected);
  }

  @Nullable String string(String name) {
    return typed(name, String.class, "a valid string");
  }

  @Nullable Integer integer(String name) {
    Object v = body.getValue(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
        && Math.abs(number.doubleValue()) < Integer.MAX_VALUE) {
      return number.intValue();
    }
    throw wrongType(name, "a valid integer");
  }

  @Nullable Double number(String name) {
    Object v = body.getValue(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Number number) {
      return number.doubleValue();
    }
    throw wrongType(name, "a valid number");
  }

  @Nullable Boolean bool(String name) {
    return typed(name, Boolean.class, "a valid boolean");
  }

  @Nullable JsonArray array(String name) {
    return typed(name, JsonArray.class, "a valid list");
  }

  @Nullable JsonObject object(String name) {
    return typed(name, JsonObject.class, "a valid dictionary");
  }

  List<String> stringOrStrings(String name) {
    Object v = body.getValue(name);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      return s.isEmpty() ? List.of() : List.of(s);
    }
    if (v instanceof JsonArray array) {
      List<String> result = new ArrayList<>(array.size());
      for (Object item : array) {
        if (!(item instanceof String s)) {
          throw wrongType(name, "a valid string or list of strings");
        }
        if (!s.isEmpty()) {
          result.add(s);
        }
      }
      return result;
    }
    throw wrongType(name, "a valid string or list of strings");
  }

  int[] integers(String name) {
    Object v = body.getValue(name);
    if (v == null) {
      return new int[0];
    }
    if (v instanceof JsonArray array) {
      int[] result = new int[array.size()];
      for (int i = 0; i < result.length; i++) {
        if (!(array.getValue(i) instanceof Number number)) {
          throw wrongType(name, "a valid list of integers");
        }
        result[i] = number.intValue();
      }
      return result;
    }
    throw wrongType(name, "a valid list of integers");
  }

  static OpenAiError wrongType(String name, String expected) {
    return OpenAiError.badRequest(name + ": Input should be " + expected, name);
  }

  /** The JSON as maps and lists, key order kept: what chat templates navigate. */
  static Map<String, Object> plain(JsonObject object) {
    Map<String, Object> map = new LinkedHashMap<>(object.size() * 2);
    for (var field : object) {
      map.put(field.getKey(), plainValue(field.getValue()));
    }
    return map;
  }

  static List<Object> plain(JsonArray array) {
    List<Object> list = new ArrayList<>(array.size());
    for (Object item : array) {
      list.add(plainValue(item));
    }
    return list;
  }

  private static @Nullable Object plainValue(@Nullable Object value) {
    return value instanceof JsonObject o ? plain(o) : value instanceof JsonArray a ? plain(a)
        : value;
  }
}
