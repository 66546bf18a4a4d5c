package io.llumnix.kvs.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The KV-store keys against the independent Python vectors, and the edges of the API. */
class KvsKeysTest {

  static Stream<JsonNode> keyCases() {
    return HashVectors.cases("kvs_keys").stream();
  }

  @ParameterizedTest
  @MethodSource("keyCases")
  void keysEqualTheVectors(JsonNode vector) {
    KvsKeyFormat format = KvsKeyFormat.of(KvsHashAlgo.of(vector.get("algo").asText()),
        vector.get("chunk_size").asInt(), vector.get("save_unfull_chunk").asBoolean())
        .withHashSeed(vector.get("hash_seed").asText());
    int[] tokens = HashVectors.prompt(vector);
    List<String> expected = HashVectors.strings(vector.get("keys"));
    KvsKeys keys = new KvsKeys(format);

    assertThat(keys.keys(tokens, tokens.length)).isEqualTo(expected);
    assertThat(keys.keyCount(tokens.length)).isEqualTo(expected.size());
    // Only the first `length` tokens count, whatever follows them in the array.
    int[] longer = Arrays.copyOf(tokens, tokens.length + 5);
    Arrays.fill(longer, tokens.length, longer.length, 77);
    assertThat(keys.keys(longer, tokens.length)).isEqualTo(expected);
  }

  static Stream<JsonNode> xxh64Cases() {
    return HashVectors.cases("xxh64_words").stream();
  }

  @ParameterizedTest
  @MethodSource("xxh64Cases")
  void xxh64OfWordsEqualsTheSpecification(JsonNode vector) {
    Xxh64 stream = new Xxh64(0);
    vector.get("words").forEach(word -> stream.putLong(Long.parseUnsignedLong(word.asText())));
    assertThat(Long.toUnsignedString(stream.value())).isEqualTo(vector.get("xxh64").asText());
    // Reading the value leaves the stream as it was.
    assertThat(Long.toUnsignedString(stream.value())).isEqualTo(vector.get("xxh64").asText());
  }

  @Test
  void xxh64OfNothingIsThePublishedValue() {
    assertThat(new Xxh64(0).value()).isEqualTo(0xEF46DB3751D8E999L);
  }

  @Test
  void sha256CborKeysAreVllmBlockHashesWhenTheBlockIsTheChunk() {
    int[] tokens = new int[40];
    Arrays.setAll(tokens, i -> i * 31 + 7);
    KvsKeyFormat format = KvsKeyFormat.of(KvsHashAlgo.SHA256_CBOR, 16, false).withHashSeed("42");
    BlockHasher hasher = new BlockHasher(BlockHashAlgo.SHA256_CBOR, "42");
    byte[] first = hasher.hash(null, tokens, 0, 16);
    byte[] second = hasher.hash(first, tokens, 16, 32);

    assertThat(new KvsKeys(format).keys(tokens, tokens.length)).containsExactly(
        HexFormat.of().formatHex(first) + "_0", HexFormat.of().formatHex(second) + "_0");
  }

  @Test
  void anEmptyPromptHasNoKeys() {
    for (KvsHashAlgo algo : KvsHashAlgo.values()) {
      KvsKeys keys = new KvsKeys(KvsKeyFormat.of(algo, 4, true));
      assertThat(keys.keys(new int[0], 0)).isEmpty();
      assertThat(keys.keys(new int[] {1, 2, 3}, 0)).isEmpty();
    }
  }

  @Test
  void countsChunks() {
    KvsKeys withPartial = new KvsKeys(KvsKeyFormat.of(KvsHashAlgo.SHA256_HEX, 256, true));
    KvsKeys fullOnly = new KvsKeys(KvsKeyFormat.defaults());
    assertThat(withPartial.fullChunks(600)).isEqualTo(2);
    assertThat(withPartial.keyCount(600)).isEqualTo(3);
    assertThat(withPartial.keyCount(512)).isEqualTo(2);
    assertThat(fullOnly.keyCount(600)).isEqualTo(2);
    assertThat(fullOnly.keyCount(255)).isZero();
  }

  @Test
  void aLengthPastTheTokensIsRefused() {
    KvsKeys keys = new KvsKeys(KvsKeyFormat.defaults());
    assertThatThrownBy(() -> keys.keys(new int[3], 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> keys.keys(new int[3], -1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void algorithmsAreNamedAsTheFlag() {
    for (KvsHashAlgo algo : KvsHashAlgo.values()) {
      assertThat(KvsHashAlgo.of(algo.flagValue())).isSameAs(algo);
    }
    assertThat(KvsHashAlgo.SHA256_CBOR.flagValue()).isEqualTo("sha256_cbor");
    for (String bad : List.of("sha256", "SHA256_CBOR", "", "xxh64")) {
      assertThatThrownBy(() -> KvsHashAlgo.of(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--kvs-hash-algo")
          .hasMessageContaining("[sha256_cbor, sha256_hex, xxhash]");
    }
  }

  @Test
  void theChunkSizeMustBePositive() {
    for (int bad : new int[] {0, -1}) {
      assertThatThrownBy(() -> KvsKeyFormat.of(KvsHashAlgo.XXHASH, bad, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--kvs-chunk-size");
    }
  }

  @Test
  void theDefaultsAreTheReferences() {
    assertThat(KvsKeyFormat.defaults()).isEqualTo(new KvsKeyFormat(KvsHashAlgo.SHA256_CBOR, 256,
        false, "0", "iris.", "block.hash.key."));
  }
}
