package io.llumnix.simulator.workload;

import io.llumnix.bench.trace.TraceEntry;
import io.llumnix.bench.trace.TraceReader;
import io.llumnix.tokenizer.TokenizerSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The requests of a trace file ({@code llumnix bench --record}, or any JSONL of the same
 * fields), read as the simulation reaches them. Prompts given as text are tokenized by the
 * built-in tokenizer, so prompts that share text share cached blocks; prompts given only by
 * length get random token ids, except that requests naming one {@code prefix_id} share their
 * first {@code prefix_tokens} ids.
 */
public final class TraceWorkload implements Workload, AutoCloseable {

  private static final Function<String, int[]> TOKENIZER =
      TokenizerSource.BUILTIN.load()::encode;

  private final TraceReader reader;
  private final int maxModelLen;
  private final long seed;
  private long count;

  /**
   * @param maxModelLen longer requests are cut to fit, as a gateway would refuse them otherwise
   */
  public TraceWorkload(Path trace, int maxModelLen, long seed) {
    try {
      this.reader = TraceReader.open(trace, TOKENIZER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.maxModelLen = maxModelLen;
    this.seed = seed;
  }

  /**
   * Reads {@code trace} through once, so that a bad line is reported before any simulation
   * starts rather than halfway through the first policy.
   *
   * @throws IllegalArgumentException naming the file and line of the first bad entry
   */
  public static void check(Path trace) {
    try (TraceReader reader = TraceReader.open(trace, TOKENIZER)) {
      while (reader.hasNext()) {
        reader.next();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("--trace " + trace + ": " + e.getMessage(), e);
    }
  }

  @Override
  public @Nullable WorkloadRequest next() {
    if (!reader.hasNext()) {
      return null;
    }
    TraceEntry entry = reader.next();
    long index = count++;
    int output = Math.min(entry.outputTokens(), maxModelLen / 2);
    int length = Math.max(1, Math.min(entry.promptTokens(), maxModelLen - output - 1));
    int[] ids;
    if (entry.promptTokenIds() != null) {
      ids = Arrays.copyOf(entry.promptTokenIds(), length);
    } else {
      ids = new int[length];
      int prefix = 0;
      if (entry.prefixId() != null) {
        prefix = Math.min(entry.prefixTokens(), length);
        // Flipped so that a prefix's stream never equals a request's (seed, index) stream.
        TokenIds.fill(ids, 0, prefix, TokenIds.seed(seed, entry.prefixId().hashCode()) ^ 1);
      }
      TokenIds.fill(ids, prefix, length, TokenIds.seed(seed, index));
    }
    return new WorkloadRequest("r" + index, Math.round(entry.arrivalMs() * 1e6), ids, output,
        TokenIds.seed(seed, ~index), entry.sessionId(), 0);
  }

  @Override
  public void close() {
    reader.close();
  }
}
