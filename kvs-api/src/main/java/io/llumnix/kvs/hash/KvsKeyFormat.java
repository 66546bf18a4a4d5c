package io.llumnix.kvs.hash;

import static java.util.Objects.requireNonNull;

/**
 * How the scheduler names a prompt's chunks in the KV store: the {@code --kvs-*} hashing flags.
 *
 * @param algo {@code --kvs-hash-algo}
 * @param chunkSize {@code --kvs-chunk-size}: tokens per key; must equal the engine's block size
 *     for the keys to match what the engine stored
 * @param saveUnfullChunk {@code --kvs-enable-save-unfull-chunk}: also key the last, partial chunk
 * @param hashSeed the {@code sha256_cbor} seed (env {@code GO_HASH_SEED}); must equal the
 *     engine's {@code PYTHONHASHSEED}. Unused by the other algorithms
 * @param irisMetaPrefix {@code --kvs-iris-meta-prefix}, the first part of an {@code xxhash} key
 * @param vllmBlockPrefix {@code --kvs-vllm-block-prefix}, the second part of an {@code xxhash} key
 */
public record KvsKeyFormat(KvsHashAlgo algo, int chunkSize, boolean saveUnfullChunk,
    String hashSeed, String irisMetaPrefix, String vllmBlockPrefix) {

  public static final int DEFAULT_CHUNK_SIZE = 256;
  public static final String DEFAULT_HASH_SEED = "0";
  public static final String DEFAULT_IRIS_META_PREFIX = "iris.";
  public static final String DEFAULT_VLLM_BLOCK_PREFIX = "block.hash.key.";

  public KvsKeyFormat {
    requireNonNull(algo, "algo");
    requireNonNull(hashSeed, "hashSeed");
    requireNonNull(irisMetaPrefix, "irisMetaPrefix");
    requireNonNull(vllmBlockPrefix, "vllmBlockPrefix");
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("--kvs-chunk-size: " + chunkSize + " (expected: > 0)");
    }
  }

  /** The reference's defaults: {@code sha256_cbor}, 256-token chunks, no partial chunk. */
  public static KvsKeyFormat defaults() {
    return of(KvsHashAlgo.SHA256_CBOR, DEFAULT_CHUNK_SIZE, false);
  }

  /** {@code algo} with the default seed and prefixes. */
  public static KvsKeyFormat of(KvsHashAlgo algo, int chunkSize, boolean saveUnfullChunk) {
    return new KvsKeyFormat(algo, chunkSize, saveUnfullChunk, DEFAULT_HASH_SEED,
        DEFAULT_IRIS_META_PREFIX, DEFAULT_VLLM_BLOCK_PREFIX);
  }

  /** This format with another seed. */
  public KvsKeyFormat withHashSeed(String seed) {
    return new KvsKeyFormat(algo, chunkSize, saveUnfullChunk, seed, irisMetaPrefix,
        vllmBlockPrefix);
  }
}
