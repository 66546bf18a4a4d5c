package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Table rows of engine chunks the relay scans instead of parsing. */
class SseEventTest {

  static final String HEAD = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,";

  @Test
  void scansAToken() {
    SseEvent event = SseEvent.scan(HEAD + "\"text\":\" the\",\"logprobs\":null,"
        + "\"finish_reason\":null,\"stop_reason\":null}],\"usage\":null}");
    assertThat(event.rawText).isEqualTo("\" the\"");
    assertThat(event.finishReason).isNull();
    assertThat(event.hasUsage).isFalse();
    assertThat(event.emptyText).isFalse();
  }

  @Test
  void keepsEscapesAndReadsTheFinish() {
    SseEvent event = SseEvent.scan(HEAD + "\"text\":\"say \\\"hi\\\"\\n\",\"logprobs\":null,"
        + "\"finish_reason\":\"stop\",\"stop_reason\":\"\\\"}\"}],\"usage\":null}");
    assertThat(event.rawText).isEqualTo("\"say \\\"hi\\\"\\n\"");
    assertThat(event.finishReason).isEqualTo("stop");
    assertThat(event.rawStopReason).isEqualTo("\"\\\"}\"");
  }

  @Test
  void numericStopReasonsAndEmptyText() {
    SseEvent event = SseEvent.scan(HEAD + "\"text\":\"\",\"logprobs\":null,"
        + "\"finish_reason\":\"stop\",\"stop_reason\":128001}],\"usage\":null}");
    assertThat(event.emptyText).isTrue();
    assertThat(event.rawStopReason).isEqualTo("128001");
  }

  @Test
  void usageChunksErrorsAndSeveralChoicesAreLeftToAFullParse() {
    SseEvent usage = SseEvent.scan("{\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{"
        + "\"prompt_tokens\":3,\"total_tokens\":5,\"completion_tokens\":2}}");
    assertThat(usage.hasUsage).isTrue();
    assertThat(SseEvent.scan("{\"error\":{\"message\":\"x\",\"code\":500}}")).isNull();
    assertThat(SseEvent.scan(HEAD + "\"text\":\"a\",\"finish_reason\":null},{\"index\":1,"
        + "\"text\":\"b\",\"finish_reason\":null}],\"usage\":null}")).isNull();
  }
}
