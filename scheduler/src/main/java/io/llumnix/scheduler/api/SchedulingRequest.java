package io.llumnix.scheduler.api;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code /schedule} (request and answer) and {@code /release}: llumnix.md §1.1.
 *
 * @param promptTokenIds echoed as given; null when absent
 */
public record SchedulingRequest(String id, String model, String gatewayId,
    String schedulingMode, String schedulingStage, int promptNumTokens,
    @Nullable JsonArray promptTokenIds, List<LlmInstance> schedulingResult) {

  public static final String NEUTRAL = "neutral";
  public static final String PD_BATCH = "pd_batch";
  public static final String PD_STAGED = "pd_staged";

  public SchedulingRequest {
    schedulingResult = List.copyOf(schedulingResult);
  }

  /**
   * Parses a request.
   *
   * @throws IllegalArgumentException when a field has the wrong type or value
   */
  public static SchedulingRequest fromJson(JsonObject json) {
    Object ids = json.getValue("prompt_token_ids");
    if (ids != null && !(ids instanceof JsonArray)) {
      throw new IllegalArgumentException("prompt_token_ids: expected an array or null");
    }
    String mode = string(json, "scheduling_mode", NEUTRAL);
    if (!mode.equals(NEUTRAL) && !mode.equals(PD_BATCH) && !mode.equals(PD_STAGED)) {
      throw new IllegalArgumentException("scheduling_mode: " + mode
          + " (expected one of: [neutral, pd_batch, pd_staged])");
    }
    String stage = string(json, "scheduling_stage", "prefill");
    if (!stage.equals("prefill") && !stage.equals("decode")) {
      throw new IllegalArgumentException(
          "scheduling_stage: " + stage + " (expected one of: [prefill, decode])");
    }
    List<LlmInstance> result = new ArrayList<>();
    Object instances = json.getValue("scheduling_result");
    if (instances instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof JsonObject instance)) {
          throw new IllegalArgumentException("scheduling_result: expected objects");
        }
        result.add(instance(instance));
      }
    } else if (instances != null) {
      throw new IllegalArgumentException("scheduling_result: expected an array");
    }
    Object tokens = json.getValue("prompt_num_tokens", 0);
    if (!(tokens instanceof Number n)) {
      throw new IllegalArgumentException("prompt_num_tokens: expected an integer");
    }
    return new SchedulingRequest(string(json, "id", ""), string(json, "model", ""),
        string(json, "gateway_id", ""), mode, stage, n.intValue(), (JsonArray) ids, result);
  }

  /** A copy with {@code result} as its scheduling result. */
  public SchedulingRequest withResult(List<LlmInstance> result) {
    return new SchedulingRequest(id, model, gatewayId, schedulingMode, schedulingStage,
        promptNumTokens, promptTokenIds, result);
  }

  /** The JSON body, with the reference's omitempty rules. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("model", model);
    if (!gatewayId.isEmpty()) {
      json.put("gateway_id", gatewayId);
    }
    json.put("scheduling_mode", schedulingMode).put("scheduling_stage", schedulingStage);
    if (promptNumTokens != 0) {
      json.put("prompt_num_tokens", promptNumTokens);
    }
    json.put("prompt_token_ids", promptTokenIds);
    if (!schedulingResult.isEmpty()) {
      JsonArray result = new JsonArray();
      for (LlmInstance instance : schedulingResult) {
        result.add(toJson(instance));
      }
      json.put("scheduling_result", result);
    }
    return json;
  }

  /** An {@code LLMInstance} object; every field is always present. */
  public static JsonObject toJson(LlmInstance instance) {
    return new JsonObject()
        .put("version", instance.version())
        .put("id", instance.id())
        .put("model", instance.model())
        .put("infer_type", instance.inferType().label())
        .put("endpoint", new JsonObject().put("host", instance.host())
            .put("port", instance.port()))
        .put("aux_ip", instance.auxIp())
        .put("aux_port", instance.auxPort())
        .put("dp_rank", instance.dpRank())
        .put("dp_size", instance.dpSize());
  }

  /** Parses an {@code LLMInstance} object. */
  public static LlmInstance instance(JsonObject json) {
    JsonObject endpoint = json.getJsonObject("endpoint", new JsonObject());
    return new LlmInstance(json.getLong("version", 0L), json.getString("id", ""),
        json.getString("model", ""), InferType.of(json.getString("infer_type", "")),
        endpoint.getString("host", ""), endpoint.getInteger("port", 0),
        json.getString("aux_ip", ""), json.getInteger("aux_port", 0),
        json.getInteger("dp_rank", 0), json.getInteger("dp_size", 0));
  }

  private static String string(JsonObject json, String field, String fallback) {
    Object value = json.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(field + ": expected a string");
    }
    return s.isEmpty() ? fallback : s;
  }
}
