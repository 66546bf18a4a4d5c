package io.llumnix.gateway.mirror;

import io.llumnix.runtime.WatchedFile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * What to mirror, as the reference's mirror file says it: {@code {"Enable": true, "Target":
 * "http://canary:8089", "Ratio": 5, "Timeout": 2000, "Authorization": "Bearer …",
 * "EnableLog": false}}, keys in any case.
 *
 * @param target the base URL copies go to (the request's path is appended, its query dropped)
 * @param ratio the percentage of requests copied, 0 to 100
 * @param timeoutMillis how long a copy may take; 0: as long as the client's request
 * @param authorization replaces the copy's {@code Authorization} header when not empty
 * @param log whether each copy's outcome is logged
 */
public record MirrorConfig(boolean enabled, String target, double ratio, long timeoutMillis,
    String authorization, boolean log) {

  /** Nothing mirrored. */
  public static final MirrorConfig OFF = new MirrorConfig(false, "", 0, 0, "", false);

  public MirrorConfig {
    if (enabled && !(target.startsWith("http://") || target.startsWith("https://"))) {
      throw new IllegalArgumentException("mirror Target: " + target
          + " (expected: an http:// or https:// URL)");
    }
    if (!(ratio >= 0 && ratio <= 100)) {
      throw new IllegalArgumentException("mirror Ratio: " + ratio + " (expected: 0-100)");
    }
    if (timeoutMillis < 0) {
      throw new IllegalArgumentException("mirror Timeout: " + timeoutMillis
          + " (expected: >= 0 ms)");
    }
  }

  /**
   * The config in the file at {@code path}, re-read every {@code checkMillis} once started; a
   * missing file is no mirroring.
   */
  public static WatchedFile<MirrorConfig> watch(Vertx vertx, Path path) {
    return new WatchedFile<>(vertx, path, "mirror config", MirrorConfig::parse, OFF,
        Buffer.buffer(), OFF, MirrorConfig::describe);
  }

  /** In words, for the log. */
  String describe() {
    return enabled ? ratio + "% of requests to " + target : "off";
  }

  /**
   * The config {@code json} describes.
   *
   * @throws IllegalArgumentException when it is not a JSON object, or a value is out of range
   */
  public static MirrorConfig parse(Buffer json) {
    JsonObject object;
    try {
      object = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the mirror config is not a JSON object: "
          + e.getMessage(), e);
    }
    JsonObject keys = new JsonObject();
    for (Map.Entry<String, Object> field : object) {
      keys.put(field.getKey().toLowerCase(Locale.ROOT), field.getValue());
    }
    try {
      return new MirrorConfig(keys.getBoolean("enable", false),
          keys.getString("target", "").replaceAll("/+$", ""),
          keys.getNumber("ratio", 0).doubleValue(), keys.getNumber("timeout", 0).longValue(),
          keys.getString("authorization", ""), keys.getBoolean("enablelog", false));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("the mirror config has a value of the wrong type: "
          + e.getMessage(), e);
    }
  }
}
