package io.llumnix.kvs.events;

import io.llumnix.kvs.hash.TokenSource;
import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * Consecutive blocks of one request became full and entered the engine's prefix cache.
 *
 * <p>The arrays are copied on construction; the accessors return those copies themselves,
 * which callers must not modify.
 *
 * @param blockHashes the new blocks' hashes in prompt order, 64 bits each (vLLM's are unsigned:
 *     compare with {@link Long#compareUnsigned} and print with {@link Long#toUnsignedString})
 * @param parentBlockHash the hash of the block before the first one, or null when the first one
 *     is the request's block 0
 * @param tokenIds the new blocks' tokens, concatenated
 * @param blockSize tokens per block
 * @param medium where the blocks live, {@code "GPU"} for the engine's own cache; null when the
 *     publisher predates the field
 * @param loraName the LoRA adapter the blocks were computed with, or null for the base model
 * @param groupIdx the KV-cache group (one per attention type in hybrid models), or null
 * @param kvCacheSpecKind the group's attention kind, e.g. {@code "full_attention"}, or null
 */
public record BlockStored(
    long[] blockHashes,
    @Nullable Long parentBlockHash,
    int[] tokenIds,
    int blockSize,
    @Nullable String medium,
    @Nullable String loraName,
    @Nullable Integer groupIdx,
    @Nullable String kvCacheSpecKind) implements KvEvent {

  /** The wire tag. */
  public static final String TYPE = "BlockStored";
  /** The medium of the engine's own cache. */
  public static final String MEDIUM_GPU = "GPU";
  /** The attention kind of a plain decoder model's only group. */
  public static final String FULL_ATTENTION = "full_attention";

  /** Copies the arrays. */
  public BlockStored {
    blockHashes = blockHashes.clone();
    tokenIds = tokenIds.clone();
  }

  /**
   * Blocks {@code from} to {@code to} (exclusive) of a request, as an engine's prefix cache
   * stored them: {@code hashes} are the request's block hashes (the one before {@code from} is
   * the parent), {@code tokens} its token ids, block {@code b} holding positions
   * {@code [b * blockSize, (b + 1) * blockSize)}.
   */
  public static BlockStored ofRun(long[] hashes, int from, int to, int blockSize,
      TokenSource tokens) {
    int[] tokenIds = new int[(to - from) * blockSize];
    for (int i = 0; i < tokenIds.length; i++) {
      tokenIds[i] = tokens.tokenAt(from * blockSize + i);
    }
    return new BlockStored(Arrays.copyOfRange(hashes, from, to),
        from == 0 ? null : hashes[from - 1], tokenIds, blockSize);
  }

  /**
   * Base-model GPU blocks of a plain model's only group (0, full attention), as current vLLM
   * reports them for a model without LoRA or hybrid attention.
   */
  public BlockStored(
      long[] blockHashes, @Nullable Long parentBlockHash, int[] tokenIds, int blockSize) {
    this(blockHashes, parentBlockHash, tokenIds, blockSize, MEDIUM_GPU, null, 0, FULL_ATTENTION);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof BlockStored that
        && Arrays.equals(blockHashes, that.blockHashes)
        && Objects.equals(parentBlockHash, that.parentBlockHash)
        && Arrays.equals(tokenIds, that.tokenIds)
        && blockSize == that.blockSize
        && Objects.equals(medium, that.medium)
        && Objects.equals(loraName, that.loraName)
        && Objects.equals(groupIdx, that.groupIdx)
        && Objects.equals(kvCacheSpecKind, that.kvCacheSpecKind);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(blockHashes), parentBlockHash, Arrays.hashCode(tokenIds),
        blockSize, medium, loraName, groupIdx, kvCacheSpecKind);
  }

  @Override
  public String toString() {
    return "BlockStored[blockHashes=" + unsignedList(blockHashes)
        + ", parentBlockHash="
        + (parentBlockHash == null ? "null" : Long.toUnsignedString(parentBlockHash))
        + ", tokenIds=" + Arrays.toString(tokenIds) + ", blockSize=" + blockSize
        + ", medium=" + medium + ", loraName=" + loraName + ", groupIdx=" + groupIdx
        + ", kvCacheSpecKind=" + kvCacheSpecKind + "]";
  }

  /** Hashes printed the way vLLM prints them: unsigned. */
  static String unsignedList(long[] hashes) {
    StringJoiner joined = new StringJoiner(", ", "[", "]");
    for (long hash : hashes) {
      joined.add(Long.toUnsignedString(hash));
    }
    return joined.toString();
  }
}
