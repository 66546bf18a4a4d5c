package io.llumnix.kvs.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** vLLM's block hashes against the independent Python vectors (real pickle, hand CBOR). */
class BlockHasherTest {

  private static final HexFormat HEX = HexFormat.of();

  static Stream<JsonNode> blockCases() {
    return HashVectors.cases("vllm_blocks").stream();
  }

  @ParameterizedTest
  @MethodSource("blockCases")
  void blockHashesEqualTheVectors(JsonNode vector) {
    BlockHasher hasher = new BlockHasher(BlockHashAlgo.of(vector.get("algo").asText()),
        vector.get("seed").asText());
    int[] tokens = HashVectors.prompt(vector);
    int blockSize = vector.get("block_size").asInt();
    assertThat(HEX.formatHex(hasher.noneHash())).isEqualTo(vector.get("none_hash").asText());

    byte[] parent = null;
    byte[] inPlace = new byte[BlockHasher.HASH_BYTES];
    JsonNode blocks = vector.get("blocks");
    assertThat(blocks.size()).isEqualTo(tokens.length / blockSize);
    for (int i = 0; i < blocks.size(); i++) {
      JsonNode block = blocks.get(i);
      byte[] hash = hasher.hash(parent, tokens, i * blockSize, (i + 1) * blockSize);
      assertThat(HEX.formatHex(hash)).isEqualTo(block.get("hex").asText());
      assertThat(Long.toUnsignedString(BlockHasher.toInt64(hash)))
          .isEqualTo(block.get("int64").asText());
      // Chaining in place, out of a TokenSource, gives the same.
      int offset = i * blockSize;
      hasher.hash(i == 0 ? null : inPlace, p -> tokens[p], offset, offset + blockSize, inPlace);
      assertThat(inPlace).isEqualTo(hash);
      parent = hash;
    }
  }

  static Stream<JsonNode> pickleCases() {
    return HashVectors.cases("pickles").stream();
  }

  @ParameterizedTest
  @MethodSource("pickleCases")
  void picklesAreCpythonsBytes(JsonNode vector) throws Exception {
    Pickle pickle = new Pickle(8);
    if (vector.has("text_char")) {
      pickle.text(vector.get("text_char").asText().repeat(vector.get("text_len").asInt()));
    } else {
      byte[] parent = new byte[vector.get("parent_len").asInt()];
      Arrays.fill(parent, (byte) vector.get("parent_byte").asInt());
      int[] head = HashVectors.ints(vector.get("tokens"));
      int[] tokens = Arrays.copyOf(head, vector.path("count").asInt(head.length));
      Arrays.fill(tokens, head.length, tokens.length, vector.path("fill").asInt());
      pickle.block(parent, p -> tokens[p], 0, tokens.length);
    }
    byte[] bytes = Arrays.copyOf(pickle.buffer(), pickle.length());
    if (!vector.get("hex").isNull()) {
      assertThat(HEX.formatHex(bytes)).isEqualTo(vector.get("hex").asText());
    }
    assertThat(bytes).hasSize(vector.get("length").asInt());
    assertThat(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
        .isEqualTo(vector.get("sha256").asText());
  }

  @Test
  void anEmptyParentIsTheFirstBlock() {
    BlockHasher hasher = new BlockHasher(BlockHashAlgo.SHA256, "7");
    int[] tokens = {1, 2, 3};
    byte[] first = hasher.hash(null, tokens, 0, 3);
    assertThat(hasher.hash(new byte[0], tokens, 0, 3)).isEqualTo(first);
    assertThat(hasher.hash(hasher.noneHash(), tokens, 0, 3)).isEqualTo(first);
  }

  @Test
  void withoutASeedNoneHashIsRandom() {
    byte[] one = new BlockHasher(BlockHashAlgo.SHA256_CBOR, null).noneHash();
    byte[] two = new BlockHasher(BlockHashAlgo.SHA256_CBOR, null).noneHash();
    assertThat(one).hasSize(32).isNotEqualTo(two);
  }

  @Test
  void noneHashIsACopy() {
    BlockHasher hasher = new BlockHasher(BlockHashAlgo.SHA256, "0");
    hasher.noneHash()[0] ^= 1;
    JsonNode seeded = HashVectors.cases("vllm_blocks").stream()
        .filter(c -> c.get("algo").asText().equals("sha256") && c.get("seed").asText().equals("0"))
        .findFirst().orElseThrow();
    assertThat(HEX.formatHex(hasher.noneHash())).isEqualTo(seeded.get("none_hash").asText());
  }

  @Test
  void toInt64IsTheLastEightBytesBigEndian() {
    byte[] digest = new byte[32];
    Arrays.fill(digest, 0, 24, (byte) 0xee);
    for (int i = 24; i < 32; i++) {
      digest[i] = (byte) (i - 23);
    }
    assertThat(BlockHasher.toInt64(digest)).isEqualTo(0x0102030405060708L);
    Arrays.fill(digest, (byte) 0xff);
    assertThat(BlockHasher.toInt64(digest)).isEqualTo(-1L);
  }

  @Test
  void algorithmsAreNamedAsVllmsFlag() {
    assertThat(BlockHashAlgo.of("sha256")).isSameAs(BlockHashAlgo.SHA256);
    assertThat(BlockHashAlgo.of("sha256_cbor")).isSameAs(BlockHashAlgo.SHA256_CBOR);
    for (String bad : List.of("xxhash", "xxhash_cbor", "SHA256", "", "sha256_hex")) {
      assertThatThrownBy(() -> BlockHashAlgo.of(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--prefix-caching-hash-algo")
          .hasMessageContaining("[sha256, sha256_cbor]");
    }
  }

  @Test
  void theCborSeedIsATextString() {
    // major type 3, length 5, then the UTF-8
    Cbor cbor = new Cbor(1).text("12345");
    assertThat(HEX.formatHex(cbor.buffer(), 0, cbor.length())).isEqualTo("653132333435");
  }
}
