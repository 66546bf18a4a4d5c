package io.llumnix.kvs.hash;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * vLLM's prefix-cache block hash, for an engine that must announce the same hashes in its KV
 * events as vLLM would: block i's hash is {@code hash_fn((parent or NONE_HASH, tuple(block
 * tokens), None))}, the parent being block i-1's hash. Only plain text is covered: vLLM's extra
 * keys (LoRA name, multimodal hashes, {@code cache_salt}) are always {@code None} here.
 *
 * <ul>
 *   <li>{@code sha256}: SHA-256 of {@code pickle.dumps(x, protocol=5)}, byte for byte as CPython's
 *       pickler writes it.
 *   <li>{@code sha256_cbor}: SHA-256 of {@code cbor2.dumps(x, canonical=True)}.
 * </ul>
 *
 * <p>{@code NONE_HASH}, the first block's parent, is {@code hash_fn(PYTHONHASHSEED)} (the seed as
 * a str) when a seed is given, else 32 random bytes, so that an unseeded engine shares hashes
 * with nobody, as in vLLM. Token ids are uint32: a negative {@code int} stands for its unsigned
 * value.
 *
 * <p>Not thread-safe: one per engine thread. It reuses its buffers (grown to the largest block
 * seen) and one {@link MessageDigest}, so {@link #hash(byte[], TokenSource, int, int, byte[])}
 * allocates nothing.
 */
public final class BlockHasher {

  /** The size of a block hash. */
  public static final int HASH_BYTES = 32;

  private final BlockHashAlgo algo;
  private final MessageDigest sha256 = KvsKeys.newSha256();
  private final byte[] noneHash;
  private final Cbor cbor = new Cbor(Cbor.blockCapacity(HASH_BYTES, 16));
  private final Pickle pickle = new Pickle(Cbor.blockCapacity(HASH_BYTES, 16) + 16);

  /**
   * A hasher for {@code algo}.
   *
   * @param pythonHashSeed the engine's {@code PYTHONHASHSEED}, or null when it is unset
   */
  public BlockHasher(BlockHashAlgo algo, @Nullable String pythonHashSeed) {
    this.algo = Objects.requireNonNull(algo, "algo");
    this.noneHash = new byte[HASH_BYTES];
    if (pythonHashSeed == null) {
      new SecureRandom().nextBytes(noneHash);
    } else if (algo == BlockHashAlgo.SHA256) {
      digest(pickle.text(pythonHashSeed).buffer(), pickle.length(), noneHash);
    } else {
      digest(cbor.text(pythonHashSeed).buffer(), cbor.length(), noneHash);
    }
  }

  public BlockHashAlgo algo() {
    return algo;
  }

  /** The parent of every first block; a copy. */
  public byte[] noneHash() {
    return noneHash.clone();
  }

  /**
   * Writes into {@code out32} the hash of the block {@code tokens[from..to)} whose previous block
   * hashed to {@code parent32}. {@code out32} may be {@code parent32}, to chain in place.
   *
   * @param parent32 the previous block's hash; null or empty for the first block, which then
   *     hangs off {@code NONE_HASH} (vLLM's {@code if not parent_block_hash})
   * @param out32 at least {@link #HASH_BYTES} long; the hash goes in its first 32 bytes
   */
  public void hash(byte @Nullable [] parent32, TokenSource tokens, int from, int to,
      byte[] out32) {
    Objects.checkFromToIndex(from, to, Integer.MAX_VALUE);
    Objects.checkFromIndexSize(0, HASH_BYTES, out32.length);
    byte[] parent = parent32 == null || parent32.length == 0 ? noneHash : parent32;
    if (algo == BlockHashAlgo.SHA256) {
      digest(pickle.block(parent, tokens, from, to).buffer(), pickle.length(), out32);
    } else {
      digest(cbor.block(parent, tokens, from, to).buffer(), cbor.length(), out32);
    }
  }

  /** The hash of the block {@code tokens[from..to)} after {@code parent}; a new array. */
  public byte[] hash(byte @Nullable [] parent, int[] tokens, int from, int to) {
    Objects.checkFromToIndex(from, to, tokens.length);
    byte[] out = new byte[HASH_BYTES];
    hash(parent, i -> tokens[i], from, to, out);
    return out;
  }

  /**
   * The integer vLLM puts in its KV events for a hash when {@code
   * VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES=1} (the default): the digest read as a big-endian integer
   * and masked to 64 bits, that is, its last 8 bytes big-endian (as an unsigned value).
   */
  public static long toInt64(byte[] digest) {
    long value = 0;
    for (int i = Math.max(0, digest.length - 8); i < digest.length; i++) {
      value = (value << 8) | (digest[i] & 0xff);
    }
    return value;
  }

  private void digest(byte[] bytes, int length, byte[] into) {
    sha256.update(bytes, 0, length);
    KvsKeys.finish(sha256, into);
  }
}
