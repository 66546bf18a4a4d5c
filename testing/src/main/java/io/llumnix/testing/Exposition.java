package io.llumnix.testing;

import io.llumnix.openai.SseDecoder;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what tests scrape: Prometheus text samples and server-sent events. */
public final class Exposition {

  private Exposition() {}

  /**
   * The value of the sample {@code series} (name and labels exactly as exposed, e.g.
   * {@code vllm:num_requests_running{engine="0",model_name="m"}}), or NaN when it is absent.
   */
  public static double sample(String metrics, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
        .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** The sum of every labelled sample of metric {@code name}. */
  public static double sum(String metrics, String name) {
    Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*\\} (\\S+)$",
        Pattern.MULTILINE).matcher(metrics);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  /**
   * The {@code data:} payloads of a whole server-sent-event stream, in order.
   *
   * @throws AssertionError when the stream ends in the middle of an event
   */
  public static List<String> events(String stream) {
    for (String block : stream.split("\n\n")) {
      if (!block.isBlank() && !block.startsWith("data:")) {
        throw new AssertionError("not an SSE data event: " + block);
      }
    }
    List<String> events = new ArrayList<>();
    SseDecoder decoder = new SseDecoder(events::add);
    decoder.feed(Buffer.buffer(stream));
    if (decoder.hasPartialEvent()) {
      throw new AssertionError("the stream ends inside an event: " + stream);
    }
    return events;
  }
}
