package io.llumnix.kvs.events;

/** The engine dropped its whole prefix cache (e.g. {@code /reset_prefix_cache}). */
public record AllBlocksCleared() implements KvEvent {

  /** The wire tag. */
  public static final String TYPE = "AllBlocksCleared";

  @Override
  public String type() {
    return TYPE;
  }
}
