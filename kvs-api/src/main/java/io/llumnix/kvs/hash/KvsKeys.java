package io.llumnix.kvs.hash;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The KV-store keys of a prompt, one per chunk of {@link KvsKeyFormat#chunkSize()} tokens, as the
 * Llumnix reference scheduler computes them; the cache-aware scheduler asks the metadata service
 * which instances hold each key.
 *
 * <ul>
 *   <li>{@code sha256_hex}: digest<sub>i</sub> = SHA-256(digest<sub>i-1</sub>'s 32 raw bytes, for
 *       i &gt; 0, then the chunk's token ids as 4-byte little-endian); the key is its lowercase
 *       hex, with {@code _0} appended for a partial chunk.
 *   <li>{@code sha256_cbor}: prev = SHA-256(CBOR text string {@code hashSeed}); per chunk prev =
 *       SHA-256(canonical CBOR {@code [prev as bytes, [token ids], null]}); the key is the hex
 *       with {@code _0} appended, for every chunk. The digests are vLLM's {@code sha256_cbor}
 *       block hashes when the engine's block size is the chunk size and its {@code
 *       PYTHONHASHSEED} is the seed, so these keys name what the engine stored.
 *   <li>{@code xxhash}: one XXH64 stream (seed 0) over all token ids as 8-byte little-endian
 *       words; after each chunk the running digest is taken and the stream goes on; a partial
 *       last chunk is completed with zero tokens first. The key is {@code irisMetaPrefix +
 *       vllmBlockPrefix +} the digest as an unsigned decimal.
 * </ul>
 *
 * <p>The last, partial chunk has a key only when {@link KvsKeyFormat#saveUnfullChunk()}. Token
 * ids are uint32: a negative {@code int} stands for its unsigned value.
 *
 * <p>Immutable and thread-safe: each call takes its own digest and scratch buffer (a few objects
 * per call, none per token), so one instance serves every scheduling thread.
 */
public final class KvsKeys {

  private static final HexFormat HEX = HexFormat.of();
  private static final int DIGEST_BYTES = 32;

  private final KvsKeyFormat format;
  private final String xxhashPrefix;
  /** SHA-256 of the CBOR seed: the parent of the first {@code sha256_cbor} chunk. */
  private final byte[] seedDigest;

  public KvsKeys(KvsKeyFormat format) {
    this.format = Objects.requireNonNull(format, "format");
    this.xxhashPrefix = format.irisMetaPrefix() + format.vllmBlockPrefix();
    Cbor seed = new Cbor(16).text(format.hashSeed());
    MessageDigest sha256 = newSha256();
    sha256.update(seed.buffer(), 0, seed.length());
    this.seedDigest = sha256.digest();
  }

  public KvsKeyFormat format() {
    return format;
  }

  /** How many whole chunks the first {@code length} tokens make. */
  public int fullChunks(int length) {
    return length / format.chunkSize();
  }

  /** How many keys {@link #keys} gives for {@code length} tokens. */
  public int keyCount(int length) {
    boolean partial = format.saveUnfullChunk() && length % format.chunkSize() != 0;
    return fullChunks(length) + (partial ? 1 : 0);
  }

  /**
   * The keys of the first {@code length} tokens, in chunk order; empty for an empty prompt.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= length <= tokens.length}
   */
  public List<String> keys(int[] tokens, int length) {
    Objects.checkFromToIndex(0, length, tokens.length);
    String[] keys = new String[keyCount(length)];
    if (keys.length > 0) {
      switch (format.algo()) {
        case SHA256_HEX -> sha256Hex(tokens, length, keys);
        case SHA256_CBOR -> sha256Cbor(tokens, length, keys);
        case XXHASH -> xxhash(tokens, length, keys);
      }
    }
    return List.of(keys);
  }

  private void sha256Hex(int[] tokens, int length, String[] keys) {
    int chunkSize = format.chunkSize();
    MessageDigest sha256 = newSha256();
    byte[] scratch = new byte[4 * chunkSize];
    byte[] digest = new byte[DIGEST_BYTES];
    for (int chunk = 0; chunk < keys.length; chunk++) {
      int from = chunk * chunkSize;
      int to = Math.min(from + chunkSize, length);
      if (chunk > 0) {
        sha256.update(digest);
      }
      int at = 0;
      for (int i = from; i < to; i++) {
        int token = tokens[i];
        scratch[at++] = (byte) token;
        scratch[at++] = (byte) (token >>> 8);
        scratch[at++] = (byte) (token >>> 16);
        scratch[at++] = (byte) (token >>> 24);
      }
      sha256.update(scratch, 0, at);
      finish(sha256, digest);
      boolean partial = to - from < chunkSize;
      keys[chunk] = partial ? HEX.formatHex(digest) + "_0" : HEX.formatHex(digest);
    }
  }

  private void sha256Cbor(int[] tokens, int length, String[] keys) {
    int chunkSize = format.chunkSize();
    MessageDigest sha256 = newSha256();
    Cbor cbor = new Cbor(Cbor.blockCapacity(DIGEST_BYTES, chunkSize));
    byte[] parent = seedDigest.clone();
    TokenSource source = i -> tokens[i];
    for (int chunk = 0; chunk < keys.length; chunk++) {
      int from = chunk * chunkSize;
      cbor.block(parent, source, from, Math.min(from + chunkSize, length));
      sha256.update(cbor.buffer(), 0, cbor.length());
      finish(sha256, parent);
      keys[chunk] = HEX.formatHex(parent) + "_0";
    }
  }

  private void xxhash(int[] tokens, int length, String[] keys) {
    int chunkSize = format.chunkSize();
    Xxh64 stream = new Xxh64(0);
    for (int chunk = 0; chunk < keys.length; chunk++) {
      int from = chunk * chunkSize;
      int to = Math.min(from + chunkSize, length);
      for (int i = from; i < to; i++) {
        // uint32 widened to int64: zero-extended
        stream.putLong(Integer.toUnsignedLong(tokens[i]));
      }
      for (int padding = chunkSize - (to - from); padding > 0; padding--) {
        stream.putLong(0);
      }
      keys[chunk] = xxhashPrefix + Long.toUnsignedString(stream.value());
    }
  }

  /** Writes the digest into {@code into}, which can then be the next chunk's parent. */
  static void finish(MessageDigest sha256, byte[] into) {
    try {
      sha256.digest(into, 0, DIGEST_BYTES);
    } catch (DigestException e) {
      throw new IllegalStateException(e);
    }
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
