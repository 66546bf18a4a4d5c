package io.llumnix.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The API keys clients may use, each with a name for logs and metrics. Only the keys' SHA-256
 * digests are kept, and a presented key is compared with every one of them in constant time,
 * so neither memory dumps nor response timing give a key away.
 */
public final class ApiKeys {

  /** No keys: the gateway is open. */
  public static final ApiKeys NONE = new ApiKeys(List.of());

  /** The name of a key listed without one. */
  public static final String UNNAMED = "unnamed";

  private record Key(String name, byte[] digest) {}

  private final List<Key> keys;

  private ApiKeys(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  /**
   * The keys of {@code text}: a line is {@code KEY} or {@code NAME KEY}; blank lines and lines
   * starting with {@code #} are skipped, and commas separate entries as newlines do (for an
   * environment variable).
   *
   * @throws IllegalArgumentException for a line of more than two words
   */
  public static ApiKeys parse(String text) {
    List<Key> keys = new ArrayList<>();
    String[] entries = text.split("[\\n,]");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      String[] words = entry.split("\\s+");
      if (words.length > 2) {
        throw new IllegalArgumentException("API keys, entry " + (i + 1)
            + ": expected KEY or NAME KEY, got " + words.length + " words");
      }
      keys.add(words.length == 2 ? new Key(words[0], digest(words[1]))
          : new Key(UNNAMED, digest(words[0])));
    }
    return new ApiKeys(keys);
  }

  /** Both sets of keys. */
  public ApiKeys and(ApiKeys more) {
    List<Key> all = new ArrayList<>(keys);
    all.addAll(more.keys);
    return new ApiKeys(all);
  }

  public int size() {
    return keys.size();
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /**
   * The name of the key an {@code Authorization} header carries ({@code Bearer <key>}); null
   * when it carries none of them. Every key is compared, whichever matches.
   */
  public @Nullable String nameOf(@Nullable String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    byte[] given = digest(authorization.substring(7).strip());
    String name = null;
    for (Key key : keys) {
      if (MessageDigest.isEqual(key.digest(), given) && name == null) {
        name = key.name();
      }
    }
    return name;
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return keys.size() + " key(s)";
  }
}
