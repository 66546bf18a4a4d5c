package io.llumnix.kvs.hash;

import java.util.Locale;

/**
 * How prompt chunks become KV-store keys ({@code --kvs-hash-algo}), as the Llumnix reference
 * scheduler computes them; {@link KvsKeys} has the details of each.
 */
public enum KvsHashAlgo {
  /** Chained SHA-256 of canonical CBOR; equals vLLM's {@code sha256_cbor} block hashes. */
  SHA256_CBOR,
  /** Chained SHA-256 of the raw previous digest and the tokens as 4-byte little-endian. */
  SHA256_HEX,
  /** One running XXH64 over the whole prompt; what the v6d backend stores. */
  XXHASH;

  private final String flagValue = name().toLowerCase(Locale.ROOT);

  /** The flag's spelling: {@code sha256_cbor}, {@code sha256_hex}, {@code xxhash}. */
  public String flagValue() {
    return flagValue;
  }

  /**
   * The algorithm spelled {@code flagValue}.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static KvsHashAlgo of(String flagValue) {
    for (KvsHashAlgo algo : values()) {
      if (algo.flagValue.equals(flagValue)) {
        return algo;
      }
    }
    throw new IllegalArgumentException("--kvs-hash-algo: " + flagValue
        + " (expected one of: [sha256_cbor, sha256_hex, xxhash])");
  }
}
