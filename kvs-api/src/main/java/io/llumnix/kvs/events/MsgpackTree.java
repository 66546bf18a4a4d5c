package io.llumnix.kvs.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

/**
 * Reads a msgpack document into plain Java values, so that the codec can look at its shape
 * before deciding which of vLLM's forms it is: nil as {@link Nil#NIL}, booleans, integers as
 * {@link Long} (a uint64 past {@link Long#MAX_VALUE} keeps its 64 bits, i.e. reads negative),
 * floats as {@link Double}, strings, binaries as {@code byte[]}, arrays as {@link List}, maps
 * as {@link Map} (in wire order), extension values as {@link Extension}.
 *
 * <p>Unlike msgpack-core's own value tree, a header that claims more elements than there are
 * bytes left is rejected before anything is allocated, and nesting is bounded, so a hostile
 * payload costs at most its own size.
 */
final class MsgpackTree {

  /** A msgpack extension value; vLLM's KV events carry none, but a decoder must step over it. */
  record Extension(byte type, byte[] data) {}

  private static final int MAX_DEPTH = 32;

  private final MessageUnpacker unpacker;
  private final long length;

  private MsgpackTree(byte[] bytes) {
    this.unpacker = MessagePack.newDefaultUnpacker(bytes);
    this.length = bytes.length;
  }

  /**
   * The single value {@code bytes} hold.
   *
   * @throws IllegalArgumentException when they are not exactly one well-formed msgpack value
   */
  static Object read(byte[] bytes) {
    MsgpackTree tree = new MsgpackTree(bytes);
    try (MessageUnpacker unpacker = tree.unpacker) {
      if (!unpacker.hasNext()) {
        throw new IllegalArgumentException("empty msgpack payload");
      }
      Object value = tree.value(0);
      if (unpacker.hasNext()) {
        throw new IllegalArgumentException(
            "msgpack payload has " + tree.remaining() + " bytes after its value");
      }
      return value;
    } catch (IOException | MessagePackException e) {
      throw new IllegalArgumentException("malformed msgpack: " + e.getMessage(), e);
    }
  }

  private long remaining() {
    return length - unpacker.getTotalReadBytes();
  }

  private Object value(int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("msgpack nested deeper than " + MAX_DEPTH);
    }
    MessageFormat format = unpacker.getNextFormat();
    return switch (format.getValueType()) {
      case NIL -> {
        unpacker.unpackNil();
        yield Nil.NIL;
      }
      case BOOLEAN -> unpacker.unpackBoolean();
      case INTEGER -> format == MessageFormat.UINT64
          ? unpacker.unpackBigInteger().longValue() // keeps the low 64 bits
          : unpacker.unpackLong();
      case FLOAT -> unpacker.unpackDouble();
      case STRING -> new String(
          unpacker.readPayload(checkedSize(unpacker.unpackRawStringHeader(), 1)),
          StandardCharsets.UTF_8);
      case BINARY -> unpacker.readPayload(checkedSize(unpacker.unpackBinaryHeader(), 1));
      case ARRAY -> array(checkedSize(unpacker.unpackArrayHeader(), 1), depth);
      case MAP -> map(checkedSize(unpacker.unpackMapHeader(), 2), depth);
      case EXTENSION -> {
        var header = unpacker.unpackExtensionTypeHeader();
        yield new Extension(header.getType(),
            unpacker.readPayload(checkedSize(header.getLength(), 1)));
      }
    };
  }

  private List<Object> array(int size, int depth) throws IOException {
    List<Object> values = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      values.add(value(depth + 1));
    }
    return values;
  }

  private Map<Object, Object> map(int size, int depth) throws IOException {
    Map<Object, Object> entries = LinkedHashMap.newLinkedHashMap(size);
    for (int i = 0; i < size; i++) {
      Object key = value(depth + 1);
      entries.put(key, value(depth + 1));
    }
    return entries;
  }

  /** Rejects a header whose elements, at {@code minBytes} each, cannot fit in what is left. */
  private int checkedSize(int size, int minBytes) {
    if (size < 0 || (long) size * minBytes > remaining()) {
      throw new IllegalArgumentException(
          "msgpack header claims " + Integer.toUnsignedString(size) + " elements with only "
              + remaining() + " bytes left");
    }
    return size;
  }

  /** Nil, wherever it appears; Java null is never used, so that collections stay null-free. */
  enum Nil {
    NIL
  }
}
