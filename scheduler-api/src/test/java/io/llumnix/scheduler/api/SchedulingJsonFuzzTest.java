package io.llumnix.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * The scheduler's reading of request bodies, fuzzed: a {@code /schedule} or {@code /release}
 * body ({@link SchedulingJson#decode}) and a {@code /report} body
 * ({@link SchedulingJson#decodeReport}). Whatever the bytes, a decoder returns or throws
 * {@link IllegalArgumentException}, which SchedulerServer answers with 400; any other exception
 * would escape its handler and leave the gateway without an answer. What a decoder returns is
 * also written and read back to the same bytes, since the scheduler echoes requests in its
 * answers. The inputs under {@code SchedulingJsonFuzzTestInputs/} are bodies as gateways send
 * them and the scheduler answers, and a truncated one.
 */
class SchedulingJsonFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void decodesOrRefuses(byte[] body) {
    Buffer buffer = Buffer.buffer(body);
    SchedulingRequest request = null;
    try {
      request = SchedulingJson.decode(buffer);
    } catch (IllegalArgumentException refused) {
      // the 400 path
    }
    if (request != null) {
      Buffer written = SchedulingJson.encode(request);
      assertThat(SchedulingJson.encode(SchedulingJson.decode(written)).getBytes())
          .isEqualTo(written.getBytes());
    }

    List<ReportItem> items = null;
    try {
      items = SchedulingJson.decodeReport(buffer);
    } catch (IllegalArgumentException refused) {
      // the 400 path
    }
    if (items != null) {
      Buffer written = SchedulingJson.encodeReport(items);
      assertThat(SchedulingJson.encodeReport(SchedulingJson.decodeReport(written)).getBytes())
          .isEqualTo(written.getBytes());
    }
  }
}
