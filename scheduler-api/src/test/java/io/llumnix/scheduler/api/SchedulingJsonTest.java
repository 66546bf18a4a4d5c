package io.llumnix.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler API's JSON, as the reference writes and reads it. */
class SchedulingJsonTest {

  static final LlmInstance P = new LlmInstance(3, "p0", "m", InferType.PREFILL, "10.0.1.1", 8000,
      "10.0.1.1", 28000, 1, 2);

  @Test
  void aRequestHasTheReferenceFieldsWithItsOmitemptyRules() {
    SchedulingRequest request = SchedulingRequest.of("r1", "m", "", SchedulingMode.NEUTRAL,
        SchedulingStage.PREFILL, 0, null);
    assertThat(SchedulingJson.encode(request).toString()).isEqualTo("{\"id\":\"r1\",\"model\":"
        + "\"m\",\"scheduling_mode\":\"neutral\",\"scheduling_stage\":\"prefill\","
        + "\"prompt_token_ids\":null}");
    SchedulingRequest full = SchedulingRequest.of("r2", "m", "10.0.0.9:5000",
        SchedulingMode.PD_BATCH, SchedulingStage.DECODE, 3, new int[] {1, 2, -1})
        .withResult(List.of(P));
    JsonObject json = new JsonObject(SchedulingJson.encode(full));
    assertThat(json.getString("gateway_id")).isEqualTo("10.0.0.9:5000");
    assertThat(json.getInteger("prompt_num_tokens")).isEqualTo(3);
    // uint32 on the wire, as the reference's Go types it
    assertThat(json.getJsonArray("prompt_token_ids").getList()).containsExactly(1, 2, 4294967295L);
    assertThat(json.getJsonArray("scheduling_result").getJsonObject(0)).isEqualTo(new JsonObject(
        "{\"version\":3,\"id\":\"p0\",\"model\":\"m\",\"infer_type\":\"prefill\",\"endpoint\":"
            + "{\"host\":\"10.0.1.1\",\"port\":8000},\"aux_ip\":\"10.0.1.1\",\"aux_port\":28000,"
            + "\"dp_rank\":1,\"dp_size\":2}"));
  }

  @Test
  void readsWhatItWritesAndWhatTheReferenceWrites() {
    SchedulingRequest full = SchedulingRequest.of("r2", "m", "g:1", SchedulingMode.PD_STAGED,
        SchedulingStage.DECODE, 3, new int[] {5, 6, 7}).withResult(List.of(P));
    SchedulingRequest back = SchedulingJson.decode(SchedulingJson.encode(full));
    assertThat(back.promptTokenIds()).containsExactly(5, 6, 7);
    assertThat(back.withResult(List.of()).promptNumTokens()).isEqualTo(3);
    assertThat(back.schedulingResult()).containsExactly(P);
    assertThat(back.mode()).isEqualTo(SchedulingMode.PD_STAGED);
    assertThat(back.stage()).isEqualTo(SchedulingStage.DECODE);

    // The reference's gateway: empty mode and stage mean neutral and prefill; unknown fields go.
    SchedulingRequest minimal = SchedulingJson.decode(Buffer.buffer("{\"id\":\"x\","
        + "\"scheduling_mode\":\"\",\"extra\":{\"a\":[1]},\"prompt_token_ids\":null}"));
    assertThat(minimal.mode()).isEqualTo(SchedulingMode.NEUTRAL);
    assertThat(minimal.stage()).isEqualTo(SchedulingStage.PREFILL);
    assertThat(minimal.promptTokenIds()).isNull();
  }

  @Test
  void badBodiesAreRefused() {
    for (String bad : new String[] {"{not json", "[]", "{\"scheduling_mode\":\"pd\"}",
        "{\"prompt_token_ids\":\"x\"}", "{\"prompt_token_ids\":[\"a\"]}",
        "{\"scheduling_result\":[1]}", "{\"id\":5}", "{\"prompt_num_tokens\":\"5\"}",
        "{\"scheduling_stage\":\"both\"}", "{} {}"}) {
      assertThatThrownBy(() -> SchedulingJson.decode(Buffer.buffer(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void reportsRoundTrip() {
    List<ReportItem> items = List.of(
        new ReportItem(ReportItem.Kind.STATE_UPDATE, "r", "m", InferType.DECODE, "d0", "g:1", 42),
        new ReportItem(ReportItem.Kind.PREFILL_DONE, "r", "m", InferType.NEUTRAL, "n0", "g:1", 0),
        new ReportItem(ReportItem.Kind.INSTANCE_FAILED, "r", "m", InferType.NEUTRAL, "n1", "g:1",
            0));
    assertThat(SchedulingJson.decodeReport(SchedulingJson.encodeReport(items)))
        .isEqualTo(items);
    assertThat(SchedulingJson.encodeReport(items.subList(2, 3)).toString())
        .contains("\"kind\":\"instance_failed\"").doesNotContain("num_tokens");
    assertThat(SchedulingJson.decodeReport(Buffer.buffer())).isEmpty();
    assertThatThrownBy(() -> SchedulingJson.decodeReport(Buffer.buffer("[{")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keepaliveHello() {
    assertThat(Keepalive.gatewayId(Keepalive.hello("10.0.0.1", 4711))).isEqualTo("10.0.0.1:4711");
    assertThatThrownBy(() -> Keepalive.gatewayId("hello")).isInstanceOf(
        IllegalArgumentException.class);
  }
}
