package io.llumnix.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.openai.OpenAiError;
import io.llumnix.openai.RequestRules;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The chat-to-completion conversion and the headers that go along. */
class AdmissionTest {

  final Admission admission =
      new Admission(RequestRules.gateway(TokenizerSource.BUILTIN.load(), 100));

  AdmittedRequest admit(String json, boolean chat, MultiMap headers) {
    return admission.admit(Buffer.buffer(json), chat, "req-1", 0, headers);
  }

  @Test
  void aChatBecomesAStreamingCompletionWithEveryFieldCopiedToItself() {
    AdmittedRequest request = admit("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi\"}],\"presence_penalty\":0.5,\"frequency_penalty\":0.1,"
        + "\"max_completion_tokens\":7,\"tools\":[],\"stream\":false,\"user\":\"u\"}", true,
        HttpHeaders.headers());
    JsonObject body = request.engineBody().toJsonObject();
    assertThat(body.getDouble("presence_penalty")).isEqualTo(0.5);
    assertThat(body.getDouble("frequency_penalty")).isEqualTo(0.1);
    assertThat(body.getInteger("max_tokens")).isEqualTo(7);
    assertThat(body.getBoolean("stream")).isTrue();
    assertThat(body.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    assertThat(body.getString("request_id")).isEqualTo("req-1");
    assertThat(body.getString("user")).isEqualTo("u");
    assertThat(body.containsKey("messages")).isFalse();
    assertThat(body.containsKey("tools")).isFalse();
    assertThat(body.containsKey("max_completion_tokens")).isFalse();
    assertThat(body.getJsonArray("prompt").getList()).hasSize(request.prompt().length);
    assertThat(request.stream()).isFalse();
  }

  @Test
  void clientHeadersGoAlongButNotHopByHopOnes() {
    MultiMap headers = HttpHeaders.headers()
        .add("Authorization", "Bearer k").add("X-Tenant", "t1")
        .add("Connection", "keep-alive, X-Hop").add("X-Hop", "1")
        .add("Content-Length", "99").add("Host", "gateway:8089")
        .add("Transfer-Encoding", "chunked").add("Accept-Encoding", "gzip")
        .add("X-Request-Id", "client");
    MultiMap forwarded = admit("{\"prompt\":\"x\"}", false, headers).headers();
    assertThat(forwarded.names()).containsExactlyInAnyOrder("Authorization", "X-Tenant");
  }

  @Test
  void notJsonIsAClientError() {
    assertThatThrownBy(() -> admit("[1]", false, HttpHeaders.headers()))
        .isInstanceOf(OpenAiError.class).hasMessageContaining("JSON decode error");
    assertThatThrownBy(() -> admit("", false, HttpHeaders.headers()))
        .isInstanceOf(OpenAiError.class);
  }
}
