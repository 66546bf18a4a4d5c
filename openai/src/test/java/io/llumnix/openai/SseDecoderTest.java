package io.llumnix.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

  final List<String> events = new ArrayList<>();
  final SseDecoder decoder = new SseDecoder(events::add);

  @Test
  void eventsSplitAnywhereComeOutWhole() {
    String stream = "data: {\"a\":1}\n\ndata: {\"b\":\"é\"}\n\ndata: [DONE]\n\n";
    byte[] bytes = stream.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (byte b : bytes) { // one byte at a time: inside UTF-8 sequences and separators too
      decoder.feed(Buffer.buffer(new byte[] {b}));
    }
    assertThat(events).containsExactly("{\"a\":1}", "{\"b\":\"é\"}", "[DONE]");
    assertThat(decoder.hasPartialEvent()).isFalse();
  }

  @Test
  void aPieceThatIsPartOfALargerBufferIsReadFromItsOwnBytes() {
    Buffer whole = Buffer.buffer("xxxdata: {\"t\":\"日本\"}\n\ndata: tail");
    decoder.feed(whole.slice(3, whole.length()));
    assertThat(events).containsExactly("{\"t\":\"日本\"}");
    decoder.feed(Buffer.buffer("\r\n\r\n"));
    assertThat(events).containsExactly("{\"t\":\"日本\"}", "tail");
  }

  @Test
  void severalEventsInOnePieceAndAPartialOne() {
    decoder.feed(Buffer.buffer("data: 1\n\ndata: 2\n\ndata: 3"));
    assertThat(events).containsExactly("1", "2");
    assertThat(decoder.hasPartialEvent()).isTrue();
    decoder.feed(Buffer.buffer("\n\n"));
    assertThat(events).containsExactly("1", "2", "3");
  }

  @Test
  void crlfMultiLineDataAndCommentsAsTheStandardSays() {
    decoder.feed(Buffer.buffer(": keep-alive\r\n\r\ndata:x\r\ndata: y\r\nid: 7\r\n\r\n"));
    assertThat(events).containsExactly("x\ny");
  }

  @Test
  void theEncodingIsWhatTheDecoderReads() {
    decoder.feed(Sse.event("{\"k\":2}"));
    decoder.feed(Sse.done());
    assertThat(events).containsExactly("{\"k\":2}", Sse.DONE_DATA);
  }
}
