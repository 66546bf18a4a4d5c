package io.llumnix.kvs.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KvEventsConfigTest {

  @Test
  void takesVllmDefaultsForAbsentFields() {
    KvEventsConfig config = KvEventsConfig.parse("{\"enable_kv_cache_events\": true}");

    assertThat(config).isEqualTo(new KvEventsConfig(
        true, "zmq", "tcp://*:5557", null, 10_000, 100_000, 100_000, ""));
    assertThat(config.publishesOverZmq()).isTrue();
    assertThat(config.binds()).isTrue();
    assertThat(KvEventsConfig.parse("{}").publisher()).isEqualTo("null");
    assertThat(KvEventsConfig.parse("{}")).isEqualTo(KvEventsConfig.defaults());
  }

  @Test
  void readsEveryFieldAndIgnoresUnknownOnes() {
    KvEventsConfig config = KvEventsConfig.parse("""
        {"enable_kv_cache_events": true, "publisher": "zmq", "endpoint": "tcp://10.0.0.1:6000",
         "replay_endpoint": "tcp://*:6001", "buffer_steps": 5, "hwm": 7, "max_queue_size": 9,
         "topic": "kv-events", "some_future_field": [1, 2]}""");

    assertThat(config).isEqualTo(new KvEventsConfig(
        true, "zmq", "tcp://10.0.0.1:6000", "tcp://*:6001", 5, 7, 9, "kv-events"));
    assertThat(config.binds()).isFalse(); // a host: vLLM connects to it
    assertThat(KvEventsConfig.parse("{\"enable_kv_cache_events\": true, \"publisher\": \"null\"}")
        .publishesOverZmq()).isFalse();
  }

  @Test
  void rejectsBadJsonAndBadTypesNamingTheFlag() {
    for (String json : new String[] {
        "{", "[]", "\"x\"", "{} {}", "{\"enable_kv_cache_events\": \"yes\"}",
        "{\"buffer_steps\": \"10\"}", "{\"hwm\": 1.5}", "{\"max_queue_size\": -1}",
        "{\"endpoint\": null}", "{\"endpoint\": 5}", "{\"publisher\": \"kafka\"}",
        "{\"topic\": [\"a\"]}", "{\"buffer_steps\": 99999999999}"}) {
      assertThatThrownBy(() -> KvEventsConfig.parse(json))
          .as(json)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--kv-events-config");
    }
  }

  @Test
  void offsetsPortsAsVllmDoesPerRank() {
    KvEventsConfig config = KvEventsConfig.zmq("tcp://*:5557", "tcp://*:5600");

    KvEventsConfig third = config.withPortOffset(2);

    assertThat(third.endpoint()).isEqualTo("tcp://*:5559");
    assertThat(third.replayEndpoint()).isEqualTo("tcp://*:5602");
    assertThat(config.withPortOffset(0)).isEqualTo(config);
    assertThat(KvEventsConfig.zmq("inproc://cache", null).withPortOffset(1).endpoint())
        .isEqualTo("inproc://cache_dp1");
    assertThat(KvEventsConfig.zmq("tcp://127.0.0.1:0", null).withPortOffset(3).endpoint())
        .as("an ephemeral port stays ephemeral").isEqualTo("tcp://127.0.0.1:0");
    assertThatThrownBy(() -> KvEventsConfig.zmq("ipc:///tmp/kv", null).withPortOffset(1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KvEventsConfig.zmq("tcp://*:65535", null).withPortOffset(1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bindsOnWildcardsLocalTransportsAndPortZero() {
    assertThat(KvEventsConfig.zmq("tcp://[::]:5557", null).binds()).isTrue();
    assertThat(KvEventsConfig.zmq("ipc:///tmp/kv", null).binds()).isTrue();
    assertThat(KvEventsConfig.zmq("inproc://kv", null).binds()).isTrue();
    assertThat(KvEventsConfig.zmq("tcp://127.0.0.1:0", null).binds()).isTrue();
    assertThat(KvEventsConfig.zmq("tcp://127.0.0.1:5557", null).binds()).isFalse();
  }
}
