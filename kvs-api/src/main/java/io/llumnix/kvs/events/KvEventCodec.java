package io.llumnix.kvs.events;

import io.llumnix.kvs.events.MsgpackTree.Nil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * The msgpack payload of a KV-event message, in every form vLLM has published.
 *
 * <p>{@link #encode} writes what current vLLM writes: the batch as an array
 * {@code [ts, [events...], data_parallel_rank]} and each event as a map tagged by its
 * {@code "type"}, fields in vLLM's declaration order, optional fields left out when null.
 *
 * <p>{@link #decode} reads that, the form vLLM wrote before 0.23 (each event a positional array
 * {@code ["BlockStored", block_hashes, parent_block_hash, token_ids, block_size, lora_id, medium,
 * lora_name, extra_keys, group_idx, kv_cache_spec_kind, ...]}, as long as that vLLM's fields
 * went), and a batch written as a map {@code {"ts", "events", "data_parallel_rank"}}. A block
 * hash may be an integer (vLLM's default: the digest's low 64 bits, up to 2^64 - 1) or the raw
 * digest bytes ({@code VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES=0}), whose last 8 bytes are the same
 * 64 bits. Unknown fields and unknown event types are skipped, so that a newer vLLM can add
 * them without breaking this reader.
 */
public final class KvEventCodec {

  // Positions in the legacy tagged-array form; position 0 is the tag.
  private static final int STORED_HASHES = 1;
  private static final int STORED_PARENT = 2;
  private static final int STORED_TOKENS = 3;
  private static final int STORED_BLOCK_SIZE = 4;
  private static final int STORED_MEDIUM = 6;
  private static final int STORED_LORA_NAME = 7;
  private static final int STORED_GROUP = 9;
  private static final int STORED_SPEC_KIND = 10;
  private static final int REMOVED_HASHES = 1;
  private static final int REMOVED_MEDIUM = 2;
  private static final int REMOVED_GROUP = 3;

  private KvEventCodec() {}

  /** The batch as current vLLM publishes it. */
  public static byte[] encode(KvEventBatch batch) {
    try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
      Integer rank = batch.dataParallelRank();
      out.packArrayHeader(rank == null ? 2 : 3); // msgspec leaves a trailing default out
      out.packDouble(batch.timestampSeconds());
      out.packArrayHeader(batch.events().size());
      for (KvEvent event : batch.events()) {
        switch (event) {
          case BlockStored stored -> writeStored(out, stored);
          case BlockRemoved removed -> writeRemoved(out, removed);
          case AllBlocksCleared cleared -> {
            out.packMapHeader(1);
            out.packString("type").packString(cleared.type());
          }
        }
      }
      if (rank != null) {
        out.packInt(rank);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("msgpack into memory failed", e); // cannot happen
    }
  }

  /**
   * Reads a payload in any of vLLM's forms.
   *
   * @throws IllegalArgumentException when it is not msgpack or not a KV-event batch
   */
  public static KvEventBatch decode(byte[] payload) {
    try {
      return batch(MsgpackTree.read(payload));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) { // a shape this reader did not foresee: still "malformed"
      throw new IllegalArgumentException("malformed KV event batch: " + e, e);
    }
  }

  private static void writeStored(MessagePacker out, BlockStored event) throws IOException {
    int optional = (event.groupIdx() != null ? 1 : 0) + (event.kvCacheSpecKind() != null ? 1 : 0);
    out.packMapHeader(8 + optional);
    out.packString("type").packString(event.type());
    out.packString("block_hashes");
    writeHashes(out, event.blockHashes());
    out.packString("parent_block_hash");
    if (event.parentBlockHash() == null) {
      out.packNil();
    } else {
      writeHash(out, event.parentBlockHash());
    }
    out.packString("token_ids").packArrayHeader(event.tokenIds().length);
    for (int token : event.tokenIds()) {
      out.packInt(token);
    }
    out.packString("block_size").packInt(event.blockSize());
    out.packString("lora_id").packNil(); // deprecated in vLLM, still a required field
    writeNullable(out.packString("medium"), event.medium());
    writeNullable(out.packString("lora_name"), event.loraName());
    if (event.groupIdx() != null) {
      out.packString("group_idx").packInt(event.groupIdx());
    }
    if (event.kvCacheSpecKind() != null) {
      out.packString("kv_cache_spec_kind").packString(event.kvCacheSpecKind());
    }
  }

  private static void writeRemoved(MessagePacker out, BlockRemoved event)
      throws IOException {
    out.packMapHeader(event.groupIdx() != null ? 4 : 3);
    out.packString("type").packString(event.type());
    out.packString("block_hashes");
    writeHashes(out, event.blockHashes());
    writeNullable(out.packString("medium"), event.medium());
    if (event.groupIdx() != null) {
      out.packString("group_idx").packInt(event.groupIdx());
    }
  }

  private static void writeHashes(MessagePacker out, long[] hashes) throws IOException {
    out.packArrayHeader(hashes.length);
    for (long hash : hashes) {
      writeHash(out, hash);
    }
  }

  /** As vLLM writes it: an unsigned integer, so a hash with the top bit set is a uint64. */
  private static void writeHash(MessagePacker out, long hash) throws IOException {
    if (hash >= 0) {
      out.packLong(hash);
    } else {
      out.packBigInteger(BigInteger.valueOf(hash & Long.MAX_VALUE).setBit(63));
    }
  }

  private static void writeNullable(MessagePacker out, @Nullable String value)
      throws IOException {
    if (value == null) {
      out.packNil();
    } else {
      out.packString(value);
    }
  }

  private static KvEventBatch batch(Object root) {
    Fields fields = Fields.of(root, "batch");
    double timestamp = switch (fields.require("ts", 0, "batch")) {
      case Double d -> d;
      case Long l -> l;
      case Object other -> throw malformed("batch: ts must be a number, got " + describe(other));
    };
    List<?> rawEvents = list(fields.require("events", 1, "batch"), "batch: events");
    Object rank = fields.get("data_parallel_rank", 2);
    List<KvEvent> events = new ArrayList<>(rawEvents.size());
    for (int i = 0; i < rawEvents.size(); i++) {
      KvEvent event = event(rawEvents.get(i), "event " + i);
      if (event != null) {
        events.add(event);
      }
    }
    return new KvEventBatch(timestamp, events,
        rank == Nil.NIL ? null : integer(rank, "batch: data_parallel_rank"));
  }

  private static @Nullable KvEvent event(Object raw, String where) {
    Fields fields = Fields.of(raw, where);
    if (!(fields.require("type", 0, where) instanceof String type)) {
      throw malformed(where + ": its type tag is not a string");
    }
    String at = where + " (" + type + ")";
    return switch (type) {
      case BlockStored.TYPE -> new BlockStored(
          hashes(fields.require("block_hashes", STORED_HASHES, at), at + ": block_hashes"),
          optionalHash(fields.get("parent_block_hash", STORED_PARENT), at),
          ints(fields.require("token_ids", STORED_TOKENS, at), at + ": token_ids"),
          integer(fields.require("block_size", STORED_BLOCK_SIZE, at), at + ": block_size"),
          optionalText(fields.get("medium", STORED_MEDIUM), at + ": medium"),
          optionalText(fields.get("lora_name", STORED_LORA_NAME), at + ": lora_name"),
          optionalInteger(fields.get("group_idx", STORED_GROUP), at + ": group_idx"),
          optionalText(fields.get("kv_cache_spec_kind", STORED_SPEC_KIND),
              at + ": kv_cache_spec_kind"));
      case BlockRemoved.TYPE -> new BlockRemoved(
          hashes(fields.require("block_hashes", REMOVED_HASHES, at), at + ": block_hashes"),
          optionalText(fields.get("medium", REMOVED_MEDIUM), at + ": medium"),
          optionalInteger(fields.get("group_idx", REMOVED_GROUP), at + ": group_idx"));
      case AllBlocksCleared.TYPE -> new AllBlocksCleared();
      default -> null; // an event type newer than this reader
    };
  }

  /**
   * A struct in either of msgspec's forms: positional (array) or named (map). An absent field
   * reads as nil, which is what msgspec leaves out.
   */
  private record Fields(@Nullable List<?> positional, @Nullable Map<?, ?> named) {

    static Fields of(Object raw, String where) {
      return switch (raw) {
        case List<?> list -> new Fields(list, null);
        case Map<?, ?> map -> new Fields(null, map);
        case Object other ->
            throw malformed(where + " must be an array or a map, got " + describe(other));
      };
    }

    Object get(String name, int position) {
      Object value = named != null ? named.get(name)
          : positional != null && position < positional.size() ? positional.get(position) : null;
      return value == null ? Nil.NIL : value;
    }

    Object require(String name, int position, String where) {
      Object value = get(name, position);
      if (value == Nil.NIL) {
        throw malformed(where + ": " + name + " is missing");
      }
      return value;
    }
  }

  private static long[] hashes(Object raw, String where) {
    List<?> list = list(raw, where);
    long[] hashes = new long[list.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = hash(list.get(i), where);
    }
    return hashes;
  }

  private static @Nullable Long optionalHash(Object raw, String where) {
    return raw == Nil.NIL ? null : hash(raw, where + ": parent_block_hash");
  }

  /** An integer hash keeps its 64 bits; a digest gives its last 8 bytes, big-endian. */
  private static long hash(Object raw, String where) {
    return switch (raw) {
      case Long value -> value;
      case byte[] digest -> {
        long value = 0;
        for (int i = Math.max(0, digest.length - Long.BYTES); i < digest.length; i++) {
          value = (value << 8) | (digest[i] & 0xFF);
        }
        yield value;
      }
      case Object other ->
          throw malformed(where + ": a hash must be an integer or bytes, got " + describe(other));
    };
  }

  private static int[] ints(Object raw, String where) {
    List<?> list = list(raw, where);
    int[] values = new int[list.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = integer(list.get(i), where);
    }
    return values;
  }

  private static int integer(Object raw, String where) {
    if (raw instanceof Long value && value == value.intValue()) {
      return value.intValue();
    }
    throw malformed(where + " must be a 32-bit integer, got " + describe(raw));
  }

  private static @Nullable Integer optionalInteger(Object raw, String where) {
    return raw == Nil.NIL ? null : integer(raw, where);
  }

  private static @Nullable String optionalText(Object raw, String where) {
    return switch (raw) {
      case Nil nil -> null;
      case String text -> text;
      case Object other -> throw malformed(where + " must be a string, got " + describe(other));
    };
  }

  private static List<?> list(Object raw, String where) {
    if (raw instanceof List<?> list) {
      return list;
    }
    throw malformed(where + " must be an array, got " + describe(raw));
  }

  private static String describe(Object value) {
    return switch (value) {
      case Nil nil -> "nil";
      case byte[] bytes -> bytes.length + " bytes";
      case List<?> list -> "an array of " + list.size();
      case Map<?, ?> map -> "a map of " + map.size();
      default -> value.getClass().getSimpleName() + " " + value;
    };
  }

  private static IllegalArgumentException malformed(String message) {
    return new IllegalArgumentException("malformed KV event batch: " + message);
  }
}
