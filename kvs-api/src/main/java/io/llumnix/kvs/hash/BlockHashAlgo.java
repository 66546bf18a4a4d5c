package io.llumnix.kvs.hash;

import java.util.Locale;

/** vLLM's prefix-caching block hash ({@code --prefix-caching-hash-algo}). */
public enum BlockHashAlgo {
  /** vLLM's default: SHA-256 of {@code pickle.dumps(x, protocol=5)}, only Python can share it. */
  SHA256,
  /** SHA-256 of canonical CBOR: language-independent, and equal to the KV-store keys'. */
  SHA256_CBOR;

  private final String flagValue = name().toLowerCase(Locale.ROOT);

  /** The flag's spelling: {@code sha256}, {@code sha256_cbor}. */
  public String flagValue() {
    return flagValue;
  }

  /**
   * The algorithm spelled {@code flagValue}.
   *
   * @throws IllegalArgumentException for any other value, including vLLM's xxhash variants,
   *     which are not implemented
   */
  public static BlockHashAlgo of(String flagValue) {
    for (BlockHashAlgo algo : values()) {
      if (algo.flagValue.equals(flagValue)) {
        return algo;
      }
    }
    throw new IllegalArgumentException("--prefix-caching-hash-algo: " + flagValue
        + " (expected one of: [sha256, sha256_cbor])");
  }
}
