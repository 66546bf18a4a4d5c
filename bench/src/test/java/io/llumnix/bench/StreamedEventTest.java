package io.llumnix.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamedEventTest {

  @Test
  void aChatTokenCarriesContent() {
    assertThat(StreamedEvent.read("{\"id\":\"c\",\"object\":\"chat.completion.chunk\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" the\"},\"logprobs\":null,"
        + "\"finish_reason\":null}],\"usage\":null}", true))
        .isEqualTo(new StreamedEvent(false, true, -1, -1));
  }

  @Test
  void aRoleOnlyOrEmptyDeltaCarriesNone() {
    assertThat(StreamedEvent.read("{\"choices\":[{\"delta\":{\"role\":\"assistant\","
        + "\"content\":\"\"}}]}", true).content()).isFalse();
    assertThat(StreamedEvent.read("{\"choices\":[{\"delta\":{}}]}", true).content()).isFalse();
    assertThat(StreamedEvent.read("{\"choices\":[]}", true).content()).isFalse();
  }

  @Test
  void aCompletionTokenCarriesItsText() {
    String chunk = "{\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"a\","
        + "\"logprobs\":{\"tokens\":[\"a\"],\"top_logprobs\":[{\"a\":-0.1}]},"
        + "\"finish_reason\":null}]}";
    assertThat(StreamedEvent.read(chunk, false).content()).isTrue();
    assertThat(StreamedEvent.read(chunk, true).content()).as("no delta in it").isFalse();
  }

  @Test
  void onlyTheFirstChoiceCounts() {
    assertThat(StreamedEvent.read("{\"choices\":[{\"text\":\"\"},{\"text\":\"b\"}]}", false)
        .content()).isFalse();
    assertThat(StreamedEvent.read("{\"choices\":[{\"text\":\"a\"},{\"text\":[1,{}]}],"
        + "\"model\":\"m\"}", false).content()).isTrue();
  }

  @Test
  void theUsageChunkGivesItsCounts() {
    assertThat(StreamedEvent.read("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,"
        + "\"total_tokens\":20,\"completion_tokens\":8,\"prompt_tokens_details\":"
        + "{\"cached_tokens\":0}}}", true))
        .isEqualTo(new StreamedEvent(false, false, 12, 8));
    assertThat(StreamedEvent.read("{\"usage\":[1,2],\"choices\":[{\"delta\":"
        + "{\"content\":\"x\"}}]}", true))
        .as("a usage that is not an object is skipped whole")
        .isEqualTo(new StreamedEvent(false, true, -1, -1));
  }

  @Test
  void anErrorIsAnError() {
    assertThat(StreamedEvent.read("{\"error\":{\"message\":\"engine died\",\"code\":500}}",
        true).error()).isTrue();
    assertThat(StreamedEvent.read("{\"error\":null,\"choices\":[{\"delta\":"
        + "{\"content\":\"x\"}}]}", true).error()).isFalse();
  }

  @Test
  void somethingThatIsNotAJsonObjectIsRefused() {
    assertThatThrownBy(() -> StreamedEvent.read("[1]", true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamedEvent.read("{\"choices\":[{\"delta\":", true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamedEvent.read("not json", true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
