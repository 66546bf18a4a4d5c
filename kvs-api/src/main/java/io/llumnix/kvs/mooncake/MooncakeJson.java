package io.llumnix.kvs.mooncake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.llumnix.core.json.JsonText;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The metadata service's JSON. The lookup's reply is Mooncake master's:
 *
 * <pre>{@code
 * {"success":true,"data":{
 *   "k1":{"ok":true,"values":[{"transport_endpoint_":"10.0.0.1:28000"}]},
 *   "k2":{"ok":false,"error":"OBJECT_NOT_FOUND"}}}
 * }</pre>
 *
 * <p>and an error is {@code {"success":false,"error":"..."}} (the master's other error shape,
 * with {@code error_message}, is read too). Readers skip fields they do not know, so a real
 * master's buffer descriptors and disk replicas pass.
 *
 * <p>Design notes. The scheduler reads a reply per request, so it is parsed with Jackson's
 * streaming parser and written straight into one buffer, without a tree.
 */
public final class MooncakeJson {

  private static final JsonFactory JSON = new JsonFactory();

  private MooncakeJson() {}

  /**
   * A lookup's reply.
   *
   * @param endpoints key to the endpoints holding it, only for keys found on at least one
   * @param error the service's message when not {@code success}, else empty
   */
  public record QueryReply(boolean success, Map<String, List<String>> endpoints, String error) {}

  /** The reply of a write, or any error reply. */
  public record Reply(boolean success, String error) {}

  /** The body of {@code /batch_put_keys} and {@code /batch_remove_keys}. */
  public record KeysBody(String endpoint, List<String> keys) {
    public KeysBody {
      keys = List.copyOf(keys);
    }
  }

  // ---- writing

  /**
   * The lookup's reply for {@code keys} (each once, in order): the keys of {@code found} with
   * their endpoints, every other key {@code ok:false} with {@code OBJECT_NOT_FOUND}.
   */
  public static Buffer encodeQueryReply(List<String> keys, Map<String, List<String>> found) {
    StringBuilder out = new StringBuilder(64 + keys.size() * 120);
    out.append("{\"success\":true,\"data\":{");
    Set<String> written = new LinkedHashSet<>();
    for (String key : keys) {
      if (!written.add(key)) {
        continue; // the master answers a repeated key once (its reply is a map)
      }
      if (written.size() > 1) {
        out.append(',');
      }
      JsonText.quote(out, key).append(':');
      List<String> endpoints = found.get(key);
      if (endpoints == null) {
        out.append("{\"ok\":false,\"error\":\"").append(MooncakeApi.OBJECT_NOT_FOUND)
            .append("\"}");
        continue;
      }
      out.append("{\"ok\":true,\"values\":[");
      for (int i = 0; i < endpoints.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        JsonText.quote(out.append("{\"transport_endpoint_\":"), endpoints.get(i)).append('}');
      }
      out.append("]}");
    }
    return Buffer.buffer(out.append("}}").toString());
  }

  /** A write's body. */
  public static Buffer encodeKeys(String endpoint, Collection<String> keys) {
    StringBuilder out = new StringBuilder(32 + endpoint.length() + keys.size() * 70);
    JsonText.quote(out.append("{\"endpoint\":"), endpoint).append(",\"keys\":[");
    boolean first = true;
    for (String key : keys) {
      if (!first) {
        out.append(',');
      }
      first = false;
      JsonText.quote(out, key);
    }
    return Buffer.buffer(out.append("]}").toString());
  }

  /** The body of {@code /remove_endpoint}. */
  public static Buffer encodeEndpoint(String endpoint) {
    return Buffer.buffer(JsonText.quote(new StringBuilder("{\"endpoint\":"), endpoint)
        .append('}').toString());
  }

  /** A successful write's reply. */
  public static Buffer encodeSuccess() {
    return Buffer.buffer("{\"success\":true}");
  }

  /** An error reply. */
  public static Buffer encodeError(String message) {
    return Buffer.buffer(JsonText.quote(new StringBuilder("{\"success\":false,\"error\":"),
        message).append('}').toString());
  }

  // ---- reading

