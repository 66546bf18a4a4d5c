package io.llumnix.kvs.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * vLLM's {@code --kv-events-config}: whether and where an engine publishes its KV-cache events.
 * The JSON field names and defaults are vLLM's ({@link #parse}).
 *
 * @param enableKvCacheEvents whether the engine emits events at all
 * @param publisher {@code "zmq"} or {@code "null"} (publish nothing); vLLM's default is
 *     {@code "zmq"} when events are enabled and {@code "null"} otherwise
 * @param endpoint the PUB socket's address; bound when {@link #binds()}, else connected
 * @param replayEndpoint the ROUTER socket that serves replays, or null for none
 * @param bufferSteps how many past batches (one per engine step) the replay buffer keeps
 * @param hwm the PUB socket's high-water mark, in messages
 * @param maxQueueSize how many batches may wait for the publisher thread; 0 means unbounded
 * @param topic the first frame of every message; subscribers filter on its prefix
 */
public record KvEventsConfig(
    boolean enableKvCacheEvents,
    String publisher,
    String endpoint,
    @Nullable String replayEndpoint,
    int bufferSteps,
    int hwm,
    int maxQueueSize,
    String topic) {

  /** vLLM's default PUB address. */
  public static final String DEFAULT_ENDPOINT = "tcp://*:5557";

  private static final String FLAG = "--kv-events-config";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Validates the values. */
  public KvEventsConfig {
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(topic, "topic");
    if (!publisher.equals("zmq") && !publisher.equals("null")) {
      throw new IllegalArgumentException(
          FLAG + ": publisher must be \"zmq\" or \"null\", not \"" + publisher + "\"");
    }
    if (endpoint.isBlank()) {
      throw new IllegalArgumentException(FLAG + ": endpoint is empty");
    }
    if (replayEndpoint != null && replayEndpoint.isBlank()) {
      throw new IllegalArgumentException(FLAG + ": replay_endpoint is empty");
    }
    requireNotNegative("buffer_steps", bufferSteps);
    requireNotNegative("hwm", hwm);
    requireNotNegative("max_queue_size", maxQueueSize);
  }

  /** vLLM's defaults: events disabled, publisher "null", endpoint {@value #DEFAULT_ENDPOINT}. */
  public static KvEventsConfig defaults() {
    return new KvEventsConfig(false, "null", DEFAULT_ENDPOINT, null, 10_000, 100_000, 100_000, "");
  }

  /**
   * Enabled ZeroMQ publishing on {@code endpoint}, optionally with replays on
   * {@code replayEndpoint}, other fields at vLLM's defaults.
   */
  public static KvEventsConfig zmq(String endpoint, @Nullable String replayEndpoint) {
    KvEventsConfig d = defaults();
    return new KvEventsConfig(true, "zmq", endpoint, replayEndpoint, d.bufferSteps, d.hwm,
        d.maxQueueSize, d.topic);
  }

  /**
   * Parses the flag's JSON object; absent fields take vLLM's defaults, unknown fields are
   * ignored (newer vLLMs add some).
   *
   * @throws IllegalArgumentException naming the flag when it is not a JSON object or a field
   *     has the wrong type or value
   */
  public static KvEventsConfig parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(FLAG + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(FLAG + ": expected a JSON object, got: " + json);
    }
    KvEventsConfig d = defaults();
    boolean enabled = bool(root, "enable_kv_cache_events", d.enableKvCacheEvents);
    String publisher = text(root, "publisher", null);
    return new KvEventsConfig(
        enabled,
        publisher != null ? publisher : enabled ? "zmq" : "null",
        Objects.requireNonNull(text(root, "endpoint", d.endpoint)),
        text(root, "replay_endpoint", null),
        integer(root, "buffer_steps", d.bufferSteps),
        integer(root, "hwm", d.hwm),
        integer(root, "max_queue_size", d.maxQueueSize),
        Objects.requireNonNull(text(root, "topic", d.topic)));
  }

  /** Whether events leave the engine over ZeroMQ: enabled and not the "null" publisher. */
  public boolean publishesOverZmq() {
    return enableKvCacheEvents && publisher.equals("zmq");
  }

  /**
   * Whether the PUB socket binds its endpoint (a wildcard, ipc, inproc or TCP port 0) or
   * connects to it.
   */
  public boolean binds() {
    return Endpoints.binds(endpoint);
  }

  /**
   * This config with the endpoint's and the replay endpoint's ports moved by {@code offset}, as
   * vLLM moves them for each data-parallel rank; an ephemeral port (0) stays ephemeral.
   *
   * @throws IllegalArgumentException when offset is negative or an endpoint has no port to move
   */
  public KvEventsConfig withPortOffset(int offset) {
    if (offset < 0) {
      throw new IllegalArgumentException(FLAG + ": port offset " + offset + " is negative");
    }
    return new KvEventsConfig(enableKvCacheEvents, publisher,
        Endpoints.offsetPort(endpoint, offset),
        replayEndpoint == null ? null : Endpoints.offsetPort(replayEndpoint, offset),
        bufferSteps, hwm, maxQueueSize, topic);
  }

  private static boolean bool(JsonNode root, String field, boolean absent) {
    JsonNode node = root.get(field);
    if (node == null) {
      return absent;
    }
    if (!node.isBoolean()) {
      throw wrongType(field, "true or false", node);
    }
    return node.booleanValue();
  }

  private static @Nullable String text(JsonNode root, String field, @Nullable String absent) {
    JsonNode node = root.get(field);
    if (node == null || (node.isNull() && absent == null)) {
      return absent;
    }
    if (!node.isTextual()) {
      throw wrongType(field, "a string", node);
    }
    return node.textValue();
  }

  private static int integer(JsonNode root, String field, int absent) {
    JsonNode node = root.get(field);
    if (node == null) {
      return absent;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw wrongType(field, "an integer", node);
    }
    return node.intValue();
  }

  private static IllegalArgumentException wrongType(String field, String expected, JsonNode got) {
    return new IllegalArgumentException(
        FLAG + ": " + field + " must be " + expected + ", got " + got);
  }

  private static void requireNotNegative(String field, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(FLAG + ": " + field + " is negative: " + value);
    }
  }
}
