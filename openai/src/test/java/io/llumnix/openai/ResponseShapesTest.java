package io.llumnix.openai;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The exact text of each answer shape, chunked and whole, for both dialects. */
class ResponseShapesTest {

  @Test
  void chatChunks() {
    ChunkWriter chunks = ChunkWriter.chat("chatcmpl-1", 7, "m");
    assertThat(chunks.role(0, null).toString()).isEqualTo("data: {\"id\":\"chatcmpl-1\","
        + "\"object\":\"chat.completion.chunk\",\"created\":7,\"model\":\"m\",\"choices\":"
        + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
        + "\"finish_reason\":null}]}\n\n");
    assertThat(chunks.token(0, "\"hi\"", null, "null", null).toString()).isEqualTo(
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":7,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}\n\n");
    assertThat(chunks.token(0, "\"!\"", "stop", "\"\\n\"", null).toString()).endsWith(
        "\"delta\":{\"content\":\"!\"},\"logprobs\":null,\"finish_reason\":\"stop\","
            + "\"stop_reason\":\"\\n\"}]}\n\n");
    assertThat(chunks.usage(ChunkWriter.usageLiteral(3, 2)).toString()).isEqualTo(
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":7,"
            + "\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"total_tokens\":5,"
            + "\"completion_tokens\":2}}\n\n");
  }

  @Test
  void completionChunksCarryUsageNullUnlessContinuous() {
    ChunkWriter chunks = ChunkWriter.completion("cmpl-1", 7, "m\"q");
    assertThat(chunks.token(0, "\"a\"", null, "null", null).toString()).isEqualTo(
        "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":7,\"model\":"
            + "\"m\\\"q\",\"choices\":[{\"index\":0,\"text\":\"a\",\"logprobs\":null,"
            + "\"finish_reason\":null,\"stop_reason\":null}],\"usage\":null}\n\n");
    assertThat(chunks.token(1, "\"b\"", "length", "null", ChunkWriter.usageLiteral(1, 1))
        .toString()).endsWith("\"finish_reason\":\"length\",\"stop_reason\":null}],"
            + "\"usage\":{\"prompt_tokens\":1,\"total_tokens\":2,\"completion_tokens\":1}}\n\n");
  }

  @Test
  void wholeBodiesByDialect() {
    assertThat(new BodyWriter(true, "chatcmpl-1", 7, "m", Dialect.GATEWAY)
        .choice(0, "Hi \"you\"", "stop", "null").end(3, 2, null).toString()).isEqualTo(
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":7,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + "\"Hi \\\"you\\\"\",\"tool_calls\":[]},\"logprobs\":null,\"finish_reason\":\"stop\","
            + "\"stop_reason\":null}],\"usage\":{\"prompt_tokens\":3,\"total_tokens\":5,"
            + "\"completion_tokens\":2}}");
    assertThat(new BodyWriter(true, "chatcmpl-1", 7, "m", Dialect.ENGINE)
        .choice(0, "x", "length", "null").end(1, 1, null).toString()).isEqualTo(
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":7,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"x\","
            + "\"refusal\":null,\"annotations\":null,\"audio\":null,\"function_call\":null,"
            + "\"tool_calls\":[],\"reasoning_content\":null},\"logprobs\":null,"
            + "\"finish_reason\":\"length\",\"stop_reason\":null}],\"service_tier\":null,"
            + "\"system_fingerprint\":null,\"usage\":{\"prompt_tokens\":1,\"total_tokens\":2,"
            + "\"completion_tokens\":1,\"prompt_tokens_details\":null},\"prompt_logprobs\":null,"
            + "\"kv_transfer_params\":null}");
    assertThat(new BodyWriter(false, "cmpl-1", 7, "m", Dialect.ENGINE)
        .choice(0, "a", "stop", "7").choice(1, "b", "length", "null")
        .end(2, 2, "{\"k\":1}").toString()).isEqualTo(
        "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":7,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"text\":\"a\",\"logprobs\":null,\"finish_reason\":"
            + "\"stop\",\"stop_reason\":7,\"prompt_logprobs\":null},{\"index\":1,\"text\":\"b\","
            + "\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null,"
            + "\"prompt_logprobs\":null}],\"usage\":{\"prompt_tokens\":2,\"total_tokens\":4,"
            + "\"completion_tokens\":2,\"prompt_tokens_details\":null},"
            + "\"kv_transfer_params\":{\"k\":1}}");
  }

  @Test
  void errorsHaveOneTypeTable() {
    assertThat(OpenAiError.of(429, "full").toJson()).isEqualTo("{\"error\":{\"message\":"
        + "\"full\",\"type\":\"RateLimitError\",\"param\":null,\"code\":429}}");
    assertThat(OpenAiError.badRequest("bad \"x\"", "x").toJson()).isEqualTo("{\"error\":{"
        + "\"message\":\"bad \\\"x\\\"\",\"type\":\"BadRequestError\",\"param\":\"x\","
        + "\"code\":400}}");
    assertThat(OpenAiError.type(404)).isEqualTo("NotFoundError");
    assertThat(OpenAiError.type(413)).isEqualTo("RequestTooLargeError");
    assertThat(OpenAiError.type(500)).isEqualTo("InternalServerError");
    assertThat(OpenAiError.type(502)).isEqualTo("BadGatewayError");
    assertThat(OpenAiError.type(418)).isEqualTo("BadRequestError");
  }
}
