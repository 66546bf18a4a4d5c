package io.llumnix.kvs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.kvs.mooncake.MooncakeJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire shapes, read from what a real Mooncake master writes. */
class MooncakeJsonTest {

  @Test
  void readsAMastersReplyWithEveryReplicaKind() {
    String reply = """
        {"success":true,"data":{
          "k1":{"ok":true,"values":[
            {"size_":1024,"buffer_address_":140732000000000,"protocol_":"rdma",
             "transport_endpoint_":"10.0.0.1:12345"},
            {"size_":1024,"buffer_address_":1,"protocol_":"tcp",
             "transport_endpoint_":"10.0.0.2:12345"}],
           "disk_values":[{"file_path":"/x","object_size":4096}],
           "nof_values":[{"transport_endpoint_":"10.0.0.7:1"}]},
          "k2":{"ok":false,"error":"OBJECT_NOT_FOUND"},
          "k3":{"ok":true,"values":[],"disk_values":[{"file_path":"/y","object_size":1}]}}}
        """;
    MooncakeJson.QueryReply decoded = MooncakeJson.decodeQueryReply(Buffer.buffer(reply));
    assertThat(decoded.success()).isTrue();
    // Only memory replicas name a transport endpoint to fetch from.
    assertThat(decoded.endpoints()).containsExactly(
        Map.entry("k1", List.of("10.0.0.1:12345", "10.0.0.2:12345")));
  }

  @Test
  void readsTheMastersErrorShapes() {
    MooncakeJson.QueryReply unavailable = MooncakeJson.decodeQueryReply(Buffer.buffer(
        "{\"success\":false,\"error_code\":-1011,\"error_message\":\"service plane is not "
            + "active\"}"));
    assertThat(unavailable.success()).isFalse();
    assertThat(unavailable.error()).isEqualTo("service plane is not active");
    assertThat(MooncakeJson.decodeReply(Buffer.buffer(
        "{\"success\":false,\"error\":\"No keys provided. Use ?keys=key1,key2,...\"}")))
        .isEqualTo(new MooncakeJson.Reply(false, "No keys provided. Use ?keys=key1,key2,..."));
    assertThat(MooncakeJson.decodeReply(Buffer.buffer("oops")).success()).isFalse();
    assertThatThrownBy(() -> MooncakeJson.decodeQueryReply(Buffer.buffer("[1]")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writesWhatItReads() {
    Buffer reply = MooncakeJson.encodeQueryReply(List.of("a", "b\"q", "a"),
        Map.of("b\"q", List.of("10.0.0.1:1", "10.0.0.2:2")));
    JsonObject json = new JsonObject(reply);
    assertThat(json.getJsonObject("data").fieldNames()).containsExactly("a", "b\"q");
    assertThat(json.getJsonObject("data").getJsonObject("a").encode())
        .isEqualTo("{\"ok\":false,\"error\":\"OBJECT_NOT_FOUND\"}");
    assertThat(MooncakeJson.decodeQueryReply(reply).endpoints())
        .containsExactly(Map.entry("b\"q", List.of("10.0.0.1:1", "10.0.0.2:2")));

    Buffer keys = MooncakeJson.encodeKeys("10.0.0.1:1", List.of("x", "y\n"));
    assertThat(MooncakeJson.decodeKeys(keys))
        .isEqualTo(new MooncakeJson.KeysBody("10.0.0.1:1", List.of("x", "y\n")));
    assertThat(MooncakeJson.decodeEndpoint(MooncakeJson.encodeEndpoint("h:2"))).isEqualTo("h:2");
    assertThat(MooncakeJson.decodeReply(MooncakeJson.encodeSuccess()))
        .isEqualTo(new MooncakeJson.Reply(true, ""));
    assertThat(MooncakeJson.decodeReply(MooncakeJson.encodeError("bad \"x\"")))
        .isEqualTo(new MooncakeJson.Reply(false, "bad \"x\""));
  }
}
