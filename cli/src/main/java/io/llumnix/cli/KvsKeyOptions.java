package io.llumnix.cli;

import io.llumnix.kvs.hash.KvsHashAlgo;
import io.llumnix.kvs.hash.KvsKeyFormat;
import picocli.CommandLine.Option;

/**
 * How prompts are hashed into KV-store chunk keys: the scheduler looks keys up with them, the
 * engine simulator publishes its cached chunks under them, so both take the same flags.
 */
final class KvsKeyOptions {

  @Option(names = "--kvs-hash-algo", defaultValue = "sha256_cbor",
      description = "Chunk-key hash: sha256_cbor (vLLM's sha256_cbor block hash), sha256_hex or "
          + "xxhash (the v6d backend always uses xxhash).")
  String algo;

  @Option(names = "--kvs-chunk-size", defaultValue = "" + KvsKeyFormat.DEFAULT_CHUNK_SIZE,
      description = "Tokens per KV-store chunk key.")
  int chunkSize;

  @Option(names = "--kvs-enable-save-unfull-chunk", defaultValue = "false", arity = "0..1",
      fallbackValue = "true", description = "Also key a prompt's last, partial chunk.")
  boolean saveUnfullChunk;

  @Option(names = "--kvs-iris-meta-prefix", defaultValue = KvsKeyFormat.DEFAULT_IRIS_META_PREFIX,
      description = "First prefix of xxhash keys.")
  String irisMetaPrefix;

  @Option(names = "--kvs-vllm-block-prefix", defaultValue = KvsKeyFormat.DEFAULT_VLLM_BLOCK_PREFIX,
      description = "Second prefix of xxhash keys.")
  String vllmBlockPrefix;

  @Option(names = "--kvs-hash-seed",
      description = "Root of the sha256_cbor chain; must equal the engines' PYTHONHASHSEED. "
          + "Default: the environment's GO_HASH_SEED (the scheduler) or PYTHONHASHSEED (the "
          + "engine simulator), else 0.")
  String hashSeed;

  /** The key format, seeded by {@code --kvs-hash-seed}, else the environment's {@code env}. */
  KvsKeyFormat format(String seedVariable) {
    String seed = hashSeed;
    if (seed == null) {
      String fromEnv = System.getenv(seedVariable);
      seed = fromEnv == null || fromEnv.isEmpty() ? KvsKeyFormat.DEFAULT_HASH_SEED : fromEnv;
    }
    return new KvsKeyFormat(KvsHashAlgo.of(algo), chunkSize, saveUnfullChunk, seed,
        irisMetaPrefix, vllmBlockPrefix);
  }
}
