package io.llumnix.scheduler.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.json.JsonText;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The scheduler API's JSON, read and written as the reference does: {@code SchedulingRequest}
 * (omitempty on {@code gateway_id}, {@code prompt_num_tokens} and {@code scheduling_result};
 * {@code prompt_token_ids} always present, {@code null} when not sent), {@code LLMInstance}
 * (every field always present) and the {@code /report} array.
 *
 * <p>Design notes. Every request crosses this twice per side, with up to tens of thousands of
 * token ids: it writes text straight into one buffer and reads with Jackson's streaming parser,
 * without a tree or boxed integers.
 */
public final class SchedulingJson {

  private static final JsonFactory JSON = new JsonFactory();

  private SchedulingJson() {}

  // ---- writing

  /** The body of a {@code /schedule} or {@code /release}, or of the answer. */
  public static Buffer encode(SchedulingRequest request) {
    int[] ids = request.promptTokenIds();
    StringBuilder out = new StringBuilder(256 + (ids == null ? 0 : ids.length * 7));
    out.append("{\"id\":");
    JsonText.quote(out, request.id()).append(",\"model\":");
    JsonText.quote(out, request.model());
    if (!request.gatewayId().isEmpty()) {
      JsonText.quote(out.append(",\"gateway_id\":"), request.gatewayId());
    }
    out.append(",\"scheduling_mode\":\"").append(request.mode().wire())
        .append("\",\"scheduling_stage\":\"").append(request.stage().wire()).append('"');
    if (request.promptNumTokens() != 0) {
      out.append(",\"prompt_num_tokens\":").append(request.promptNumTokens());
    }
    out.append(",\"prompt_token_ids\":");
    if (ids == null) {
      out.append("null");
    } else {
      out.append('[');
      for (int i = 0; i < ids.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(Integer.toUnsignedString(ids[i]));
      }
      out.append(']');
    }
    if (!request.schedulingResult().isEmpty()) {
      out.append(",\"scheduling_result\":[");
      for (int i = 0; i < request.schedulingResult().size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        instance(out, request.schedulingResult().get(i));
      }
      out.append(']');
    }
    return Buffer.buffer(out.append('}').toString());
  }

  /** An {@code LLMInstance} object. */
  public static StringBuilder instance(StringBuilder out, LlmInstance instance) {
    out.append("{\"version\":").append(instance.version()).append(",\"id\":");
    JsonText.quote(out, instance.id()).append(",\"model\":");
    JsonText.quote(out, instance.model()).append(",\"infer_type\":\"")
        .append(instance.inferType().label()).append("\",\"endpoint\":{\"host\":");
    JsonText.quote(out, instance.host()).append(",\"port\":").append(instance.port())
        .append("},\"aux_ip\":");
    JsonText.quote(out, instance.auxIp()).append(",\"aux_port\":").append(instance.auxPort())
        .append(",\"dp_rank\":").append(instance.dpRank()).append(",\"dp_size\":")
        .append(instance.dpSize());
    return out.append('}');
  }

  /** The body of a {@code /report}. */
  public static Buffer encodeReport(List<ReportItem> items) {
    StringBuilder out = new StringBuilder(64 + items.size() * 160).append('[');
    for (int i = 0; i < items.size(); i++) {
      ReportItem item = items.get(i);
      if (i > 0) {
        out.append(',');
      }
      out.append("{\"kind\":\"").append(item.kind().wire()).append("\",\"id\":");
      JsonText.quote(out, item.id()).append(",\"model\":");
      JsonText.quote(out, item.model()).append(",\"infer_type\":\"")
          .append(item.inferType().label()).append("\",\"instance_id\":");
      JsonText.quote(out, item.instanceId()).append(",\"gateway_id\":");
      JsonText.quote(out, item.gatewayId());
      if (item.kind() == ReportItem.Kind.STATE_UPDATE) {
        out.append(",\"num_tokens\":").append(item.numTokens());
      }
      out.append('}');
    }
    return Buffer.buffer(out.append(']').toString());
  }

  // ---- reading

