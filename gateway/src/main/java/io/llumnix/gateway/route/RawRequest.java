package io.llumnix.gateway.route;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;

/**
 * A request exactly as the client sent it: what an external server gets, untouched by
 * admission.
 *
 * @param uri path and query
 * @param id the request id, sent as {@code X-Request-Id} when the client sent none
 * @param model the model the client named (the metric label); empty when none
 */
public record RawRequest(HttpMethod method, String uri, MultiMap headers, Buffer body, String id,
    String model) {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The top-level {@code model} of a JSON body, read without building the body (a prompt may
   * be megabytes); empty when there is none or the body is not JSON — admission says why.
   */
  public static String modelOf(Buffer body) {
    try (JsonParser parser = JSON.createParser(body.getBytes())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return "";
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        boolean model = parser.currentName().equals("model");
        JsonToken value = parser.nextToken();
        if (model) {
          return value == JsonToken.VALUE_STRING ? parser.getText() : "";
        }
        parser.skipChildren();
      }
      return "";
    } catch (IOException e) {
      return "";
    }
  }
}
