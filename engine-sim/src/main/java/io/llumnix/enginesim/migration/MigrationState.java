package io.llumnix.enginesim.migration;

import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a destination must know to continue a request, as the source sends it: the request as
 * it was admitted, how far it got, and whether its KV comes along (a running request) or not
 * (a waiting one, which computes its tokens again).
 *
 * @param ageNanos simulated time since the request arrived at the source
 */
record MigrationState(String id, int[] prompt, int maxTokens, boolean maxTokensSet,
    int minTokens, int outputLength, List<String> stop, int[] stopTokenIds, long seed,
    int numOutput, String outputText, boolean withKv, long ageNanos) {

  static MigrationState of(SimRequest r, boolean withKv, long nowNanos) {
    return new MigrationState(r.id(), r.promptTokenIds(), r.maxTokens(), r.maxTokensSet(),
        r.minTokens(), r.outputLength(), r.stopStrings(), r.stopTokenIdsCopy(),
        r.outputSeed(), r.numOutputTokens(), r.outputTextSoFar(), withKv,
        nowNanos - r.arrivalNanos());
  }

  /** The request as the destination runs it, telling {@code listener}. */
  SimRequest resume(RequestListener listener) {
    return SimRequest.resumed(id, prompt, maxTokens, maxTokensSet, minTokens, outputLength,
        stop, stopTokenIds, seed, numOutput, outputText, listener);
  }

  /** The tokens whose KV the destination must hold: all but the last sampled one. */
  int kvTokens() {
    return withKv ? prompt.length + numOutput - 1 : 0;
  }

  JsonObject toJson() {
    JsonArray ids = new JsonArray();
    for (int t : prompt) {
      ids.add(t);
    }
    JsonArray stopIds = new JsonArray();
    for (int t : stopTokenIds) {
      stopIds.add(t);
    }
    return new JsonObject().put("request_id", id).put("prompt_token_ids", ids)
        .put("max_tokens", maxTokens).put("max_tokens_set", maxTokensSet)
        .put("min_tokens", minTokens).put("output_length", outputLength)
        .put("stop", new JsonArray(stop)).put("stop_token_ids", stopIds).put("seed", seed)
        .put("num_output_tokens", numOutput).put("output_text", outputText)
        .put("with_kv", withKv).put("age_nanos", ageNanos);
  }

  /**
   * The state {@code json} describes.
   *
   * @throws IllegalArgumentException when a field is missing or of the wrong type
   */
  static MigrationState fromJson(JsonObject json) {
    try {
      JsonArray ids = json.getJsonArray("prompt_token_ids");
      int[] prompt = new int[ids.size()];
      for (int i = 0; i < prompt.length; i++) {
        prompt[i] = ids.getInteger(i);
      }
      JsonArray stopIds = json.getJsonArray("stop_token_ids");
      int[] stopTokenIds = new int[stopIds.size()];
      for (int i = 0; i < stopTokenIds.length; i++) {
        stopTokenIds[i] = stopIds.getInteger(i);
      }
      List<String> stop = json.getJsonArray("stop").stream().map(String.class::cast).toList();
      return new MigrationState(json.getString("request_id"), prompt,
          json.getInteger("max_tokens"), json.getBoolean("max_tokens_set"),
          json.getInteger("min_tokens"), json.getInteger("output_length"), stop, stopTokenIds,
          json.getLong("seed"), json.getInteger("num_output_tokens"),
          json.getString("output_text"), json.getBoolean("with_kv"),
          json.getLong("age_nanos"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("migration state: " + e.getMessage(), e);
    }
  }
}
