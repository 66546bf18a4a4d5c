package io.llumnix.cms;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisProcess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CMS records in a real Redis, byte-compatible with the reference's layout. */
class RedisCmsStoreTest {

  static RedisProcess server;
  static Vertx vertx;
  static RedisCmsStore store;
  static Redis raw;

  @BeforeAll
  static void start() throws Exception {
    server = RedisProcess.start();
    vertx = Vertx.vertx();
    store = RedisCmsStore.create(vertx, RedisConnection.of("127.0.0.1", server.port()), 2000);
    raw = Redis.createClient(vertx, RedisConnection.of("127.0.0.1", server.port()).options());
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    vertx.close().await(10, TimeUnit.SECONDS);
    server.close();
  }

  static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.await(10, TimeUnit.SECONDS);
  }

  @Test
  void writesReadsExpiresAndDeletes() throws Exception {
    InstanceMetadata metadata = InstanceMetadata.newBuilder().setInstanceId("10.0.0.1_instance0_1")
        .setInstanceType("neutral").setIp("10.0.0.1").setApiServerPort(8000)
        .setDataParallelSize(1).setBlockSize(16).setMaxNumBatchedTokens(8192).build();
    InstanceStatus status = InstanceStatus.newBuilder().setInstanceId("10.0.0.1_instance0_1")
        .setSchedulable(true).setTimestampMs(1234).setUpdateId(7).addWaitingRequests("r1")
        .setNumTotalGpuTokens(1000).build();
    await(store.putMetadata(metadata, 100));
    await(store.putStatus(status, 100));

    assertThat(await(store.allMetadata())).containsExactly(metadata);
    assertThat(await(store.statuses(List.of("10.0.0.1_instance0_1", "gone"))))
        .containsExactly(status, null);
    long ttl = await(raw.send(Request.cmd(Command.TTL)
        .arg(CmsStore.STATUS_PREFIX + "10.0.0.1_instance0_1"))).toLong();
    assertThat(ttl).isBetween(90L, 100L);

    await(store.delete("10.0.0.1_instance0_1"));
    assertThat(await(store.allMetadata())).isEmpty();
    assertThat(await(store.statuses(List.of("10.0.0.1_instance0_1")))).containsExactly(
        (InstanceStatus) null);
  }

  @Test
  void aStatusStoredUnderAnotherInstancesKeyIsIgnored() throws Exception {
    InstanceStatus own = InstanceStatus.newBuilder().setInstanceId("keyed-a").setUpdateId(1)
        .build();
    InstanceStatus stray = InstanceStatus.newBuilder().setInstanceId("keyed-a").setUpdateId(2)
        .build();
    await(store.putStatus(own, 100));
    await(raw.send(Request.cmd(Command.SET).arg(CmsStore.STATUS_PREFIX + "keyed-b")
        .arg(io.vertx.core.buffer.Buffer.buffer(stray.toByteArray()))));

    assertThat(await(store.statuses(List.of("keyed-b", "keyed-a"))))
        .containsExactly(null, own);
  }

  @Test
  void replacingAStatusSaysWhetherAnEarlierOneWasThere() throws Exception {
    InstanceStatus status = InstanceStatus.newBuilder().setInstanceId("replaced")
        .setTimestampMs(1).build();
    InMemoryCmsStore memory = new InMemoryCmsStore();
    for (CmsStore each : List.of(store, memory)) {
      assertThat(await(each.replaceStatus(status, 100))).as("first write").isFalse();
      assertThat(await(each.replaceStatus(status.toBuilder().setTimestampMs(2).build(), 100)))
          .isTrue();
      assertThat(await(each.statuses(List.of("replaced"))).get(0).getTimestampMs())
          .isEqualTo(2);
      await(each.delete("replaced")); // as a Redis that lost its data
      assertThat(await(each.replaceStatus(status, 100))).as("after the loss").isFalse();
      long ttl = each == store ? await(raw.send(Request.cmd(Command.TTL)
          .arg(CmsStore.STATUS_PREFIX + "replaced"))).toLong() : 100;
      assertThat(ttl).isBetween(90L, 100L);
      await(each.delete("replaced"));
    }
  }

  /** A status as the reference's llumlet encodes it, written field by field by number. */
  static byte[] referenceStatus() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(1, "ref_instance0_1");
    out.writeBool(2, true);
    out.writeInt64(3, 1_795_000_000_000L);
    out.writeInt32(4, 41);
    out.writeInt32(5, 42);
    out.writeString(6, "chatcmpl-a");
    out.writeString(7, "chatcmpl-a");
    out.writeString(7, "cmpl-b-0");
    out.writeInt32(10, 2);
    out.writeInt32(12, 5);
    out.writeInt32(14, 29205 * 16);
    out.writeInt32(15, 4096);
    out.writeInt32(21, 300);
    out.writeInt32(25, 1500);
    out.writeDouble(34, 0.25);
    out.writeInt32(38, -1);
    out.writeInt32(40, 512);
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void readsARecordInTheReferencesLayout() throws Exception {
    await(raw.send(Request.cmd(Command.SET).arg(CmsStore.STATUS_PREFIX + "ref_instance0_1")
        .arg(Buffer.buffer(referenceStatus()))));
    InstanceStatus status = await(store.statuses(List.of("ref_instance0_1"))).get(0);
    assertThat(status).isNotNull();
    assertThat(status.getInstanceId()).isEqualTo("ref_instance0_1");
    assertThat(status.getSchedulable()).isTrue();
    assertThat(status.getTimestampMs()).isEqualTo(1_795_000_000_000L);
    assertThat(status.getStepId()).isEqualTo(41);
    assertThat(status.getUpdateId()).isEqualTo(42);
    assertThat(status.getRecentWaitingRequestsList()).containsExactly("chatcmpl-a");
    assertThat(status.getWaitingRequestsList()).containsExactly("chatcmpl-a", "cmpl-b-0");
    assertThat(status.getNumWaitingRequests()).isEqualTo(2);
    assertThat(status.getNumRunningRequests()).isEqualTo(5);
    assertThat(status.getNumTotalGpuTokens()).isEqualTo(29205 * 16);
    assertThat(status.getNumUsedGpuTokens()).isEqualTo(4096);
    assertThat(status.getNumUncomputedTokensSchedulerRunningPrefills()).isEqualTo(300);
    assertThat(status.getNumUncomputedTokensAllWaitingPrefills()).isEqualTo(1500);
    assertThat(status.getKvCacheUsageRatioMigrateIn()).isEqualTo(0.25);
    assertThat(status.getProfilingId()).isEqualTo(-1);
    assertThat(status.getNumScheduledPrefillTokens()).isEqualTo(512);
  }

  @Test
  void recordsWeWriteDecodeWithTheReferencesFieldNumbers() throws Exception {
    InstanceStatus ours = InstanceStatus.parseFrom(referenceStatus());
    assertThat(ours.toByteArray()).isEqualTo(referenceStatus());
    InstanceMetadata metadata = InstanceMetadata.newBuilder().setInstanceId("m")
        .setApiServerPort(8000).setKvtPort(28000).setUnitId("u").setDataParallelSize(2)
        .setUtcCreate(1.5).setBlockSize(16).setMaxNumBatchedTokens(8192).build();
    Map<Integer, Object> fields = new HashMap<>();
    CodedInputStream in = CodedInputStream.newInstance(metadata.toByteArray());
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int number = tag >>> 3;
      fields.put(number, switch (tag & 7) {
        case 0 -> in.readInt64();
        case 1 -> in.readDouble();
        case 2 -> in.readStringRequireUtf8();
        default -> throw new AssertionError("wire type of field " + number);
      });
    }
    assertThat(fields).containsEntry(1, "m").containsEntry(6, 8000L).containsEntry(8, 28000L)
        .containsEntry(10, 2L).containsEntry(12, "u").containsEntry(16, 1.5)
        .containsEntry(19, 16L).containsEntry(20, 8192L);
    assertThat(new ArrayList<>(fields.keySet())).hasSize(8);
  }
}