  /**
   * Reads a lookup's reply.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static QueryReply decodeQueryReply(Buffer body) {
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      expect(p, JsonToken.START_OBJECT, "a reply object");
      boolean success = false;
      String error = "";
      Map<String, List<String>> endpoints = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "success" -> success = value == JsonToken.VALUE_TRUE;
          case "error", "error_message" -> error = value == JsonToken.VALUE_STRING
              ? p.getText() : error;
          case "data" -> {
            if (value == JsonToken.START_OBJECT) {
              data(p, endpoints);
            } else {
              p.skipChildren(); // an error reply's data, if any
            }
          }
          default -> p.skipChildren();
        }
      }
      return new QueryReply(success, endpoints, error);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable reply: " + e.getMessage(), e);
    }
  }

  private static void data(JsonParser p, Map<String, List<String>> endpoints)
      throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      if (p.nextToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      boolean ok = false;
      List<String> values = new ArrayList<>(2);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("ok")) {
          ok = value == JsonToken.VALUE_TRUE;
        } else if (field.equals("values") && value == JsonToken.START_ARRAY) {
          values(p, values);
        } else {
          p.skipChildren();
        }
      }
      if (ok && !values.isEmpty()) {
        endpoints.put(key, values);
      }
    }
  }

  private static void values(JsonParser p, List<String> values) throws IOException {
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("transport_endpoint_") && value == JsonToken.VALUE_STRING
            && !p.getText().isEmpty()) {
          values.add(p.getText());
        } else {
          p.skipChildren();
        }
      }
    }
  }

  /** Reads a write's reply or an error reply; a body that is no JSON object is no success. */
  public static Reply decodeReply(Buffer body) {
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Reply(false, "not a JSON object: " + snippet(body));
      }
      boolean success = false;
      String error = "";
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("success")) {
          success = value == JsonToken.VALUE_TRUE;
        } else if ((field.equals("error") || field.equals("error_message"))
            && value == JsonToken.VALUE_STRING) {
          error = p.getText();
        } else {
          p.skipChildren();
        }
      }
      return new Reply(success, error);
    } catch (IOException e) {
      return new Reply(false, "unreadable reply: " + snippet(body));
    }
  }

  /**
   * Reads a {@code /batch_put_keys} or {@code /batch_remove_keys} body.
   *
   * @throws IllegalArgumentException when it is not one: no JSON, no non-empty
   *     {@code endpoint} string, or no {@code keys} array of non-empty strings
   */
  public static KeysBody decodeKeys(Buffer body) {
    return write(body, true);
  }

  /**
   * Reads a {@code /remove_endpoint} body: its endpoint.
   *
   * @throws IllegalArgumentException when it has no non-empty {@code endpoint} string
   */
  public static String decodeEndpoint(Buffer body) {
    return write(body, false).endpoint();
  }

  /** A write body: its endpoint and, when {@code withKeys}, its keys (else none). */
  private static KeysBody write(Buffer body, boolean withKeys) {
    if (body.length() == 0) {
      throw new IllegalArgumentException("empty body");
    }
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      expect(p, JsonToken.START_OBJECT, "a JSON object");
      @Nullable String endpoint = null;
      @Nullable List<String> keys = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("endpoint")) {
          if (value != JsonToken.VALUE_STRING || p.getText().isEmpty()) {
            throw new IllegalArgumentException("endpoint: expected a non-empty string");
          }
          endpoint = p.getText();
        } else if (field.equals("keys") && withKeys) {
          keys = keys(p, value);
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IllegalArgumentException("trailing content after the object");
      }
      if (endpoint == null) {
        throw new IllegalArgumentException("missing endpoint");
      }
      if (withKeys && keys == null) {
        throw new IllegalArgumentException("missing keys");
      }
      return new KeysBody(endpoint, keys == null ? List.of() : keys);
    } catch (IOException e) {
      String message = e instanceof JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw new IllegalArgumentException("invalid JSON: " + message, e);
    }
  }

  private static List<String> keys(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("keys: expected an array of strings");
    }
    List<String> keys = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_STRING || p.getText().isEmpty()) {
        throw new IllegalArgumentException("keys[" + keys.size()
            + "]: expected a non-empty string");
      }
      // The lookup splits its parameter on commas, so such a key could never be found.
      if (p.getText().indexOf(',') >= 0) {
        throw new IllegalArgumentException("keys[" + keys.size() + "]: contains a comma");
      }
      keys.add(p.getText());
    }
    return keys;
  }

  private static void expect(JsonParser p, JsonToken token, String what) throws IOException {
    if (p.nextToken() != token) {
      throw new IllegalArgumentException("expected " + what);
    }
  }

  private static String snippet(Buffer body) {
    String text = body.toString();
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
