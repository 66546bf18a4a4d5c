package io.llumnix.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteTableTest {

  static RouteTable table(String policy, String json) {
    return RouteTable.parse(RouteTable.POLICIES.get(policy), Buffer.buffer(json));
  }

  @Test
  void weightDrawsOverTheCumulativeWeights() {
    RouteTable table = table("weight", "[{\"base_url\": \"local\", \"weight\": 2},"
        + " {\"base_url\": \"http://x\", \"weight\": 0},"
        + " {\"base_url\": \"http://y\", \"weight\": 1}]");
    RoutePolicy policy = table.policy();
    assertThat(policy.choose(table.entries(), "", fixed(0))).isEqualTo(Route.INTERNAL);
    assertThat(policy.choose(table.entries(), "", fixed(1))).isEqualTo(Route.INTERNAL);
    assertThat(policy.choose(table.entries(), "", fixed(2)).external().baseUrl())
        .isEqualTo("http://y");
    assertThat(table("weight", "[{\"base_url\": \"http://x\"}]").route("m"))
        .isEqualTo(Route.UNMATCHED); // all weights 0
  }

  @Test
  void prefixPrefersTheExactModelThenTheLongestPrefix() {
    RouteTable table = table("prefix", "[{\"base_url\": \"http://short\", \"prefix\": \"Qwen/*\"},"
        + " {\"base_url\": \"http://long\", \"prefix\": \"Qwen/Qwen3-*\"},"
        + " {\"base_url\": \"local\", \"prefix\": \"Qwen/Qwen3-8B\"},"
        + " {\"base_url\": \"http://all\", \"prefix\": \"*\"}]");
    assertThat(table.route("Qwen/Qwen3-8B")).isEqualTo(Route.INTERNAL);
    assertThat(table.route("Qwen/Qwen3-32B").external().baseUrl()).isEqualTo("http://long");
    assertThat(table.route("Qwen/Qwen2.5-7B").external().baseUrl()).isEqualTo("http://short");
    assertThat(table.route("llama").external().baseUrl()).isEqualTo("http://all");
    assertThat(table.route("")).isEqualTo(Route.INTERNAL); // no model: the local cluster
    assertThat(table("prefix", "[{\"base_url\": \"http://x\", \"prefix\": \"a\"}]").route("b"))
        .isEqualTo(Route.UNMATCHED);
  }

  @Test
  void fallbacksAreTheMarkedExternalEntriesInOrder() {
    RouteTable table = table("weight", "[{\"base_url\": \"local\", \"fallback\": true},"
        + " {\"base_url\": \"http://b\", \"fallback\": true}, {\"base_url\": \"http://c\"},"
        + " {\"base_url\": \"http://a\", \"fallback\": true}]");
    assertThat(table.fallbacks()).extracting(RouteEntry::baseUrl)
        .containsExactly("http://b", "http://a");
    assertThat(RouteTable.LOCAL_ONLY.route("m")).isEqualTo(Route.INTERNAL);
  }

  @Test
  void urlsJoinWithoutADoubledVersion() {
    assertThat(entry("http://x/v1").url("/v1/completions?a=1"))
        .isEqualTo("http://x/v1/completions?a=1");
    assertThat(entry("http://x/v1/").url("/v1/chat/completions"))
        .isEqualTo("http://x/v1/chat/completions");
    assertThat(entry("http://x/api/v2").url("/v1/completions"))
        .isEqualTo("http://x/api/v2/completions");
    assertThat(entry("http://x/").url("/v1/completions")).isEqualTo("http://x/v1/completions");
    assertThat(entry("https://x/openai").url("/v1/completions"))
        .isEqualTo("https://x/openai/v1/completions");
  }

  static RouteEntry entry(String baseUrl) {
    return new RouteEntry(baseUrl, "", "", false, 1, "");
  }

  @Test
  void badConfigsSayWhatIsWrong(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> table("weight", "{}")).hasMessageContaining("not a JSON array");
    assertThatThrownBy(() -> table("weight", "[{\"base_url\": \"ftp://x\"}]"))
        .hasMessageContaining("entry 0").hasMessageContaining("ftp://x");
    assertThatThrownBy(() -> table("weight", "[{\"base_url\": \"local\", \"weight\": -1}]"))
        .hasMessageContaining("weight: -1");
    assertThatThrownBy(() -> table("weight", "[{\"base_url\": \"local\", \"weight\": \"x\"}]"))
        .hasMessageContaining("entry 0");
    assertThatThrownBy(() -> new RouteSettings("", "[]", 1000, RetryQueueSettings.DEFAULT))
        .hasMessageContaining("--route-config needs --route-policy");
    assertThatThrownBy(() -> new RouteSettings("random", "", 1000, RetryQueueSettings.DEFAULT))
        .hasMessageContaining("[prefix, weight]");
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(() -> new Routing(new RouteSettings("weight", missing.toString(), 1000,
        RetryQueueSettings.DEFAULT))).hasMessageContaining("cannot read it");
    Path bad = Files.writeString(dir.resolve("bad.json"), "[{\"weight\": 1}]");
    assertThatThrownBy(() -> new Routing(new RouteSettings("weight", bad.toString(), 1000,
        RetryQueueSettings.DEFAULT))).hasMessageContaining(bad.toString())
        .hasMessageContaining("base_url");
  }

  @Test
  void retryWaitsDoubleUpToTheMax() {
    RetryQueueSettings settings = new RetryQueueSettings(true, 100, 10, 3, 500, 5000);
    assertThat(settings.delayMillis(0)).isEqualTo(500);
    assertThat(settings.delayMillis(1)).isEqualTo(1000);
    assertThat(settings.delayMillis(3)).isEqualTo(4000);
    assertThat(settings.delayMillis(4)).isEqualTo(5000);
    assertThat(settings.delayMillis(40)).isEqualTo(5000);
  }

  /** A generator whose every int draw is {@code value}. */
  static RandomGenerator fixed(int value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return value;
      }

      @Override
      public int nextInt(int bound) {
        return value;
      }
    };
  }
}
