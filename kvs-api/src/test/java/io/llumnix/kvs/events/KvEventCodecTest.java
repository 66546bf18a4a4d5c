package io.llumnix.kvs.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class KvEventCodecTest {

  /*
   * The vectors below were made with Python 3.11 and only its stdlib, by a 20-line msgpack
   * writer that picks the smallest form of each value as msgspec does (fixint, uint8..uint64,
   * float64, fixstr/str8, bin8, fixarray, fixmap; dicts in insertion order), e.g.
   *   def p(o):
   *     if o is None: return b"\xc0"
   *     if isinstance(o, int): ... 0xcc/0xcd/0xce/0xcf + struct.pack(">B/H/I/Q", o)
   *     if isinstance(o, float): return b"\xcb" + struct.pack(">d", o)
   *     if isinstance(o, str): b = o.encode(); return bytes([0xa0 | len(b)]) + b  # < 32 bytes
   *     if isinstance(o, bytes): return bytes([0xc4, len(o)]) + o
   *     if isinstance(o, list): return bytes([0x90 | len(o)]) + b"".join(map(p, o))
   *     if isinstance(o, dict): return bytes([0x80 | len(o)]) + b"".join(p(k) + p(v) ...)
   *   print(p(value).hex())
   * applied to the values in each constant's comment.
   */

  /**
   * vLLM 0.10-0.22 (msgspec array_like=True, tag=True; no data_parallel_rank yet):
   * {@code [1700000000.5, [["BlockStored", [2**64 - 1, 7], None, [1, 2, 3, 4], 2, None, "GPU"],
   * ["BlockRemoved", [7], "GPU"], ["AllBlocksCleared"]]]}.
   */
  private static final String LEGACY = "92cb41d954fc402000009397ab426c6f636b53746f72656492cfff"
      + "ffffffffffffff07c0940102030402c0a347505593ac426c6f636b52656d6f7665649107a34750559"
      + "1b0416c6c426c6f636b73436c6561726564";

  /**
   * vLLM 0.23+ (events as maps tagged by "type", the batch still an array), the BlockStored as
   * vLLM 0.26 prints one: {@code [1789095808.8378847, [{"type": "BlockStored", "block_hashes":
   * [15760518052499183552], "parent_block_hash": None, "token_ids": [151644, 872],
   * "block_size": 2, "lora_id": None, "medium": "GPU", "lora_name": None, "extra_keys": [None],
   * "group_idx": 0, "kv_cache_spec_kind": "full_attention"}, {"type": "BlockRemoved",
   * "block_hashes": [15760518052499183552], "medium": "GPU", "group_idx": 0},
   * {"type": "AllBlocksCleared"}], 0]}.
   */
  private static final String MAPS = "93cb41daa8dbe0359fe7938ba474797065ab426c6f636b53746f7265"
      + "64ac626c6f636b5f68617368657391cfdab89baa7b5857c0b1706172656e745f626c6f636b5f6861736"
      + "8c0a9746f6b656e5f69647392ce0002505ccd0368aa626c6f636b5f73697a6502a76c6f72615f6964c0"
      + "a66d656469756da3475055a96c6f72615f6e616d65c0aa65787472615f6b65797391c0a967726f75705f"
      + "69647800b26b765f63616368655f737065635f6b696e64ae66756c6c5f617474656e74696f6e84a4747"
      + "97065ac426c6f636b52656d6f766564ac626c6f636b5f68617368657391cfdab89baa7b5857c0a66d65"
      + "6469756da3475055a967726f75705f6964780081a474797065b0416c6c426c6f636b73436c656172656"
      + "400";

  /**
   * The batch as a map and hashes as raw digests (VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES=0), with
   * {@code d1, d0 = sha256(b"block-1").digest(), sha256(b"block-0").digest()}:
   * {@code {"ts": 2.0, "events": [{"type": "BlockStored", "block_hashes": [d1],
   * "parent_block_hash": d0, "token_ids": [5, 6], "block_size": 2, "lora_id": None,
   * "medium": "GPU", "lora_name": None}], "data_parallel_rank": 3}}; the int form of d1 is
   * {@code int.from_bytes(d1, "big") & (2**64 - 1)} = 13769737737868187369, of d0
   * 9460568785227603120.
   */
  private static final String RAW_HASHES = "83a27473cb4000000000000000a66576656e74739188a4747"
      + "97065ab426c6f636b53746f726564ac626c6f636b5f68617368657391c42089a1a98e709fa672374b463"
      + "bbd8d5946ff4f530c5e65be07bf17ef8473ec96e9b1706172656e745f626c6f636b5f68617368c420b8"
      + "c6f33f1780d30977c5e964f62e7959102a3694f1c28ae0834ab12f98a3dcb0a9746f6b656e5f6964739"
      + "20506aa626c6f636b5f73697a6502a76c6f72615f6964c0a66d656469756da3475055a96c6f72615f6e"
      + "616d65c0b2646174615f706172616c6c656c5f72616e6b03";

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  @Test
  void decodesTheLegacyTaggedArrayForm() {
    KvEventBatch batch = KvEventCodec.decode(hex(LEGACY));

    assertThat(batch.timestampSeconds()).isEqualTo(1700000000.5);
    assertThat(batch.dataParallelRank()).isNull();
    assertThat(batch.events()).containsExactly(
        new BlockStored(new long[] {-1L, 7}, null, new int[] {1, 2, 3, 4}, 2, "GPU", null, null,
            null),
        new BlockRemoved(new long[] {7}, "GPU", null),
        new AllBlocksCleared());
  }

  @Test
  void decodesTheMapFormOfCurrentVllm() {
    KvEventBatch batch = KvEventCodec.decode(hex(MAPS));

    long hash = Long.parseUnsignedLong("15760518052499183552"); // past Long.MAX_VALUE
    assertThat(batch.timestampSeconds()).isEqualTo(1789095808.8378847);
    assertThat(batch.dataParallelRank()).isZero();
    assertThat(batch.events()).containsExactly(
        new BlockStored(new long[] {hash}, null, new int[] {151644, 872}, 2),
        new BlockRemoved(hash),
        new AllBlocksCleared());
  }

  @Test
  void rawDigestHashesDecodeToTheSameLongsAsTheIntForm() {
    KvEventBatch batch = KvEventCodec.decode(hex(RAW_HASHES));

    assertThat(batch.dataParallelRank()).isEqualTo(3);
    BlockStored stored = (BlockStored) batch.events().getFirst();
    assertThat(stored.blockHashes())
        .containsExactly(Long.parseUnsignedLong("13769737737868187369"));
    assertThat(stored.parentBlockHash())
        .isEqualTo(Long.parseUnsignedLong("9460568785227603120"));
    assertThat(stored.groupIdx()).isNull();
  }

  @Test
  void encodesAsCurrentVllmAndReadsItBack() {
    long hash = Long.parseUnsignedLong("15760518052499183552");
    KvEventBatch batch = new KvEventBatch(1789095808.8378847, List.of(
        new BlockStored(new long[] {hash}, null, new int[] {151644, 872}, 2),
        new BlockRemoved(new long[] {hash}, "GPU", 0),
        new AllBlocksCleared()), 0);

    byte[] encoded = KvEventCodec.encode(batch);

    // the vector minus vLLM's "extra_keys": [None], which is msgspec's default and omitted
    String withoutExtraKeys = MAPS.replace("8ba474797065ab", "8aa474797065ab")
        .replace("aa65787472615f6b65797391c0", "");
    assertThat(HexFormat.of().formatHex(encoded)).isEqualTo(withoutExtraKeys);
    assertThat(KvEventCodec.decode(encoded)).isEqualTo(batch);
  }

  @Test
  void roundTripsOptionalFieldsAndALeftOutRank() {
    KvEventBatch batch = new KvEventBatch(3.25, List.of(
        new BlockStored(new long[] {1, Long.MIN_VALUE}, 99L, new int[] {1, 2, 3, 4}, 2, null,
            "adapter", null, null),
        new BlockRemoved(new long[] {Long.MAX_VALUE}, null, null)), null);

    byte[] encoded = KvEventCodec.encode(batch);

    assertThat(encoded[0]).isEqualTo((byte) 0x92); // [ts, events]: no rank, as msgspec
    assertThat(KvEventCodec.decode(encoded)).isEqualTo(batch);
  }

  @Test
  void skipsUnknownEventTypesAndFields() {
    // [1.0, [{"type": "BlockPinned", "block_hashes": [1]}, ["AllBlocksCleared", 5]], 0]
    byte[] payload = hex("93cb3ff000000000000092" + "82a474797065ab426c6f636b50696e6e6564"
        + "ac626c6f636b5f686173686573" + "9101" + "92b0416c6c426c6f636b73436c656172656405" + "00");

    assertThat(KvEventCodec.decode(payload).events()).containsExactly(new AllBlocksCleared());
  }

  @Test
  void rejectsMalformedPayloadsWithIllegalArgumentOnly() {
    List<String> malformed = List.of(
        "", // nothing
        "c1", // a reserved byte
        "93cb3ff0", // truncated float
        "dd7fffffff", // an array claiming 2^31 - 1 elements in 0 bytes
        "c0", // nil
        "92a178a179", // ts not a number
        "92cb3ff0000000000000c0", // events nil
        "92cb3ff000000000000091" + "05", // an event that is a number
        "92cb3ff000000000000091" + "9105", // an event whose tag is not a string
        "92cb3ff00000000000009181a474797065ab426c6f636b53746f726564", // no block_hashes
        "92cb3ff000000000000091" + "82a474797065ac426c6f636b52656d6f766564"
            + "ac626c6f636b5f686173686573" + "91a178", // a hash that is a string
        "92cb3ff000000000000090c0"); // a second value after the batch

    for (String payload : malformed) {
      assertThatThrownBy(() -> KvEventCodec.decode(hex(payload)))
          .as(payload).isExactlyInstanceOf(IllegalArgumentException.class);
    }
    byte[] deep = new byte[100_000];
    java.util.Arrays.fill(deep, (byte) 0x91); // arrays nested 100 000 deep
    assertThatThrownBy(() -> KvEventCodec.decode(deep))
        .isExactlyInstanceOf(IllegalArgumentException.class);
  }
}