  /**
   * Reads a {@code SchedulingRequest}.
   *
   * @throws IllegalArgumentException when it is not JSON, or a field has the wrong type or value
   */
  public static SchedulingRequest decode(Buffer body) {
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("expected an object");
      }
      SchedulingRequest request = request(p);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing data after the object");
      }
      return request;
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a {@code /report} array (an empty body is an empty report).
   *
   * @throws IllegalArgumentException when it is not a JSON array of objects
   */
  public static List<ReportItem> decodeReport(Buffer body) {
    List<ReportItem> items = new ArrayList<>();
    if (body.length() == 0) {
      return items;
    }
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalArgumentException("expected an array");
      }
      JsonToken token;
      while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
        if (token != JsonToken.START_OBJECT) {
          throw new IllegalArgumentException("expected objects in the array");
        }
        items.add(reportItem(p));
      }
      return items;
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getMessage(), e);
    }
  }

  private static SchedulingRequest request(JsonParser p) throws IOException {
    String id = "";
    String model = "";
    String gateway = "";
    SchedulingMode mode = SchedulingMode.NEUTRAL;
    SchedulingStage stage = SchedulingStage.PREFILL;
    int promptTokens = 0;
    int[] ids = null;
    List<LlmInstance> result = List.of();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "id" -> id = string(p, field);
        case "model" -> model = string(p, field);
        case "gateway_id" -> gateway = string(p, field);
        case "scheduling_mode" -> mode = SchedulingMode.of(string(p, field));
        case "scheduling_stage" -> stage = SchedulingStage.of(string(p, field));
        case "prompt_num_tokens" -> promptTokens = integer(p, field, 0);
        case "prompt_token_ids" -> ids = tokenIds(p);
        case "scheduling_result" -> result = instances(p);
        default -> {
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            p.skipChildren();
          }
        }
      }
    }
    return new SchedulingRequest(id, model, gateway, mode, stage, promptTokens, ids, result);
  }

  private static int @Nullable [] tokenIds(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("prompt_token_ids: expected an array or null");
    }
    int[] ids = new int[64];
    int n = 0;
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.VALUE_NUMBER_INT) {
        throw new IllegalArgumentException("prompt_token_ids: expected integers");
      }
      if (n == ids.length) {
        ids = Arrays.copyOf(ids, n * 2);
      }
      ids[n++] = (int) p.getLongValue(); // uint32 on the wire
    }
    return Arrays.copyOf(ids, n);
  }

  private static List<LlmInstance> instances(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return List.of();
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("scheduling_result: expected an array");
    }
    List<LlmInstance> result = new ArrayList<>(2);
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("scheduling_result: expected objects");
      }
      result.add(instance(p));
    }
    return result;
  }

  /** Reads an {@code LLMInstance} object whose START_OBJECT was just read. */
  private static LlmInstance instance(JsonParser p) throws IOException {
    long version = 0;
    String id = "";
    String model = "";
    InferType type = InferType.NEUTRAL;
    String host = "";
    int port = 0;
    String auxIp = "";
    int auxPort = 0;
    int dpRank = 0;
    int dpSize = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "version" -> version = p.getValueAsLong();
        case "id" -> id = string(p, field);
        case "model" -> model = string(p, field);
        case "infer_type" -> type = InferType.of(string(p, field));
        case "endpoint" -> {
          if (value != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("endpoint: expected an object");
          }
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("host")) {
              host = string(p, name);
            } else if (name.equals("port")) {
              port = integer(p, name, 0);
            } else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
              p.skipChildren();
            }
          }
        }
        case "aux_ip" -> auxIp = string(p, field);
        case "aux_port" -> auxPort = integer(p, field, 0);
        case "dp_rank" -> dpRank = integer(p, field, 0);
        case "dp_size" -> dpSize = integer(p, field, 0);
        default -> {
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            p.skipChildren();
          }
        }
      }
    }
    return new LlmInstance(version, id, model, type, host, port, auxIp, auxPort, dpRank, dpSize);
  }

  private static ReportItem reportItem(JsonParser p) throws IOException {
    String kind = "";
    String id = "";
    String model = "";
    String type = "";
    String instance = "";
    String gateway = "";
    long tokens = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "kind" -> kind = string(p, field);
        case "id" -> id = string(p, field);
        case "model" -> model = string(p, field);
        case "infer_type" -> type = string(p, field);
        case "instance_id" -> instance = string(p, field);
        case "gateway_id" -> gateway = string(p, field);
        case "num_tokens" -> tokens = p.currentToken().isNumeric() ? p.getValueAsLong() : 0;
        default -> {
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            p.skipChildren();
          }
        }
      }
    }
    InferType inferType;
    try {
      inferType = InferType.of(type);
    } catch (IllegalArgumentException e) {
      inferType = InferType.NEUTRAL; // the item is matched by its instance id
    }
    return new ReportItem(ReportItem.Kind.of(kind), id, model, inferType, instance, gateway,
        tokens);
  }

  private static String string(JsonParser p, String field) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      return "";
    }
    if (token != JsonToken.VALUE_STRING) {
      throw new IllegalArgumentException(field + ": expected a string");
    }
    return p.getText();
  }

  private static int integer(JsonParser p, String field, int fallback) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      return fallback;
    }
    if (!token.isNumeric()) {
      throw new IllegalArgumentException(field + ": expected an integer");
    }
    return p.getValueAsInt();
  }
}
