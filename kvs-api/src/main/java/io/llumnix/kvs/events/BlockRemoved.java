package io.llumnix.kvs.events;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Blocks left the engine's prefix cache (evicted to make room).
 *
 * <p>The array is copied on construction; {@link #blockHashes()} returns that copy itself,
 * which callers must not modify.
 *
 * @param blockHashes the removed blocks' hashes, 64 bits each (vLLM's are unsigned: compare
 *     with {@link Long#compareUnsigned} and print with {@link Long#toUnsignedString(long)})
 * @param medium where the blocks lived, {@code "GPU"} for the engine's own cache; null when
 *     the publisher predates the field
 * @param groupIdx the KV-cache group (one per attention type in hybrid models), or null
 */
public record BlockRemoved(long[] blockHashes, @Nullable String medium, @Nullable Integer groupIdx)
    implements KvEvent {

  /** The wire tag. */
  public static final String TYPE = "BlockRemoved";

  /** Copies the hashes. */
  public BlockRemoved {
    blockHashes = blockHashes.clone();
  }

  /** GPU blocks of group 0, as a plain (non-hybrid) model's engine reports them. */
  public BlockRemoved(long... blockHashes) {
    this(blockHashes, BlockStored.MEDIUM_GPU, 0);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof BlockRemoved that
        && Arrays.equals(blockHashes, that.blockHashes)
        && Objects.equals(medium, that.medium)
        && Objects.equals(groupIdx, that.groupIdx);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(blockHashes), medium, groupIdx);
  }

  @Override
  public String toString() {
    return "BlockRemoved[blockHashes=" + BlockStored.unsignedList(blockHashes)
        + ", medium=" + medium + ", groupIdx=" + groupIdx + "]";
  }
}
